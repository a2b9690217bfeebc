"""invalid-pod-spec: a pod spec the API server rejects for a reason no schema states (no containers, a container,
hostname or subdomain that is not a DNS label, an environment variable name or source, a container restartPolicy)."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.model.names import LABEL_REASON, dns_label_reasons
from guardlint.model.ports import is_unrendered
from guardlint.model.workloads import ContainerKind, iter_containers, iter_pod_specs
from guardlint.rules.api import Reference, Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.resources.invalid_volume_mount import KUBERNETES_POD_KINDS

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

RELAXED_ENV_NAMES_SINCE = (1, 32)
"""RelaxedEnvironmentVariableValidation (KEP-4369): alpha in 1.30, beta and on by default from 1.32 (GA 1.34).
From then on an environment variable name may hold any printable ASCII character but '='."""

ENV_NAME_REASON = ("a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or "
                   "'.', and must not start with a digit")
RELAXED_ENV_NAME_REASON = ("a valid environment variable name must consist only of printable ASCII characters "
                           "other than '='")
STATEFULSET_SERVICE_NAME_SINCE = (1, 33)
"""kubernetes/kubernetes#130233 (1.33, the release whose schema stops requiring ``serviceName``):
``ValidateStatefulSetSpec`` checks a non-empty ``serviceName`` as a DNS label. Before, the API accepted the
StatefulSet and rejected each of its pods, whose ``subdomain`` the controller sets to ``serviceName``."""
APPARMOR_FIELDS_SINCE = (1, 30)
"""The ``appArmorProfile`` fields (KEP-24; AppArmorFields on by default from 1.30): from then on
``validateAppArmorAnnotationsAndFieldsMatchOnCreate`` rejects a pod whose container annotation
``container.apparmor.security.beta.kubernetes.io/<name>`` says another profile than the container's field (or, when
the container sets none, the pod's). KEP-24 keeps this check for as long as the annotation is read."""
APPARMOR_ANNOTATION_PREFIX = "container.apparmor.security.beta.kubernetes.io/"
CONTAINER_RESTART_POLICY_SINCE = (1, 28)
"""The container ``restartPolicy`` field (SidecarContainers, KEP-753) exists from 1.28: from then on
``validateContainers`` forbids it on a regular container ("may not be set for non-init containers") and the
ephemeral-container allow list on an ephemeral one; before, it is an unknown field (unknown-field's)."""
SIDECARS_SINCE = (1, 29)
"""SidecarContainers: alpha (off by default) in 1.28, beta and on by default from 1.29. With the gate off
``dropDisabledPodFields`` clears an init container's ``restartPolicy`` before validation, so only from 1.29 does
``validateInitContainerRestartPolicy`` reject a value other than ``Always``."""
CONTAINER_RESTART_RULES_SINCE = (1, 35)
"""ContainerRestartRules (KEP-5307): alpha (off by default) in 1.34, beta and on by default from 1.35: containers
may then set their own ``restartPolicy`` (and ``restartPolicyRules``), so from 1.35 a container's
``restartPolicy`` is not judged here."""
ENV_SOURCES = ("fieldRef", "resourceFieldRef", "configMapKeyRef", "secretKeyRef", "fileKeyRef")
"""``validateEnvVarValueFrom``'s sources (``fileKeyRef``: EnvFiles, 1.34; before, it is an unknown field)."""

_ENV_FIRST = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-._"
_ENV_REST = _ENV_FIRST + "0123456789"


def env_name_reasons(name: str, version: tuple[int, int]) -> tuple[str, ...]:
    """``IsEnvVarName`` (before 1.32) or ``IsRelaxedEnvVarName`` (from 1.32) for a non-empty name."""
    if version >= RELAXED_ENV_NAMES_SINCE:
        # printable ASCII: space (0x20) to '~' (0x7e)
        return () if all(" " <= ch <= "~" and ch != "=" for ch in name) else (RELAXED_ENV_NAME_REASON,)
    reasons: tuple[str, ...] = ()
    if not (name[0] in _ENV_FIRST and not name.strip(_ENV_REST)):
        reasons = (ENV_NAME_REASON,)
    # hasChDirPrefix
    if name in (".", ".."):
        reasons += (f"must not be '{name}'",)
    elif name.startswith(".."):
        reasons += ("must not start with '..'",)
    return reasons


def _label_text(reasons: tuple[str, ...]) -> str:
    return "; ".join("not a DNS label: " + r if r == LABEL_REASON else r for r in reasons)


@rule(
    code="RES114",
    name="invalid-pod-spec",
    pods_only=True,
    title="Pod spec that the API rejects: no containers, names or environment variables",
    severity=Severity.ERROR,
    pack="resources",
    since="0.3.0",
    status="preview",
    tags=("consistency", "api-rejects"),
    remediation="Give the pod at least one container; name containers, the hostname, the subdomain and a "
    "StatefulSet's serviceName with DNS labels (lowercase letters, digits and '-'); name environment variables "
    "with letters, digits, '_', '-' and '.' (not starting with a digit) for clusters before Kubernetes 1.32; give "
    "each env entry either a value or one valueFrom source; before Kubernetes 1.35 set a container restartPolicy "
    "only on init containers, and only to Always.",
    kinds=tuple(sorted({k for _, k in KUBERNETES_POD_KINDS})),
    references=(
        Reference("Kubernetes API: PodSpec",
                  "https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/#PodSpec"),
        Reference("Kubernetes: Define environment variables for a container",
                  "https://kubernetes.io/docs/tasks/inject-data-application/define-environment-variable-container/"),
    ),
)
def invalid_pod_spec(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports, in the pods of Kubernetes' own workloads (Pod, Deployment, ReplicaSet, StatefulSet, DaemonSet, Job,
    CronJob, ReplicationController, PodTemplate), what the API server's pod validation rejects beyond the schema,
    with its reason:

    - `containers: []`: a pod needs at least one container (`Required value`; a missing `containers` is
      `missing-required-field`'s);
    - a container, init container or ephemeral container whose `name` is empty or not a DNS label (at most 63
      lowercase letters, digits and `-`, starting and ending with a letter or digit; names used twice are
      `duplicate-container-name`'s);
    - a pod `hostname` or `subdomain` that is not a DNS label, and a StatefulSet `serviceName` that is not one
      (it becomes its pods' `subdomain`: from Kubernetes 1.33 the API rejects the StatefulSet, before it
      accepts the StatefulSet and rejects each of its pods);
    - an `env` name, or an `envFrom` prefix, that the target Kubernetes version rejects: before 1.32 only
      letters, digits, `_`, `-` and `.`, not starting with a digit and not `.`, `..` or starting with `..`;
      from 1.32 (`RelaxedEnvironmentVariableValidation`, on by default) any printable ASCII character but `=`.
      An empty `env` name is reported for every version;
    - an `env` entry whose `valueFrom` names no source (`valueFrom: {}`), more than one source (`secretKeyRef`
      and `configMapKeyRef`), or comes with a non-empty `value`;
    - from Kubernetes 1.30, a container whose AppArmor annotation
      (`container.apparmor.security.beta.kubernetes.io/<container>`) names another profile than its
      `securityContext.appArmorProfile`, or, when the container sets none, the pod's (`unconfined` goes with
      `Unconfined`, `runtime/default` with `RuntimeDefault`, `localhost/<name>` with `Localhost` and
      `localhostProfile: <name>`); Windows pods are not checked, as the API does not check them;
    - a container `restartPolicy` from Kubernetes 1.28 up to 1.34: on a regular or ephemeral container (only init
      containers may set it), and on an init container any value but `Always` from 1.29 (`SidecarContainers`, on
      by default from 1.29; in 1.28 the field is dropped). From 1.35 `ContainerRestartRules` (on by default)
      lets containers set their own restart policy, so the field is not judged there;
    - on a Pod (not a pod template), `ephemeralContainers` (`cannot be set on create`: they are added to a
      running pod through their subresource; from 1.23) and a `nodeName` next to `schedulingGates` (`cannot be
      set until all schedulingGates have been cleared`; from 1.27). Before those versions the feature is off by
      default and the API drops the field.

    The target version is the `kubernetes-version` setting. A kustomize patch or another fragment is not judged
    for `containers: []`; names with an unrendered placeholder are not judged; an operator's custom resource is
    not judged (its controller builds the pods).

    ## Why is this bad?
    The API server rejects the pod, and with it the workload whose template it is
    (`spec.template.spec.containers[0].name: Invalid value: "web_server": a lowercase RFC 1123 label must
    consist of ...`). Variables named after Java properties (`spring.profiles active`) or with `=` fail on every
    version, and names with spaces or starting with a digit fail on clusters older than 1.32. A `valueFrom` with
    two sources is what a merge of an old and a new manifest often leaves (`may not have more than one field
    specified at a time`), and `restartPolicy: Never` on an init container, copied from newer examples, fails
    on clusters 1.29 to 1.34 (`Unsupported value: "Never": supported values: "Always"`).

    ## Example
    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: web
    spec:
      containers:
        - name: web_server
          image: example.com/web:1.4.2
          env:
            - name: 1ST_RUN
              value: "true"
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: web
    spec:
      containers:
        - name: web-server
          image: example.com/web:1.4.2
          env:
            - name: FIRST_RUN
              value: "true"
    ```
    """
    if (resource.group, resource.kind) not in KUBERNETES_POD_KINDS:
        return
    version = ctx.kubernetes_version
    if resource.kind == "StatefulSet":
        yield from _service_name_problems(resource, version)
    elif resource.kind == "Pod":
        yield from _pod_create_problems(resource.data.get("spec"), version)
    for pod in iter_pod_specs(resource, ctx.workloads):
        spec = pod.spec
        if spec.get("containers") == []:
            from guardlint.model.patches import is_patch

            if not is_patch(resource, ctx.index):
                yield Violation((*pod.path, "containers"), "the API rejects a pod without containers: "
                                "spec.containers: Required value", at_value=True)
        for key in ("hostname", "subdomain"):
            value = spec.get(key)
            if isinstance(value, str) and value and not is_unrendered(value):
                reasons = dns_label_reasons(value)
                if reasons:
                    yield Violation((*pod.path, key), f"the API rejects the pod's {key} {value!r}: "
                                    f"{_label_text(reasons)}", at_value=True)
        apparmor = _apparmor_context(pod, version)
        for c in iter_containers(pod):
            data = c.data
            name = data.get("name")
            if name == "":
                yield Violation((*c.path, "name"), f"the API rejects a {c.kind.value} entry with an empty name "
                                "(Required value)", at_value=True)
            elif isinstance(name, str) and not is_unrendered(name):
                reasons = dns_label_reasons(name)
                if reasons:
                    yield Violation((*c.path, "name"), f"the API rejects the name of {c.describe()}: "
                                    f"{_label_text(reasons)}", at_value=True)
            yield from _env_problems(c.describe(), data, c.path, version)
            if apparmor is not None:
                yield from _apparmor_mismatch(c, apparmor)
            if CONTAINER_RESTART_POLICY_SINCE <= version < CONTAINER_RESTART_RULES_SINCE:
                yield from _restart_policy_problems(c, version)


def _env_problems(who: str, data: Any, at: tuple[Any, ...], version: tuple[int, int]) -> Iterator[Violation]:
    env = data.get("env")
    if isinstance(env, list):
        for i, item in enumerate(env):
            name = item.get("name") if isinstance(item, dict) else None
            if not isinstance(name, str) or is_unrendered(name):
                continue
            if name == "":
                yield Violation((*at, "env", i, "name"), f"the API rejects an env entry of {who} with an empty "
                                "name (Required value)", at_value=True)
                continue
            reasons = env_name_reasons(name, version)
            if reasons:
                yield Violation((*at, "env", i, "name"), f"the API rejects environment variable {name!r} of {who}: "
                                f"{'; '.join(reasons)}", at_value=True)
    yield from _value_from_problems(who, env, at)
    env_from = data.get("envFrom")
    if isinstance(env_from, list):
        for i, item in enumerate(env_from):
            prefix = item.get("prefix") if isinstance(item, dict) else None
            if not isinstance(prefix, str) or not prefix or is_unrendered(prefix):
                continue
            reasons = env_name_reasons(prefix, version)
            if reasons:
                yield Violation((*at, "envFrom", i, "prefix"), f"the API rejects envFrom prefix {prefix!r} of "
                                f"{who}: {'; '.join(reasons)}", at_value=True)


EPHEMERAL_CONTAINERS_SINCE = (1, 23)
"""EphemeralContainers: alpha (off by default) from 1.16, beta and on by default from 1.23. With the gate off
``dropDisabledPodFields`` clears ``ephemeralContainers`` before validation, so only from 1.23 does
``ValidatePodCreate`` see them and reject the Pod."""
SCHEDULING_GATES_SINCE = (1, 27)
"""PodSchedulingReadiness: alpha (off by default) in 1.26, beta and on by default from 1.27 (kube_features.go). With
the gate off ``dropDisabledPodFields`` clears ``schedulingGates`` (before 1.26 an unknown field), so only from
1.27 does ``ValidatePodCreate`` reject a ``nodeName`` next to them."""


def _pod_create_problems(spec: Any, version: tuple[int, int]) -> Iterator[Violation]:
    """``ValidatePodCreate``'s checks of a Pod (not of a pod template): ephemeral containers are added later through
    their subresource, and a pod is not bound to a node while scheduling gates remain (each from the version whose
    feature gate is on by default: before, the field is dropped and the Pod accepted)."""
    if not isinstance(spec, dict):
        return
    ephemeral = spec.get("ephemeralContainers")
    if isinstance(ephemeral, list) and ephemeral and version >= EPHEMERAL_CONTAINERS_SINCE:
        yield Violation(("spec", "ephemeralContainers"), "the API rejects a Pod created with ephemeralContainers: "
                        "Forbidden: cannot be set on create (they are added to a running pod with kubectl debug, "
                        "through the ephemeralcontainers subresource)")
    node = spec.get("nodeName")
    gates = spec.get("schedulingGates")
    if isinstance(node, str) and node and isinstance(gates, list) and gates and version >= SCHEDULING_GATES_SINCE:
        yield Violation(("spec", "nodeName"), f"the API rejects nodeName {node!r} next to schedulingGates: "
                        "Forbidden: cannot be set until all schedulingGates have been cleared", at_value=True)


def _service_name_problems(resource: Resource, version: tuple[int, int]) -> Iterator[Violation]:
    """A StatefulSet's ``serviceName`` becomes its pods' ``subdomain``: a DNS label."""
    spec = resource.data.get("spec")
    name = spec.get("serviceName") if isinstance(spec, dict) else None
    if not isinstance(name, str) or not name or is_unrendered(name):
        return
    reasons = dns_label_reasons(name)
    if not reasons:
        return
    if version >= STATEFULSET_SERVICE_NAME_SINCE:
        message = f"the API rejects serviceName {name!r}: {_label_text(reasons)}"
    else:
        message = (f"serviceName {name!r} becomes the subdomain of every pod the StatefulSet makes, and the API "
                   f"rejects those pods: {_label_text(reasons)} (from Kubernetes 1.33 it rejects the StatefulSet)")
    yield Violation(("spec", "serviceName"), message, at_value=True)


def _apparmor_context(pod: Any, version: tuple[int, int]) -> tuple[dict[str, Any], Any, tuple[Any, ...]] | None:
    """The pod's annotations, its pod-level ``appArmorProfile`` and that profile's path, when the AppArmor
    annotation/field check applies (1.30 on, a pod that is not a Windows pod, with an AppArmor annotation)."""
    if version < APPARMOR_FIELDS_SINCE or not pod.pod_level:
        return None
    annotations = pod.metadata.get("annotations")
    if not isinstance(annotations, dict) or not any(
            isinstance(k, str) and k.startswith(APPARMOR_ANNOTATION_PREFIX) for k in annotations):
        return None
    os_field = pod.spec.get("os")
    if isinstance(os_field, dict) and os_field.get("name") == "windows":
        return None
    context = pod.spec.get("securityContext")
    profile = context.get("appArmorProfile") if isinstance(context, dict) else None
    return annotations, profile, (*pod.path, "securityContext", "appArmorProfile")


def _apparmor_mismatch(c: Any, apparmor: tuple[dict[str, Any], Any, tuple[Any, ...]]) -> Iterator[Violation]:
    """``validateAppArmorAnnotationsAndFieldsMatchOnCreate`` for one container."""
    annotations, profile, at = apparmor
    annotation = annotations.get(APPARMOR_ANNOTATION_PREFIX + c.name)
    if not isinstance(annotation, str) or is_unrendered(annotation):
        return
    context = c.data.get("securityContext")
    own = context.get("appArmorProfile") if isinstance(context, dict) else None
    if own is not None:
        profile, at = own, (*c.path, "securityContext", "appArmorProfile")
    if not isinstance(profile, dict):
        return
    kind = profile.get("type")
    local = profile.get("localhostProfile")
    whose = "its" if own is not None else "the pod's"
    if kind == "Unconfined":
        mismatch = annotation != "unconfined"
    elif kind == "RuntimeDefault":
        mismatch = annotation != "runtime/default"
    elif kind == "Localhost":
        mismatch = not annotation.startswith("localhost/")
        if not mismatch and annotation[len("localhost/"):] != local:
            if isinstance(local, str) and is_unrendered(local):
                return
            yield Violation((*at, "localhostProfile") if local is not None else (*at, "type"),
                            f"the API rejects the AppArmor profile of {c.describe()}: annotation {annotation!r} and "
                            f"{whose} appArmorProfile (Localhost {local!r}) differ: apparmor profile in annotation "
                            "and field must match", at_value=local is not None)
            return
    else:
        return
    if mismatch:
        yield Violation((*at, "type"), f"the API rejects the AppArmor profile of {c.describe()}: annotation "
                        f"{annotation!r} and {whose} appArmorProfile type {kind} differ: apparmor type in annotation "
                        "and field must match", at_value=True)


def _value_from_problems(who: str, env: Any, at: tuple[Any, ...]) -> Iterator[Violation]:
    """``validateEnvVarValueFrom``: a ``valueFrom`` names exactly one source, and only when ``value`` is empty."""
    if not isinstance(env, list):
        return
    for i, item in enumerate(env):
        source = item.get("valueFrom") if isinstance(item, dict) else None
        if not isinstance(source, dict):
            continue
        name = item.get("name")
        var = f"environment variable {name!r}" if isinstance(name, str) and name else f"env entry {i}"
        count = sum(1 for key in ENV_SOURCES if source.get(key) is not None)
        value = item.get("value")
        where = (*at, "env", i, "valueFrom")
        if count == 0:
            if not source:  # an unknown key alone is unknown-field's
                yield Violation(where, f"the API rejects {var} of {who}: valueFrom must specify one of: `fieldRef`, "
                                "`resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`")
        elif isinstance(value, str) and value:
            yield Violation(where, f"the API rejects {var} of {who}: valueFrom may not be specified when `value` "
                            "is not empty")
        elif count > 1:
            named = ", ".join(key for key in ENV_SOURCES if source.get(key) is not None)
            yield Violation(where, f"the API rejects {var} of {who}: valueFrom may not have more than one field "
                            f"specified at a time ({named})")


def _restart_policy_problems(c: Any, version: tuple[int, int]) -> Iterator[Violation]:
    """A container's ``restartPolicy`` from 1.28 up to 1.34: only an init container may set it, and only to
    ``Always`` (from 1.29, when SidecarContainers is on by default)."""
    policy = c.data.get("restartPolicy")
    if policy is None or not isinstance(policy, str) or is_unrendered(policy):
        return
    where = (*c.path, "restartPolicy")
    if c.kind is ContainerKind.INIT:
        if version >= SIDECARS_SINCE and policy != "Always":
            yield Violation(where, f"the API rejects restartPolicy {policy!r} of {c.describe()}: Unsupported value: "
                            "supported values: \"Always\" (an init container either runs to completion or, with "
                            "Always, is a sidecar)", at_value=True)
    elif c.kind is ContainerKind.CONTAINER:
        yield Violation(where, f"the API rejects restartPolicy on {c.describe()}: Forbidden: may not be set for "
                        f"non-init containers (Kubernetes {version[0]}.{version[1]}; ContainerRestartRules, on by "
                        "default from 1.35, allows per-container restart policies)", at_value=True)
    else:
        yield Violation(where, f"the API rejects restartPolicy on {c.describe()}: Forbidden: cannot be set for an "
                        "Ephemeral Container", at_value=True)


RULE = invalid_pod_spec
