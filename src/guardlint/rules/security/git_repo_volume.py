"""git-repo-volume: a pod uses the deprecated gitRepo volume (CVE-2024-10220)."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.model.access import iter_maps
from guardlint.model.workloads import iter_pod_specs
from guardlint.rules.api import Reference, Resource, RuleContext, Severity, Violation, rule

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


@rule(
    code="SEC113",
    name="git-repo-volume",
    pods_only=True,
    title="Pod uses a gitRepo volume",
    severity=Severity.WARNING,
    pack="security",
    since="0.3.0",
    status="preview",
    tags=("volumes",),
    remediation="Clone the repository in an init container (or a git-sync sidecar) into an emptyDir volume "
    "that the app containers mount.",
    references=(
        Reference("Kubernetes: Volumes, gitRepo (deprecated)",
                  "https://kubernetes.io/docs/concepts/storage/volumes/#gitrepo"),
        Reference("Kubernetes issue 128885: CVE-2024-10220, arbitrary command execution through gitRepo volume",
                  "https://github.com/kubernetes/kubernetes/issues/128885"),
        Reference("Kubernetes issue 130786: CVE-2025-1767, gitRepo volume inadvertent local repository access",
                  "https://github.com/kubernetes/kubernetes/issues/130786"),
    ),
)
def git_repo_volume(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports every volume of a pod spec that has a `gitRepo` source.

    ## Why is this bad?
    The kubelet itself runs `git` on the node to fill a gitRepo volume, as root and outside the pod's
    sandbox. A repository chosen by whoever writes the pod spec can make it run that person's commands on
    the node (CVE-2024-10220, through hooks in the repository's `.git` directory on kubelets without the
    fix), and can read the local repositories of other pods on the same node (CVE-2025-1767, in every
    version: the driver gets no more security fixes). The volume type is deprecated, and from Kubernetes
    1.33 its in-tree driver is disabled by default (feature gate `GitRepoVolumeDriver`), so such a pod may
    not start at all. An init container that clones
    into an `emptyDir` does the same inside the pod, with the pod's own security context.

    ## Example
    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: site
    spec:
      containers:
        - name: web
          image: nginx:1.27.2
          volumeMounts:
            - {name: content, mountPath: /usr/share/nginx/html}
      volumes:
        - name: content
          gitRepo:
            repository: https://example.com/site.git
            revision: 22f1d8406d464b0c0874075539c1f2e96c253775
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: site
    spec:
      initContainers:
        - name: clone
          image: alpine/git:2.45.2
          args: [clone, --depth=1, https://example.com/site.git, /content]
          volumeMounts:
            - {name: content, mountPath: /content}
      containers:
        - name: web
          image: nginx:1.27.2
          volumeMounts:
            - {name: content, mountPath: /usr/share/nginx/html}
      volumes:
        - name: content
          emptyDir: {}
    ```
    """
    for pod in iter_pod_specs(resource, ctx.workloads):
        for i, volume in iter_maps(pod.spec, ("volumes",)):
            source = volume.get("gitRepo")
            if not isinstance(source, dict):
                continue
            repository = source.get("repository")
            what = f" that clones {repository!r}" if isinstance(repository, str) else ""
            yield Violation(
                (*pod.path, "volumes", i, "gitRepo"),
                f"volume {volume.get('name')!r} is a gitRepo volume{what}: the kubelet runs git on the node for "
                "it, outside the pod's sandbox (CVE-2024-10220), and the volume type is deprecated",
            )


RULE = git_repo_volume
