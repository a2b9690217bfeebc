"""Pods that operators make from objects that are not pod templates (the builders of ``model/crds.py``).

A Tekton Task's steps are containers without a pod around them; a Flink deployment's main container gets its
image and resources from fields outside its pod template. Each builder makes the pod the operator would
create, as plain data with the field names of a PodSpec, and records path aliases: every path of the made
pod leads back to the field that was written (``WorkloadTable.real_path``), so findings are located in the
object as the user wrote it. A field the operator sets without the user writing it is not invented; a field
the user did not write and the operator does not set stays absent.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from guardlint.model.access import get
from guardlint.model.paths import FieldPath
from guardlint.model.resource import Resource
from guardlint.model.workloads import ContainerField, ContainerKind, PodSpecRef, WorkloadEntry

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

Alias = tuple[FieldPath, FieldPath]


def _map(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


# ---------------------------------------------------------------------------------------------------------
# Tekton (tekton.dev): Task, ClusterTask, TaskRun, Pipeline, PipelineRun.
#
# A TaskSpec (pkg/apis/pipeline/v1/task_types.go) holds ``steps`` and ``sidecars`` (containers: name, image,
# command, env, securityContext, volumeMounts, ...), ``stepTemplate`` (container fields every step inherits
# where it leaves them unset) and ``volumes``. In tekton.dev/v1 steps and sidecars name their resources
# ``computeResources``; in v1beta1 they embed a Container and name them ``resources``. The pod's own fields
# (securityContext, nodeSelector, tolerations, hostNetwork, ...) are not in a Task: they come from the
# ``podTemplate`` of the TaskRun or PipelineRun that runs it. So a Task's pod is ``pod_level=False``: only
# container-level rules judge it; a TaskRun's or PipelineRun's inline task gets the run's podTemplate.

TEKTON_POD_TEMPLATE_FIELDS = (
    "securityContext", "nodeSelector", "tolerations", "affinity", "volumes", "runtimeClassName",
    "automountServiceAccountToken", "dnsPolicy", "dnsConfig", "enableServiceLinks", "priorityClassName",
    "schedulerName", "imagePullSecrets", "hostAliases", "hostNetwork", "topologySpreadConstraints",
)
"""The fields of a Tekton pod template (pkg/apis/pipeline/pod/template.go) that become the pod's fields."""

STEP_ACTION_FIELDS = (
    "image", "command", "args", "script", "env", "workingDir", "securityContext", "volumeMounts",
)
"""The container fields a StepAction (tekton.dev/v1beta1, pkg/apis/pipeline/v1beta1/stepaction_types.go)
gives the step that references it (``ref``); the step keeps its own ``computeResources``."""

_TEKTON_CONTAINERS = (
    ContainerField(ContainerKind.CONTAINER, ("steps",)),
    ContainerField(ContainerKind.CONTAINER, ("sidecars",)),
)


def _tekton_container(
    item: Mapping[str, Any], path: FieldPath, template: Mapping[str, Any], template_path: FieldPath | None,
    resources_key: str, aliases: list[Alias],
) -> dict[str, Any]:
    """A step or sidecar as a Container: the stepTemplate's fields where the step leaves them unset, and
    ``computeResources`` (v1) read as ``resources``."""
    made: dict[str, Any] = {}
    for key, value in template.items():
        if template_path is not None and item.get(key) is None and key != "name":
            made[key] = value
            aliases.append(((*path, "resources" if key == resources_key else key), (*template_path, key)))
    made.update((k, v) for k, v in item.items() if v is not None)
    if resources_key != "resources":
        made.pop("resources", None)  # v1 has no such field; the API would reject it
        if resources_key in made:
            made["resources"] = made.pop(resources_key)
        if item.get(resources_key) is not None or template_path is None or resources_key not in template:
            aliases.append(((*path, "resources"), (*path, resources_key)))
    return made


def _overrides(run_spec: Mapping[str, Any], v1: bool) -> dict[str, tuple[Mapping[str, Any], FieldPath]]:
    """A TaskRun's per-step resource overrides by step name: ``stepSpecs`` (v1) or ``stepOverrides``."""
    key, res = ("stepSpecs", "computeResources") if v1 else ("stepOverrides", "resources")
    out: dict[str, tuple[Mapping[str, Any], FieldPath]] = {}
    for i, o in enumerate(_list(run_spec.get(key))):
        if isinstance(o, dict) and isinstance(o.get("name"), str) and isinstance(o.get(res), dict):
            out[o["name"]] = (o[res], ("spec", key, i, res))
    return out


def tekton_task_pod(
    resource: Resource, path: FieldPath, task: Mapping[str, Any], owner: WorkloadEntry,
    pod_template: FieldPath | None = None, pod_level: bool = False,
) -> Iterator[PodSpecRef]:
    """The pod of one TaskSpec at ``path``; ``pod_template``: the podTemplate of the run that runs it."""
    steps = _list(task.get("steps"))
    if not steps and not _list(task.get("sidecars")):
        return
    v1 = resource.version == "v1"
    resources_key = "computeResources" if v1 else "resources"
    aliases: list[Alias] = []
    template = _map(task.get("stepTemplate"))
    template_path: FieldPath = (*path, "stepTemplate")
    run_spec = _map(resource.data.get("spec")) if resource.kind == "TaskRun" else {}
    overrides = _overrides(run_spec, v1) if run_spec else {}
    task_level = run_spec.get("computeResources") if v1 else None
    made_steps: list[Any] = []
    unknown: list[FieldPath] = []
    for i, step in enumerate(steps):
        if not isinstance(step, dict):
            made_steps.append(step)
            continue
        if step.get("ref") is not None:  # a StepAction gives the image, command, env and security context
            unknown.extend((*path, "steps", i, key) for key in STEP_ACTION_FIELDS)
        c = _tekton_container(step, (*path, "steps", i), template, template_path if template else None,
                              resources_key, aliases)
        name = step.get("name")
        if isinstance(name, str) and name in overrides:
            c["resources"] = overrides[name][0]
            aliases.append(((*path, "steps", i, "resources"), overrides[name][1]))
        elif isinstance(task_level, dict) and c.get("resources") is None:
            c["resources"] = task_level  # Task-level compute resources are spread over the steps by Tekton
            aliases.append(((*path, "steps", i, "resources"), ("spec", "computeResources")))
        made_steps.append(c)
    made_sidecars = [
        _tekton_container(s, (*path, "sidecars", i), {}, None, resources_key, aliases) if isinstance(s, dict) else s
        for i, s in enumerate(_list(task.get("sidecars")))
    ]
    spec: dict[str, Any] = {"steps": made_steps, "sidecars": made_sidecars}
    if isinstance(task.get("volumes"), list):
        spec["volumes"] = task["volumes"]
    if pod_template is not None:
        pt = _map(get(resource.data, pod_template))
        for key in TEKTON_POD_TEMPLATE_FIELDS:
            aliases.append(((*path, key), (*pod_template, key)))  # set or missing, it belongs in the template
            if pt.get(key) is None:
                continue
            if key == "volumes" and "volumes" in spec:  # the task's volumes, then the template's others
                names = {v.get("name") for v in spec["volumes"] if isinstance(v, dict)}
                spec["volumes"] = [*spec["volumes"], *(v for v in _list(pt[key])
                                                       if isinstance(v, dict) and v.get("name") not in names)]
                continue
            spec[key] = pt[key]
    # Identity aliases mark the pod as made, so that ``real_path`` is consulted for it.
    aliases.append((path, path))
    yield PodSpecRef(resource, path, spec, None, {}, _TEKTON_CONTAINERS, owner, tuple(aliases), pod_level,
                     tuple(unknown))


def tekton_task(resource: Resource, path: FieldPath, value: Mapping[str, Any], owner: WorkloadEntry
                ) -> Iterator[PodSpecRef]:
    """A Task's or ClusterTask's spec: steps and sidecars only (the pod's fields come from its runs)."""
    return tekton_task_pod(resource, path, value, owner)


def tekton_task_run(resource: Resource, path: FieldPath, value: Mapping[str, Any], owner: WorkloadEntry
                    ) -> Iterator[PodSpecRef]:
    """A TaskRun's inline ``taskSpec`` with the run's ``podTemplate``."""
    return tekton_task_pod(resource, path, value, owner, ("spec", "podTemplate"), pod_level=True)


def tekton_pipeline_task(resource: Resource, path: FieldPath, value: Mapping[str, Any], owner: WorkloadEntry
                         ) -> Iterator[PodSpecRef]:
    """An inline ``taskSpec`` of a Pipeline's task (the PipelineRun gives the pod's fields)."""
    return tekton_task_pod(resource, path, value, owner)


def tekton_pipeline_run_task(resource: Resource, path: FieldPath, value: Mapping[str, Any], owner: WorkloadEntry
                             ) -> Iterator[PodSpecRef]:
    """An inline ``taskSpec`` of a PipelineRun's inline pipeline, with the run's pod template
    (``taskRunTemplate.podTemplate`` in v1, ``podTemplate`` in v1beta1). A task named in ``taskRunSpecs``
    with a pod template of its own gets that template merged over the run's by Tekton; such a task is judged
    on its containers only."""
    v1 = resource.version == "v1"
    pod_template: FieldPath = ("spec", "taskRunTemplate", "podTemplate") if v1 else ("spec", "podTemplate")
    task = get(resource.data, path[:-1])
    name = task.get("name") if isinstance(task, dict) else None
    own = "podTemplate" if v1 else "taskPodTemplate"
    for spec in _list(get(resource.data, ("spec", "taskRunSpecs"))):
        if isinstance(spec, dict) and spec.get("pipelineTaskName") == name and spec.get(own) is not None:
            return tekton_task_pod(resource, path, value, owner)
    return tekton_task_pod(resource, path, value, owner, pod_template, pod_level=True)


# ---------------------------------------------------------------------------------------------------------
# Flink (flink.apache.org FlinkDeployment, apache/flink-kubernetes-operator).
#
# ``spec.podTemplate`` is the base of both the JobManager's and the TaskManagers' pods;
# ``spec.jobManager.podTemplate`` and ``spec.taskManager.podTemplate`` are merged over it (their fields win;
# containers with the same name are merged). Flink then fills the main container ``flink-main-container``:
# its image from ``spec.image`` (and ``spec.imagePullPolicy``), its CPU and memory requests and limits from
# ``spec.jobManager.resource`` / ``spec.taskManager.resource`` (cpu, memory, ephemeralStorage), and the
# pod's service account from ``spec.serviceAccount``. A FlinkSessionJob holds no pod: it runs in the session
# cluster of the FlinkDeployment named by ``spec.deploymentName``.

FLINK_MAIN_CONTAINER = "flink-main-container"


def _flink_memory(value: Any) -> Any:
    """Flink's memory sizes are JVM sizes (``2048m`` is 2048 MiB, ``1g`` 1 GiB), not Kubernetes quantities."""
    if isinstance(value, str):
        text = value.strip()
        units = {"k": "Ki", "kb": "Ki", "m": "Mi", "mb": "Mi", "g": "Gi", "gb": "Gi", "t": "Ti", "tb": "Ti"}
        lower = text.lower()
        for suffix in sorted(units, key=len, reverse=True):
            number = lower[: -len(suffix)].strip()
            if lower.endswith(suffix) and number.replace(".", "", 1).isdigit():
                return f"{number}{units[suffix]}"
        return text
    return value


def flink_pods(resource: Resource, path: FieldPath, spec: Mapping[str, Any], owner: WorkloadEntry
               ) -> Iterator[PodSpecRef]:
    """The JobManager's and the TaskManagers' pods of a FlinkDeployment (``path`` is ``spec``)."""
    base = _map(get(spec, ("podTemplate",)))
    for role in ("jobManager", "taskManager"):
        role_spec = _map(spec.get(role))
        if role == "taskManager" and not role_spec and "job" not in spec:
            continue  # a session cluster without TaskManager settings starts TaskManagers only for jobs
        own = _map(role_spec.get("podTemplate"))
        yield _flink_pod(resource, path, spec, role, base, own)


def _flink_pod(resource: Resource, path: FieldPath, spec: Mapping[str, Any], role: str,
               base: Mapping[str, Any], own: Mapping[str, Any]) -> PodSpecRef:
    base_path: FieldPath = (*path, "podTemplate")
    own_path: FieldPath = (*path, role, "podTemplate")
    pod_path: FieldPath = (*own_path, "spec")
    aliases: list[Alias] = [(pod_path, pod_path)]
    base_spec, own_spec = _map(base.get("spec")), _map(own.get("spec"))
    made: dict[str, Any] = {}
    for key, value in base_spec.items():
        if own_spec.get(key) is None and key not in ("containers", "initContainers"):
            made[key] = value
            aliases.append(((*pod_path, key), (*base_path, "spec", key)))
    made.update((k, v) for k, v in own_spec.items() if k not in ("containers", "initContainers"))
    for field in ("containers", "initContainers"):
        merged, where = _merge_by_name(base_spec.get(field), own_spec.get(field))
        for i, (source, j) in enumerate(where):
            src = base_path if source == "base" else own_path
            aliases.append(((*pod_path, field, i), (*src, "spec", field, j)))
        if field == "containers":
            merged = _flink_main(merged, spec, role, path, pod_path, aliases)
        if merged:
            made[field] = merged
    account = spec.get("serviceAccount")
    if made.get("serviceAccountName") is None and isinstance(account, str):
        made["serviceAccountName"] = account
        aliases.append(((*pod_path, "serviceAccountName"), (*path, "serviceAccount")))
    meta = {**_map(base.get("metadata")), **_map(own.get("metadata"))}
    return PodSpecRef(resource, pod_path, made, (*own_path, "metadata"), meta,
                      (ContainerField(ContainerKind.INIT, ("initContainers",)),
                       ContainerField(ContainerKind.CONTAINER, ("containers",))),
                      WorkloadEntry(resource.group, resource.kind, ()), tuple(aliases))


def _merge_by_name(base: Any, own: Any) -> tuple[list[Any], list[tuple[str, int]]]:
    """Containers of the base template, each replaced field by field by the role's container of the same name,
    then the role's other containers; with where each came from."""
    out: list[Any] = []
    where: list[tuple[str, int]] = []
    own_by_name = {c.get("name"): i for i, c in enumerate(_list(own)) if isinstance(c, dict)}
    used: set[int] = set()
    for j, c in enumerate(_list(base)):
        if not isinstance(c, dict):
            continue
        k = own_by_name.get(c.get("name"))
        if k is not None:
            used.add(k)
            out.append({**c, **_list(own)[k]})
            where.append(("own", k))
        else:
            out.append(c)
            where.append(("base", j))
    for k, c in enumerate(_list(own)):
        if isinstance(c, dict) and k not in used:
            out.append(c)
            where.append(("own", k))
    return out, where


def _flink_main(containers: list[Any], spec: Mapping[str, Any], role: str, path: FieldPath, pod_path: FieldPath,
                aliases: list[Alias]) -> list[Any]:
    index = next((i for i, c in enumerate(containers) if c.get("name") == FLINK_MAIN_CONTAINER), None)
    if index is None:
        index = len(containers)
        containers = [*containers, {"name": FLINK_MAIN_CONTAINER}]
        aliases.append(((*pod_path, "containers", index), (*path, role)))
    main = dict(containers[index])
    cpath: FieldPath = (*pod_path, "containers", index)
    image = spec.get("image")
    if isinstance(image, str):
        main["image"] = image
        aliases.append(((*cpath, "image"), (*path, "image")))
    policy = spec.get("imagePullPolicy")
    if isinstance(policy, str):
        main["imagePullPolicy"] = policy
        aliases.append(((*cpath, "imagePullPolicy"), (*path, "imagePullPolicy")))
    resource = _map(get(spec, (role, "resource")))
    res_path: FieldPath = (*path, role, "resource")
    written = {k: dict(_map(v)) for k, v in _map(main.get("resources")).items()}
    resources = {k: dict(v) for k, v in written.items()}
    for name, key in (("cpu", "cpu"), ("memory", "memory"), ("ephemeral-storage", "ephemeralStorage")):
        for section in ("requests", "limits"):  # set or missing, Flink takes them from the role's resource
            aliases.append(((*cpath, "resources", section, name), (*res_path, key)))
        value = resource.get(key)
        if value is None:
            continue
        value = _flink_memory(value) if name != "cpu" else value
        for section in ("requests", "limits"):
            resources.setdefault(section, {})[name] = value
    if resources:
        main["resources"] = resources
    if not written:
        aliases.append(((*cpath, "resources"), res_path))
    elif "requests" not in written:
        aliases.append(((*cpath, "resources", "requests"), res_path))
    return [*containers[:index], main, *containers[index + 1:]]


# ---------------------------------------------------------------------------------------------------------
# Spark (sparkoperator.k8s.io SparkApplication and ScheduledSparkApplication, kubeflow/spark-operator v1beta2).
#
# ``driver`` and ``executor`` are SparkPodSpecs: container and pod fields side by side, not a pod template.
# Spark makes one pod per role (one driver, ``instances`` executors) with the container
# ``spark-kubernetes-driver`` or ``spark-kubernetes-executor``:
# - image: the role's ``image``, else ``spec.image``; pull policy ``spec.imagePullPolicy``;
# - CPU: the request is the role's ``coreRequest``, else its ``cores``, else Spark's default of 1 core (so a
#   request is always set); the limit is ``coreLimit`` and only that;
# - memory: request and limit both ``memory`` (Spark's default 1g) plus the overhead: ``memoryOverhead``,
#   else ``memoryOverheadFactor`` (default 0.1 for JVM jobs, 0.4 for Python and R) times the memory, at
#   least 384 MiB. Spark's sizes are JVM sizes: ``512m`` is 512 MiB, a bare number is MiB;
# - ``gpu: {name, quantity}`` becomes a limit of that resource;
# - the container's securityContext, env, envFrom, volumeMounts, ports and lifecycle are the role's;
#   ``sidecars`` and ``initContainers`` are containers of the pod as written;
# - the pod's securityContext is ``podSecurityContext``, its service account ``serviceAccount`` (an executor
#   without one runs as the driver's), its volumes
#   those of ``spec.volumes`` that the role's containers mount, its image pull secrets ``spec.imagePullSecrets``
#   (names); nodeSelector is the role's, else ``spec.nodeSelector``.
# A role's ``template`` (a PodTemplateSpec merged by Spark 3's pod template feature) is not read.

SPARK_CONTAINER = {"driver": "spark-kubernetes-driver", "executor": "spark-kubernetes-executor"}
_SPARK_POD_FIELDS = (
    "hostNetwork", "tolerations", "affinity", "schedulerName", "dnsConfig", "hostAliases", "shareProcessNamespace",
    "terminationGracePeriodSeconds", "priorityClassName",
)
_SPARK_CONTAINER_FIELDS = ("securityContext", "env", "envFrom", "volumeMounts", "ports", "lifecycle")
_JVM_UNITS = {"k": 1 / 1024, "m": 1, "g": 1024, "t": 1024 * 1024, "p": 1024 ** 3}


def spark_mebibytes(value: Any) -> float | None:
    """A JVM memory size (``512m``, ``2g``, ``1024``) in MiB, or None when it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if not isinstance(value, str):
        return None
    text = value.strip().lower()
    if text.endswith("b") and len(text) > 1 and text[-2] in _JVM_UNITS:
        text = text[:-1]
    unit = 1.0
    if text and text[-1] in _JVM_UNITS:
        unit, text = _JVM_UNITS[text[-1]], text[:-1]
    try:
        number = float(text)
    except ValueError:
        return None
    return number * unit if number >= 0 else None


def spark_pods(resource: Resource, path: FieldPath, spec: Mapping[str, Any], owner: WorkloadEntry
               ) -> Iterator[PodSpecRef]:
    """The driver's and the executors' pods of a SparkApplication spec at ``path``."""
    for role in ("driver", "executor"):
        yield _spark_pod(resource, path, spec, role, owner)


def _spark_major(spec: Mapping[str, Any]) -> int:
    """The major version of ``spec.sparkVersion`` (``3.5.3`` -> 3), or 0 when it is missing or not a version."""
    version = spec.get("sparkVersion")
    major = str(version).partition(".")[0].strip() if isinstance(version, (str, int, float)) else ""
    return int(major) if major.isdigit() else 0


def _spark_memory(spec: Mapping[str, Any], role_spec: Mapping[str, Any]) -> str | None:
    memory = spark_mebibytes(role_spec.get("memory", "1g"))
    if memory is None:
        return None
    overhead = spark_mebibytes(role_spec["memoryOverhead"]) if role_spec.get("memoryOverhead") is not None else None
    if overhead is None:
        factor_text = spec.get("memoryOverheadFactor")
        try:
            factor = float(factor_text) if factor_text is not None else None
        except (TypeError, ValueError):
            factor = None
        if factor is None:
            factor = 0.4 if spec.get("type") in ("Python", "R") else 0.1
        overhead = max(384.0, factor * memory)
    return f"{int(-(-(memory + overhead) // 1))}Mi"


def _spark_pod(resource: Resource, path: FieldPath, spec: Mapping[str, Any], role: str, owner: WorkloadEntry
               ) -> PodSpecRef:
    role_spec = _map(spec.get(role))
    pod_path: FieldPath = (*path, role)
    main_path: FieldPath = (*pod_path, "containers", 0)
    aliases: list[Alias] = [(pod_path, pod_path), (main_path, pod_path)]
    main: dict[str, Any] = {"name": SPARK_CONTAINER[role]}
    image_at = "image" if isinstance(role_spec.get("image"), str) else None
    image = role_spec.get("image") if image_at else spec.get("image")
    if isinstance(image, str):
        main["image"] = image
    aliases.append(((*main_path, "image"), (*pod_path, "image") if image_at else (*path, "image")))
    if isinstance(spec.get("imagePullPolicy"), str):
        main["imagePullPolicy"] = spec["imagePullPolicy"]
    aliases.append(((*main_path, "imagePullPolicy"), (*path, "imagePullPolicy")))
    for key in _SPARK_CONTAINER_FIELDS:
        if role_spec.get(key) is not None:
            main[key] = role_spec[key]
    cpu_key = "coreRequest" if role_spec.get("coreRequest") is not None else "cores"
    requests: dict[str, Any] = {"cpu": role_spec.get(cpu_key, 1)}
    limits: dict[str, Any] = {}
    # Fields a SparkPodSpec has no place for (an ephemeral-storage request) keep their name under the role.
    aliases.append(((*main_path, "resources"), (*pod_path, "resources")))
    aliases.append(((*main_path, "resources", "requests", "cpu"), (*pod_path, cpu_key)))
    aliases.append(((*main_path, "resources", "limits", "cpu"), (*pod_path, "coreLimit")))
    if role_spec.get("coreLimit") is not None:
        limits["cpu"] = role_spec["coreLimit"]
    memory = _spark_memory(spec, role_spec)
    if memory is not None:
        requests["memory"] = limits["memory"] = memory
    for section in ("requests", "limits"):
        aliases.append(((*main_path, "resources", section, "memory"), (*pod_path, "memory")))
    gpu = _map(role_spec.get("gpu"))
    if isinstance(gpu.get("name"), str) and gpu["name"] and gpu.get("quantity") is not None:
        limits[gpu["name"]] = gpu["quantity"]
        aliases.append(((*main_path, "resources", "limits", gpu["name"]), (*pod_path, "gpu")))
    main["resources"] = {"requests": requests, **({"limits": limits} if limits else {})}
    containers: list[Any] = [main]
    for i, sidecar in enumerate(_list(role_spec.get("sidecars"))):
        containers.append(sidecar)
        aliases.append(((*pod_path, "containers", i + 1), (*pod_path, "sidecars", i)))
    made: dict[str, Any] = {"containers": containers}
    if isinstance(role_spec.get("initContainers"), list):
        made["initContainers"] = role_spec["initContainers"]
    for key in _SPARK_POD_FIELDS:
        if role_spec.get(key) is not None:
            made[key] = role_spec[key]
    if role_spec.get("podSecurityContext") is not None:
        made["securityContext"] = role_spec["podSecurityContext"]
    aliases.append(((*pod_path, "securityContext"), (*pod_path, "podSecurityContext")))
    account_role = role
    if (role == "executor" and role_spec.get("serviceAccount") is None
            and _map(spec.get("driver")).get("serviceAccount") is not None and _spark_major(spec) >= 3):
        # Spark 3's executor credentials step (ExecutorKubernetesCredentialsFeatureStep, which came with pod
        # templates): an executor without an account of its own runs as the driver's, which the operator passes
        # as spark.kubernetes.authenticate.driver.serviceAccountName; the namespace's default only without
        # either. Spark 2.4 left executors on the default account.
        account_role = "driver"
    account = _map(spec.get(account_role)).get("serviceAccount")
    if account is not None:
        made["serviceAccountName"] = account
    aliases.append(((*pod_path, "serviceAccountName"), (*path, account_role, "serviceAccount")))
    selector_at = pod_path if role_spec.get("nodeSelector") is not None else path
    selector = role_spec.get("nodeSelector", spec.get("nodeSelector"))
    if selector is not None:
        made["nodeSelector"] = selector
    aliases.append(((*pod_path, "nodeSelector"), (*selector_at, "nodeSelector")))
    mounted = {m.get("name") for c in [main, *containers[1:], *_list(made.get("initContainers"))]
               if isinstance(c, dict) for m in _list(c.get("volumeMounts")) if isinstance(m, dict)}
    volumes: list[Any] = []
    for j, volume in enumerate(_list(spec.get("volumes"))):
        if isinstance(volume, dict) and volume.get("name") in mounted:
            aliases.append(((*pod_path, "volumes", len(volumes)), (*path, "volumes", j)))
            volumes.append(volume)
    if volumes:
        made["volumes"] = volumes
    secrets = [{"name": s} for s in _list(spec.get("imagePullSecrets")) if isinstance(s, str)]
    if secrets:
        made["imagePullSecrets"] = secrets
        for j in range(len(secrets)):
            aliases.append(((*pod_path, "imagePullSecrets", j), (*path, "imagePullSecrets", j)))
    # A SparkPodSpec keeps the pod's labels and annotations beside its other fields, where a pod template's
    # metadata would hold them: the role's path serves as the metadata path.
    meta = {k: role_spec[k] for k in ("labels", "annotations") if isinstance(role_spec.get(k), dict)}
    return PodSpecRef(resource, pod_path, made, pod_path, meta,
                      (ContainerField(ContainerKind.INIT, ("initContainers",)),
                       ContainerField(ContainerKind.CONTAINER, ("containers",))),
                      owner, tuple(aliases))
