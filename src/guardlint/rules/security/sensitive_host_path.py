"""sensitive-host-path: a pod mounts a sensitive path of the node (runtime socket, /, /etc, /proc, ...)."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint._record import NamedTuple
from guardlint.model.access import get_str, iter_maps
from guardlint.model.workloads import iter_pod_specs
from guardlint.rules.api import Reference, Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.params import param
from guardlint.rules.references import HOST_PATH
from guardlint.rules.security._common import host_paths, normalize_host_path
from guardlint.rules.security._volumes import mounts_of

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Annotated

_RUNTIME = "container runtime socket: control of every container on the node"
WHY: dict[str, str] = {
    "/": "the node's whole file system",
    "/etc": "the node's configuration and credentials",
    "/etc/kubernetes": "the node's Kubernetes credentials and static pod manifests",
    "/etc/kubernetes/pki/**": "the cluster's certificates and keys",
    "/etc/kubernetes/manifests/**": "the node's static pod manifests",
    "/etc/kubernetes/admin.conf": "a cluster-admin kubeconfig",
    "/etc/kubernetes/super-admin.conf": "a cluster-admin kubeconfig",
    "/etc/kubernetes/kubelet.conf": "the kubelet's credentials",
    "/etc/kubernetes/controller-manager.conf": "the controller manager's credentials",
    "/etc/kubernetes/scheduler.conf": "the scheduler's credentials",
    "/root/**": "the node's root home directory",
    "/var/run": "the node's runtime sockets",
    "/run": "the node's runtime sockets",
    "/var/lib/kubelet": "the kubelet's state, including every pod's secrets",
    "/var/lib/kubelet/pods/**": "every pod's volumes and secrets on the node",
    "/var/lib/kubelet/pki/**": "the kubelet's client and serving credentials",
    "/var/lib/docker": "the container runtime's state",
    "/var/lib/containerd": "the container runtime's state",
    "/var/lib/etcd/**": "the cluster's etcd data",
    "/var/run/docker.sock": _RUNTIME,
    "/run/docker.sock": _RUNTIME,
    "/var/run/dockershim.sock": _RUNTIME,
    "/var/run/cri-dockerd.sock": _RUNTIME,
    "/var/run/containerd/**": _RUNTIME,
    "/run/containerd/**": _RUNTIME,
    "/var/run/crio/**": _RUNTIME,
    "/run/crio/**": _RUNTIME,
    "/run/k3s/containerd/**": _RUNTIME,
    "/var/run/podman/**": _RUNTIME,
    "/run/podman/**": _RUNTIME,
    "\\\\.\\pipe\\docker_engine": _RUNTIME,
    "\\\\.\\pipe\\containerd-containerd": _RUNTIME,
}
"""Paths reported whoever mounts them, read-only or not."""

WHY_WRITABLE: dict[str, str] = {
    "/boot": "the node's kernels and boot loader",
    "/dev": "every device of the node",
    "/lib": "the node's system libraries",
    "/lib64": "the node's system libraries",
    "/usr": "the node's programs",
    "/bin": "the node's programs",
    "/sbin": "the node's programs",
    "/proc": "the node's kernel and process interfaces",
    "/proc/sys/**": "the node's kernel parameters",
    "/sys": "the node's kernel and device interfaces",
}
"""Paths reported only when a container mounts them writable (read-only access is routine for agents)."""


class Params(NamedTuple):
    paths: Annotated[tuple[str, ...], param(
        "Host paths reported whenever they are mounted. An entry matches exactly that path (after removing "
        "duplicate and trailing slashes, '.' and '..'); an entry ending in '/**' also matches everything below it. "
        "A folder above an entry is reported too, since it holds the entry.",
        unique_items=True,
        items={"minLength": 1},
    )] = tuple(WHY)
    writable_paths: Annotated[tuple[str, ...], param(
        "Host paths reported only when some container mounts them without readOnly (same syntax).",
        unique_items=True,
        items={"minLength": 1},
    )] = tuple(WHY_WRITABLE)


@rule(
    code="SEC036",
    name="sensitive-host-path",
    # Gate: the rule yields nothing when this does not hold: a finding is on a hostPath volume of a pod.
    gates=("host-path",),
    pods_only=True,
    title="Pod mounts a sensitive path of the node",
    severity=Severity.WARNING,
    pack="security",
    since="0.1.0",
    tags=("hardening", "host"),
    remediation=(
        "Remove the hostPath volume; talk to the runtime or the node through an API instead, or mount the narrowest "
        "path that works, read-only."
    ),
    params=Params,
    references=(
        HOST_PATH,
        Reference("Kubernetes: Pod Security Standards (HostPath Volumes)",
                  "https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline"),
    ),
)
def sensitive_host_path(resource: Resource, params: Params, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports hostPath volumes whose path is one of the sensitive `paths`: container runtime sockets
    (`/var/run/docker.sock`, `/run/containerd/...`, CRI-O, podman, k3s and the Windows named pipes), the
    node's root, `/etc`, the Kubernetes credentials and manifests under `/etc/kubernetes`, `/var/run`,
    `/run`, the kubelet's pod and credential directories, the runtimes' state and the etcd data directory,
    and any folder that holds one of them (`/var`, `/var/lib`: a folder hands over what is below it);
    and, when some container mounts them without `readOnly: true`, the `writable-paths`: `/proc`,
    `/proc/sys`, `/sys`, `/dev`, `/boot`, `/usr`, `/bin`, `/sbin`, `/lib` and `/lib64` (monitoring agents
    routinely read those). Paths are compared after normalisation (`/var/run//docker.sock/` is
    `/var/run/docker.sock`). The finding names the containers that mount the volume and whether they can
    write to it.

    Every hostPath volume breaks the baseline Pod Security Standard (rule `host-path-volume`, off by
    default); this rule reports only the paths that hand over the node.

    ## Why is this bad?
    The container runtime socket accepts commands to start privileged containers, and the node's
    configuration and kubelet directories hold credentials of the node and of every pod on it: a container
    that mounts them owns the node (https://kubernetes.io/docs/concepts/storage/volumes/#hostpath).

    ## Example
    ```yaml
    apiVersion: apps/v1
    kind: DaemonSet
    metadata:
      name: builder
    spec:
      selector:
        matchLabels: {app: builder}
      template:
        metadata:
          labels: {app: builder}
        spec:
          containers:
            - name: builder
              image: docker:27.3.1-cli
              volumeMounts:
                - {name: docker, mountPath: /var/run/docker.sock}
          volumes:
            - name: docker
              hostPath:
                path: /var/run/docker.sock
                type: Socket
    ```

    ## Use instead
    ```yaml
    apiVersion: apps/v1
    kind: DaemonSet
    metadata:
      name: builder
    spec:
      selector:
        matchLabels: {app: builder}
      template:
        metadata:
          labels: {app: builder}
        spec:
          containers:
            - name: builder
              image: gcr.io/kaniko-project/executor:v1.23.2
              volumeMounts:
                - {name: workspace, mountPath: /workspace}
          volumes:
            - name: workspace
              emptyDir: {}
    ```
    """
    sensitive = host_paths(ctx.index, params.paths)
    writable = host_paths(ctx.index, params.writable_paths)
    for pod in iter_pod_specs(resource, ctx.workloads):
        for i, volume in iter_maps(pod.spec, ("volumes",)):
            path = get_str(volume, ("hostPath", "path"))
            if not path:
                continue
            mounts = list(mounts_of(pod, volume.get("name")))
            writers = [c.name for c, _, ro in mounts if not ro]
            pattern = sensitive.first_match(path)
            why = WHY.get(pattern) if pattern is not None else None
            if pattern is None and writers:
                pattern = writable.first_match(path)
                why = WHY_WRITABLE.get(pattern) if pattern is not None else None
            if pattern is not None:
                detail = f" ({why})" if why else ""
            else:
                # A folder above a sensitive path hands that path over too (`/var/lib` holds `/var/lib/kubelet`).
                held = sensitive.first_below(path)
                if held is None:
                    continue
                inner = held[:-3] if held.endswith("/**") else held
                why = WHY.get(held)
                detail = f", which holds {inner!r}" + (f" ({why})" if why else "")
            if writers:
                usage = ", writable by " + ", ".join(repr(n) for n in dict.fromkeys(writers))
            elif mounts:
                usage = ", read-only"
            else:
                usage = ""
            shown = normalize_host_path(path)
            yield Violation(
                (*pod.path, "volumes", i, "hostPath", "path"),
                f"volume {volume.get('name')!r} mounts host path {shown!r}{detail}{usage}",
                at_value=True,
            )


RULE = sensitive_host_path
