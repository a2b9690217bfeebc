"""Pod-template table rows for custom resources (AI, batch and delivery CRDs).

Each row says where a custom resource keeps the pods its operator creates, keyed on API group and kind
(and versions where one kind has different shapes across versions). Paths use ``"*"`` for every list item
or map value. Source, per row: the project's published Go API types (field names and JSON tags); where a shape
is not obvious, the comment above the row names the type file (for example KServe's
``pkg/apis/serving/v1beta1/predictor.go``). ``tests/rules/test_gpu_workloads.py`` and the rule fixtures pin
the rows' paths.

Shapes that are *not* pod templates are deliberately absent, because reading them as pods would make every
container rule report fields the operator fills in: TrainJob (``spec.trainer`` is a flattened trainer
container and ``runtimePatches`` are partial patches), NIMService, DynamoGraphDeployment and the KServe
LLMInferenceServiceConfig presets. The GPU pack reads their resource fields directly, and structural
detection (``model/embedded.py``) leaves them alone.

Where an operator makes the pod from fields that are not a pod template but can be mapped exactly (Tekton
steps, Flink's image and resources), a row names a builder (``model/operators.py``) that makes the pod and
leads every finding back to the field that was written; Spark's flattened ``driver``/``executor`` specs are
mapped field by field the way Spark builds its pods.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from guardlint.model.access import get
from guardlint.model.paths import FieldPath
from guardlint.model.resource import Resource
from guardlint.model.workloads import (
    DEFAULT_CONTAINERS,
    POD_SPEC_FIELDS,
    ContainerField,
    ContainerKind,
    PodBuilder,
    PodSpecRef,
    TemplateKind,
    TemplatePath,
    WorkloadEntry,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def _builder(name: str) -> PodBuilder:
    """A builder of ``model/operators.py``, imported when an object of its kind is first linted (the module
    stays out of the start-up of runs that lint no Tekton, Flink or Spark object)."""

    def build(resource: Resource, path: FieldPath, value: Mapping[str, Any], owner: WorkloadEntry
              ) -> Iterator[PodSpecRef]:
        from guardlint.model import operators

        made: Iterator[PodSpecRef] = getattr(operators, name)(resource, path, value, owner)
        return made

    build.__name__ = name
    return build


tekton_task = _builder("tekton_task")
tekton_task_run = _builder("tekton_task_run")
tekton_pipeline_task = _builder("tekton_pipeline_task")
tekton_pipeline_run_task = _builder("tekton_pipeline_run_task")
flink_pods = _builder("flink_pods")
spark_pods = _builder("spark_pods")

_PTS = TemplateKind.POD_TEMPLATE
_PS = TemplateKind.POD_SPEC
_OBJ = TemplateKind.OBJECT


def _path(dotted: str) -> tuple[str, ...]:
    return tuple(p for p in dotted.split(".") if p)


def _pts(*paths: str) -> tuple[TemplatePath, ...]:
    return tuple(TemplatePath(_path(p), _PTS) for p in paths)


def _single(key: str) -> ContainerField:
    return ContainerField(ContainerKind.CONTAINER, (key,), single=True)


# KServe v1beta1 PredictorSpec: an inline PodSpec plus one inline Container per model framework
# (pkg/apis/serving/v1beta1/predictor.go: sklearn, xgboost, tensorflow, pytorch, triton, onnx,
# huggingface, pmml, lightgbm, paddle, model).
_KSERVE_PREDICTOR_FRAMEWORKS = (
    "model", "sklearn", "xgboost", "tensorflow", "pytorch", "triton", "onnx", "huggingface", "pmml",
    "lightgbm", "paddle",
)
_KSERVE_PREDICTOR = (*DEFAULT_CONTAINERS, *(_single(k) for k in _KSERVE_PREDICTOR_FRAMEWORKS))
# ExplainerSpec: ``art`` (current) and ``alibi``/``aix`` (older releases) are inline Containers.
_KSERVE_EXPLAINER = (*DEFAULT_CONTAINERS, *(_single(k) for k in ("art", "alibi", "aix")))

# Argo Workflows Template (pkg/apis/workflow/v1alpha1/workflow_types.go): ``container`` and ``script`` are
# single containers, ``containerSet.containers`` a list; ``initContainers`` and ``sidecars`` are
# UserContainers. Argo sidecars run beside the main container (they are not native init sidecars).
_ARGO_TEMPLATE = (
    ContainerField(ContainerKind.INIT, ("initContainers",)),
    _single("container"),
    _single("script"),
    ContainerField(ContainerKind.CONTAINER, ("containerSet", "containers")),
    ContainerField(ContainerKind.CONTAINER, ("sidecars",)),
    # Containers a podSpecPatch adds (``model/argo_patch.py``); a template's own ``containers`` is no field of
    # Argo's Template type and is taken out of its pod (``argo_template_pod_fields``).
    ContainerField(ContainerKind.CONTAINER, ("containers",)),
)
_ARGO_POD_TEMPLATES = ("container", "script", "containerSet")
"""Template types that run a pod; ``steps``, ``dag``, ``suspend``, ``resource``, ``http`` and ``plugin`` do not."""

_ARGO_TEMPLATE_POD_FIELDS = frozenset({
    "nodeSelector", "affinity", "volumes", "initContainers", "tolerations", "schedulerName", "priorityClassName",
    "priority", "serviceAccountName", "automountServiceAccountToken", "hostAliases", "securityContext",
    "activeDeadlineSeconds", "resourceClaims",
})
"""The PodSpec fields that Argo's ``Template`` type has (pkg/apis/workflow/v1alpha1/workflow_types.go) and that
the controller copies into the template's pod (``createWorkflowPod``: scheduling constraints, service account,
volumes, init containers, deadline; ``resourceClaims`` as the template's own list). The other PodSpec fields
(``hostNetwork``, ``hostPID``, ``hostIPC``, ``dnsPolicy``, ``dnsConfig``, ``imagePullSecrets``, ``containers``,
``runtimeClassName``, ...) are not fields of a template: the controller reads a template into its Go type,
which drops them, so written on a template they change nothing (``hostNetwork``, ``dnsPolicy``, ``dnsConfig``
and ``imagePullSecrets`` come from the workflow level only). They are taken out of the pod a rule judges.
The pod's own ``resources`` (pod-level resources) are Argo's ``podResources`` (``_pod_resources``)."""

_ARGO_NOT_TEMPLATE_FIELDS = POD_SPEC_FIELDS - _ARGO_TEMPLATE_POD_FIELDS


def _kubeflow_v1(kind: str, replica_specs: str, *, versions: tuple[str, ...] = ()) -> WorkloadEntry:
    """Kubeflow training-operator jobs: a map of replica type (Master, Worker, ...) to ReplicaSpec."""
    return WorkloadEntry("kubeflow.org", kind, _pts(f"spec.{replica_specs}.*.template"), versions=versions,
                         batch=True)


_ARGO_WORKFLOW_POD_FIELDS = (
    "securityContext", "serviceAccountName", "automountServiceAccountToken", "hostNetwork", "nodeSelector",
    "tolerations", "affinity", "volumes", "schedulerName", "dnsPolicy", "dnsConfig", "hostAliases",
    "imagePullSecrets",
)
"""Workflow-level fields that Argo applies to the pod of every template that does not set its own."""


# Argo Workflows ``templateDefaults`` (WorkflowSpec, v3.1+): the controller merges them into every template it
# runs (``mergedTemplateDefaultsInto``: a Kubernetes strategic merge patch of the template onto the defaults,
# with the patch strategies of the Template type), then keeps the template's own type: a type field the
# defaults add (a default ``container`` on a ``script`` template) is dropped again (``Template.SetType``).
_ARGO_TYPES = ("container", "containerSet", "steps", "dag", "script", "resource", "data", "http", "plugin",
               "suspend")
"""Template type fields, in the order ``Template.GetType`` tests them."""


def _container_keys(*prefixes: tuple[str, ...]) -> dict[tuple[str, ...], str]:
    # k8s.io/api/core/v1 Container: the lists with patchStrategy merge and their patchMergeKey.
    fields = {"env": "name", "ports": "containerPort", "volumeMounts": "mountPath", "volumeDevices": "devicePath"}
    return {(*p, f): key for p in prefixes for f, key in fields.items()}


_ARGO_MERGE_KEYS: Mapping[tuple[str, ...], str] = {
    # Template (pkg/apis/workflow/v1alpha1/workflow_types.go): lists merged by key; every other list of the
    # template (and of the Kubernetes types in it) is replaced whole by the template's own.
    ("volumes",): "name", ("initContainers",): "name", ("sidecars",): "name", ("tolerations",): "key",
    ("hostAliases",): "ip", ("inputs", "parameters"): "name", ("inputs", "artifacts"): "name",
    **_container_keys(("container",), ("script",), ("initContainers",), ("sidecars",)),
}
"""Where the strategic merge merges list items by a key instead of replacing the list, by field names from
the template (list items add no name)."""


def _smp(base: Any, own: Any, names: tuple[str, ...], made: FieldPath, src: FieldPath, written: FieldPath,
         aliases: list[tuple[FieldPath, FieldPath]]) -> Any:
    """``own`` (the template's value, written at ``src``) merged onto ``base`` (the defaults' value, written at
    ``written``) as the strategic merge patch does, the result to sit at ``made``. ``aliases`` gets (path in
    the result, path written in the file) for every part that does not sit where it is written: what comes
    from the defaults, and list items of the template the merge moves."""
    if isinstance(base, dict) and isinstance(own, dict):
        out = dict(base)
        for key, value in own.items():
            if value is None:
                continue  # a null is an omitted field once Argo has read the template into its types
            out[key] = _smp(base[key], value, (*names, key), (*made, key), (*src, key), (*written, key),
                            aliases) if key in base else value
        for key in base:
            if own.get(key) is None:
                aliases.append(((*made, key), (*written, key)))
        return out
    merge_key = _ARGO_MERGE_KEYS.get(names)
    if merge_key is not None and isinstance(base, list) and isinstance(own, list):
        return _merge_list(base, own, merge_key, names, made, src, written, aliases)
    return own


def _merge_list(base: list[Any], own: list[Any], merge_key: str, names: tuple[str, ...], made: FieldPath,
                src: FieldPath, written: FieldPath, aliases: list[tuple[FieldPath, FieldPath]]) -> list[Any]:
    """A list merged by ``merge_key``: the defaults' items in their order, each merged with the template's item
    of the same key, then the template's other items in theirs (the strategic merge patch's ``mergeSlice``)."""
    def key_of(item: Any) -> str | int | float | None:
        # Only a scalar is a key: an unquoted Argo placeholder (``name: {{inputs.parameters.x}}``) reads as a
        # mapping, which matches nothing (and cannot be hashed).
        value = item.get(merge_key) if isinstance(item, dict) else None
        return value if isinstance(value, (str, int, float)) else None

    own_at: dict[Any, int] = {}
    for index, item in enumerate(own):
        k = key_of(item)
        if k is not None and k not in own_at:
            own_at[k] = index
    out: list[Any] = []
    taken: set[int] = set()
    for i, item in enumerate(base):
        k = key_of(item)
        j = own_at.get(k) if k is not None else None
        at = (*made, len(out))
        if j is None:
            aliases.append((at, (*written, i)))
            out.append(item)
            continue
        taken.add(j)
        aliases.append((at, (*src, j)))  # the template's item, completed from the defaults' item
        out.append(_smp(item, own[j], names, at, (*src, j), (*written, i), aliases))
    for index, item in enumerate(own):
        if index not in taken:
            aliases.append(((*made, len(out)), (*src, index)))
            out.append(item)
    return out


def argo_template_defaults(
    root: Mapping[str, Any], prefix: FieldPath, spec: FieldPath, path: FieldPath, template: Mapping[str, Any],
) -> tuple[Mapping[str, Any], tuple[tuple[FieldPath, FieldPath], ...]]:
    """The template as the Argo controller runs it, with the workflow's ``templateDefaults`` merged in, and the
    aliases that lead a finding on a defaulted field to where the default is written."""
    defaults = get(root, (*spec, "templateDefaults"))
    if not isinstance(defaults, dict) or not defaults:
        return template, ()
    own_type = next((t for t in _ARGO_TYPES if template.get(t) is not None), None)
    # The template keeps its own type: ``SetType`` drops a type field the defaults add to a container or script
    # template; on a containerSet template (which ``SetType`` does not handle) Argo would keep both, and which
    # runs is not defined, so a default of another type is not applied there either.
    drop = [t for t in _ARGO_TYPES if t in defaults and t != own_type]
    base = {k: v for k, v in defaults.items() if k not in drop} if drop else defaults
    aliases: list[tuple[FieldPath, FieldPath]] = []
    merged = _smp(base, template, (), path, path, (*prefix, *spec, "templateDefaults"), aliases)
    # Only aliases that move a path: an item of the template's list that stays at its index needs none.
    return merged, tuple((m, w) for m, w in aliases if m != w)


def argo_template_pod_fields(template: Mapping[str, Any]) -> Mapping[str, Any]:
    """The template without the PodSpec fields that Argo's ``Template`` type does not have (see
    ``_ARGO_TEMPLATE_POD_FIELDS``): what the controller reads of it. The template's other fields (its type,
    inputs, retry strategy, timeout, ...) stay for the rules that read them."""
    if _ARGO_NOT_TEMPLATE_FIELDS.isdisjoint(template):
        return template
    return {k: v for k, v in template.items() if k not in _ARGO_NOT_TEMPLATE_FIELDS}


def _pod_resources(
    root: Mapping[str, Any], prefix: FieldPath, spec: FieldPath, path: FieldPath, template: Mapping[str, Any],
    aliases: tuple[tuple[FieldPath, FieldPath], ...],
) -> tuple[Mapping[str, Any], tuple[tuple[FieldPath, FieldPath], ...]]:
    """The pod-level ``resources`` (PodSpec) of a template's pod: Argo's ``podResources``, the template's own or
    else the workflow's (WorkflowSpec ``podResources``), which the controller sets as the pod's resources (the
    template's replaces the workflow's), with an alias to where it is written."""
    own = template.get("podResources")
    if isinstance(own, dict):
        written = next((w for m, w in aliases if m == (*path, "podResources")), (*path, "podResources"))
    else:
        own = get(root, (*spec, "podResources"))
        if not isinstance(own, dict):
            return template, aliases
        written = (*prefix, *spec, "podResources")
    return {**template, "resources": own}, (*aliases, ((*path, "resources"), written))


def _argo(kind: str, spec: str) -> WorkloadEntry:
    # A template of spec.templates, or one written inline in a DAG task or a step (``inline``, Argo 3.2+: a
    # whole Template in place of a reference to one; steps are a list of parallel groups, each a list).
    templates = (
        (*_path(spec), "templates", "*"),
        (*_path(spec), "templates", "*", "dag", "tasks", "*", "inline"),
        (*_path(spec), "templates", "*", "steps", "*", "*", "inline"),
    )
    spec_path = _path(spec)

    def complete(root: Mapping[str, Any], prefix: FieldPath, path: FieldPath, value: Mapping[str, Any]
                 ) -> tuple[Mapping[str, Any], tuple[tuple[FieldPath, FieldPath], ...]]:
        run, aliases = argo_template_defaults(root, prefix, spec_path, path, value)
        run = argo_template_pod_fields(run)
        return _pod_resources(root, prefix, spec_path, path, run, aliases)

    def finish(root: Mapping[str, Any], prefix: FieldPath, path: FieldPath, spec: Mapping[str, Any],
               aliases: tuple[tuple[FieldPath, FieldPath], ...],
               ) -> tuple[Mapping[str, Any], tuple[tuple[FieldPath, FieldPath], ...], tuple[FieldPath, ...]]:
        if "podSpecPatch" not in spec and not get(root, (*spec_path, "podSpecPatch")):
            return spec, (), ()  # most templates: no patch, nothing imported
        from guardlint.model.argo_patch import patched

        return patched(root, prefix, spec_path, path, spec, aliases)

    return WorkloadEntry("argoproj.io", kind, tuple(
        TemplatePath(path, _PS, _ARGO_TEMPLATE, requires=_ARGO_POD_TEMPLATES, inherit=spec_path,
                     inherit_fields=_ARGO_WORKFLOW_POD_FIELDS, complete=complete, finish=finish)
        for path in templates
    ), batch=True)


def _ray(prefix: str) -> tuple[str, ...]:
    return (f"{prefix}.headGroupSpec.template", f"{prefix}.workerGroupSpecs.*.template")


_KSERVE_COMPONENT_PATHS = (
    TemplatePath(_path("spec.predictor"), _PS, _KSERVE_PREDICTOR),
    TemplatePath(_path("spec.predictor.workerSpec"), _PS),
    TemplatePath(_path("spec.transformer"), _PS),
    TemplatePath(_path("spec.explainer"), _PS, _KSERVE_EXPLAINER),
)

_LLMISVC_PATHS = tuple(
    TemplatePath(_path(p), _PS)
    for p in ("spec.template", "spec.worker", "spec.prefill.template", "spec.prefill.worker",
              "spec.router.scheduler.template")
)

CRD_WORKLOADS: tuple[WorkloadEntry, ...] = (
    # Kubeflow training-operator v1 (kubeflow.org/v1) and the MPI operator (kubeflow.org/v2beta1).
    _kubeflow_v1("PyTorchJob", "pytorchReplicaSpecs"),
    _kubeflow_v1("TFJob", "tfReplicaSpecs"),
    _kubeflow_v1("MPIJob", "mpiReplicaSpecs", versions=("v1",)),
    _kubeflow_v1("MPIJob", "mpiReplicaSpecs", versions=("v2beta1",)),
    _kubeflow_v1("XGBoostJob", "xgbReplicaSpecs"),
    _kubeflow_v1("PaddleJob", "paddleReplicaSpecs"),
    _kubeflow_v1("JAXJob", "jaxReplicaSpecs"),
    # Kubeflow Trainer v2: the runtimes hold a JobSet template; a TrainJob holds no pod template.
    *(
        WorkloadEntry("trainer.kubeflow.org", kind,
                      _pts("spec.template.spec.replicatedJobs.*.template.spec.template"), batch=True)
        for kind in ("TrainingRuntime", "ClusterTrainingRuntime")
    ),
    # Kubeflow Notebooks: spec.template is a PodTemplateSpec without metadata.
    WorkloadEntry("kubeflow.org", "Notebook", _pts("spec.template")),
    # JobSet and LeaderWorkerSet (kubernetes-sigs).
    WorkloadEntry("jobset.x-k8s.io", "JobSet", _pts("spec.replicatedJobs.*.template.spec.template"), batch=True),
    WorkloadEntry(
        "leaderworkerset.x-k8s.io", "LeaderWorkerSet",
        _pts("spec.leaderWorkerTemplate.leaderTemplate", "spec.leaderWorkerTemplate.workerTemplate"),
        replicas=("spec", "replicas"),
    ),
    # KubeRay.
    WorkloadEntry("ray.io", "RayCluster", _pts(*_ray("spec"))),
    WorkloadEntry("ray.io", "RayJob", _pts(*_ray("spec.rayClusterSpec"), "spec.submitterPodTemplate"), batch=True),
    WorkloadEntry("ray.io", "RayService", _pts(*_ray("spec.rayClusterConfig"))),
    WorkloadEntry(
        "ray.io", "RayCronJob",
        _pts(*_ray("spec.jobTemplate.rayClusterSpec"), "spec.jobTemplate.submitterPodTemplate"), batch=True,
    ),
    # KServe, and KFServing's v1beta1 InferenceService (serving.kubeflow.org, KFServing 0.5 and 0.6): the same
    # Go types before KServe 0.7 renamed the group.
    WorkloadEntry("serving.kserve.io", "InferenceService", _KSERVE_COMPONENT_PATHS, versions=("v1beta1",)),
    WorkloadEntry("serving.kubeflow.org", "InferenceService", _KSERVE_COMPONENT_PATHS, versions=("v1beta1",)),
    *(
        WorkloadEntry("serving.kserve.io", kind,
                      (TemplatePath(_path("spec"), _PS), TemplatePath(_path("spec.workerSpec"), _PS)))
        for kind in ("ServingRuntime", "ClusterServingRuntime")
    ),
    WorkloadEntry("serving.kserve.io", "LLMInferenceService", _LLMISVC_PATHS),
    # Knative Serving.
    WorkloadEntry("serving.knative.dev", "Service", _pts("spec.template")),
    WorkloadEntry("serving.knative.dev", "Configuration", _pts("spec.template")),
    WorkloadEntry("serving.knative.dev", "Revision", (TemplatePath(_path("spec"), _PS),)),
    # Volcano (the Job kind collides with batch/v1 Job: the row is keyed on the group).
    WorkloadEntry("batch.volcano.sh", "Job", _pts("spec.tasks.*.template"), batch=True),
    WorkloadEntry("batch.volcano.sh", "CronJob", _pts("spec.jobTemplate.spec.tasks.*.template"), batch=True),
    WorkloadEntry("flow.volcano.sh", "JobTemplate", _pts("spec.tasks.*.template"), batch=True),
    # KEDA ScaledJob: spec.jobTargetRef is a batch/v1 JobSpec (keda.sh/v1alpha1, apis/keda/v1alpha1).
    WorkloadEntry("keda.sh", "ScaledJob", _pts("spec.jobTargetRef.template"), batch=True),
    # Seldon Core v1 SeldonDeployment: each predictor's componentSpecs are SeldonPodSpecs (metadata + PodSpec).
    WorkloadEntry("machinelearning.seldon.io", "SeldonDeployment", _pts("spec.predictors.*.componentSpecs.*")),
    # Argo Rollouts and Argo Workflows.
    WorkloadEntry("argoproj.io", "Rollout", _pts("spec.template"), replicas=("spec", "replicas")),
    _argo("Workflow", "spec"),
    _argo("WorkflowTemplate", "spec"),
    _argo("ClusterWorkflowTemplate", "spec"),
    _argo("CronWorkflow", "spec.workflowSpec"),
    # Katib (kubeflow/katib, pkg/apis/controller/experiments/v1beta1): an Experiment's
    # ``spec.trialTemplate.trialSpec`` and a Trial's ``spec.runSpec`` are whole objects (a Job, PyTorchJob, TFJob,
    # MPIJob, Tekton PipelineRun, ...) whose pods are found through their own rows. A trial template kept in a
    # ConfigMap (``trialTemplate.configMap``) is text and is not read.
    WorkloadEntry("kubeflow.org", "Experiment", (TemplatePath(_path("spec.trialTemplate.trialSpec"), _OBJ),),
                  batch=True),
    WorkloadEntry("kubeflow.org", "Trial", (TemplatePath(_path("spec.runSpec"), _OBJ),), batch=True),
    # Tekton Pipelines (tekton.dev v1 and v1beta1; see ``model/operators.py``): steps and sidecars are the
    # containers; a Task's pod gets its pod-level fields from the run, so only container rules judge a Task.
    *(WorkloadEntry("tekton.dev", kind, (TemplatePath(_path("spec"), build=tekton_task),), batch=True)
      for kind in ("Task", "ClusterTask")),
    WorkloadEntry("tekton.dev", "TaskRun", (TemplatePath(_path("spec.taskSpec"), build=tekton_task_run),),
                  batch=True),
    WorkloadEntry("tekton.dev", "Pipeline", tuple(
        TemplatePath(_path(p), build=tekton_pipeline_task) for p in ("spec.tasks.*.taskSpec", "spec.finally.*.taskSpec")
    ), batch=True),
    WorkloadEntry("tekton.dev", "PipelineRun", tuple(
        TemplatePath(_path(p), build=tekton_pipeline_run_task)
        for p in ("spec.pipelineSpec.tasks.*.taskSpec", "spec.pipelineSpec.finally.*.taskSpec")
    ), batch=True),
    # Apache Flink Kubernetes operator (flink.apache.org): the JobManager's and TaskManagers' pods from
    # spec.podTemplate merged with each role's podTemplate, image and resources.
    WorkloadEntry("flink.apache.org", "FlinkDeployment", (TemplatePath(_path("spec"), build=flink_pods),)),
    # Kubeflow Spark operator (sparkoperator.k8s.io v1beta2): the driver's and executors' pods from the flattened
    # SparkPodSpecs (image, cores, memory, gpu, ...; see ``model/operators.py``).
    WorkloadEntry("sparkoperator.k8s.io", "SparkApplication", (TemplatePath(_path("spec"), build=spark_pods),),
                  batch=True),
    WorkloadEntry("sparkoperator.k8s.io", "ScheduledSparkApplication",
                  (TemplatePath(_path("spec.template"), build=spark_pods),), batch=True),
)
