"""missing-config-map: a pod refers to a ConfigMap that does not exist."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.rules.api import Reference, Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.resources._refs import missing_references

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


@rule(
    code="RES068",
    name="missing-config-map",
    # Gate: the rule yields nothing when this does not hold: it reports the references `_refs.object_references`
    # finds, each in one of the fields the gate looks at.
    gates=("references",),
    pods_only=True,
    title="Pod refers to a ConfigMap that does not exist",
    severity=Severity.WARNING,
    pack="resources",
    since="0.1.0",
    tags=("consistency",),
    remediation="Create the ConfigMap in the pod's namespace, fix the name, mark the reference optional: true, "
    "or list it under known-objects.",
    references=(
        Reference("Kubernetes: Configure a Pod to Use a ConfigMap", "https://kubernetes.io/docs/tasks/configure-pod-container/configure-pod-configmap/"),
    ),
)
def missing_config_map(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports references to ConfigMaps from pod templates of every workload kind (`configMap` volumes,
    projected volume sources, `env[].valueFrom.configMapKeyRef` and `envFrom[].configMapRef` of every
    container) that name a ConfigMap not among the linted objects in the same namespace. References with
    `optional: true`, the `kube-root-ca.crt` ConfigMap that Kubernetes publishes in every namespace, and names
    produced by a kustomize `configMapGenerator` among the linted objects are not reported.

    Missing-object policy: pre-commit passes only the changed files and charts reference objects that live
    elsewhere, so a reference is reported only when the run is not partial (or `--context` covers the namespace),
    the linted set holds at least one ConfigMap in the pod's namespace (or config declares the namespace complete),
    and the ConfigMap is neither among the linted objects nor listed under `known-objects` in config. Objects
    without a namespace (their namespace is chosen at apply time) are judged only against linted objects in their
    own directory tree. Nor is a reference reported when something may create the object at run time: a linted Role
    in scope, or any linted ClusterRole, that grants `create` on that kind, or a custom resource in scope that an
    operator may turn into one.

    ## Why is this bad?
    The kubelet cannot start a container whose ConfigMap is missing: the pod stays in
    `ContainerCreating` (volume) or `CreateContainerConfigError` (environment) until the ConfigMap appears
    (Kubernetes documentation, "Configure a Pod to Use a ConfigMap").

    ## Example
    ```yaml
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: web-config
    data:
      LOG_LEVEL: info
    ---
    apiVersion: v1
    kind: Pod
    metadata:
      name: web
    spec:
      containers:
        - name: web
          image: nginx:1.27
          envFrom:
            - configMapRef: {name: web-settings}
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: web-config
    data:
      LOG_LEVEL: info
    ---
    apiVersion: v1
    kind: Pod
    metadata:
      name: web
    spec:
      containers:
        - name: web
          image: nginx:1.27
          envFrom:
            - configMapRef: {name: web-config}
    ```
    """
    yield from missing_references(resource, ctx, "ConfigMap")


RULE = missing_config_map
