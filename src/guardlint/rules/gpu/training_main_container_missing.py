"""training-main-container-missing: a Kubeflow training job or runtime lacks the container its webhook requires."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

from guardlint.model.access import get_list, get_map
from guardlint.rules.api import Reference, Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.gpu._support import is_placeholder

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

TRAINING_OPERATOR_GROUP = "kubeflow.org"
TRAINER_GROUP = "trainer.kubeflow.org"

MAIN_CONTAINERS: Mapping[str, tuple[str, str]] = {
    "PyTorchJob": ("pytorchReplicaSpecs", "pytorch"),
    "TFJob": ("tfReplicaSpecs", "tensorflow"),
    "XGBoostJob": ("xgbReplicaSpecs", "xgboost"),
    "PaddleJob": ("paddleReplicaSpecs", "paddle"),
    "JAXJob": ("jaxReplicaSpecs", "jax"),
}
"""Kubeflow Training Operator (``kubeflow.org/v1``) kinds: the replica-spec map and the default container name
that the operator's validating webhook requires in every replica (the MPIJob has no such check)."""

ANCESTOR_LABEL = "trainer.kubeflow.org/trainjob-ancestor-step"
ANCESTOR_CONTAINERS: Mapping[str, str] = {
    "trainer": "node",
    "model-initializer": "model-initializer",
    "dataset-initializer": "dataset-initializer",
}
"""Kubeflow Trainer runtimes: the container the webhook requires in a replicated job labelled with each step."""

RUNTIME_KINDS = ("TrainingRuntime", "ClusterTrainingRuntime")

WEBHOOKS = Reference(
    "Kubeflow Trainer source: the training jobs' and runtimes' validating webhooks (pkg/webhooks)",
    "https://github.com/kubeflow/trainer/tree/master/pkg/webhooks",
)
TFJOB_NAMES = Reference(
    "kubeflow/trainer#1563: a TFJob without a container named tensorflow gets no TF_CONFIG",
    "https://github.com/kubeflow/trainer/issues/1563",
)


def _names(containers: Sequence[Any]) -> list[Any]:
    return [c.get("name") for c in containers if isinstance(c, dict)]


@rule(
    code="GPU067",
    name="training-main-container-missing",
    kinds=(*MAIN_CONTAINERS, *RUNTIME_KINDS),
    title="Training job or runtime lacks the container its operator requires",
    severity=Severity.ERROR,
    pack="gpu",
    since="0.3.0",
    status="preview",
    tags=("gpu", "training", "kind-aware", "api-rejects"),
    remediation=(
        "Name the training container as the operator expects (pytorch, tensorflow, xgboost, paddle, jax; node for "
        "a Kubeflow Trainer runtime's trainer step)."
    ),
    references=(WEBHOOKS, TFJOB_NAMES),
)
def training_main_container_missing(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports replica templates without the container the Kubeflow operators look for by name:

    - Kubeflow Training Operator jobs (`kubeflow.org/v1`): every replica of a PyTorchJob needs a container named
      `pytorch`, of a TFJob `tensorflow`, of an XGBoostJob `xgboost`, of a PaddleJob `paddle` and of a JAXJob
      `jax`;
    - Kubeflow Trainer runtimes (`TrainingRuntime`, `ClusterTrainingRuntime`): a replicated job labelled
      `trainer.kubeflow.org/trainjob-ancestor-step: trainer` needs a container named `node`, and one labelled
      `model-initializer` or `dataset-initializer` a container of that name.

    Container names that are unrendered templates are not judged.

    ## Why is this bad?
    Both operators' validating webhooks reject the object ("must have at least one container with name
    pytorch", "must contain the required container for the ancestor: trainer"). The name is how the operators
    find the training process: the Training Operator injects the rendezvous environment (`MASTER_ADDR`,
    `WORLD_SIZE`, `RANK`, `TF_CONFIG`) and the ports into that container only, and Trainer writes a TrainJob's
    image, command, resources and environment into the `node` container of its runtime.

    ## Example
    ```yaml
    apiVersion: kubeflow.org/v1
    kind: PyTorchJob
    metadata:
      name: finetune
    spec:
      pytorchReplicaSpecs:
        Master:
          replicas: 1
          template:
            spec:
              containers:
                - name: trainer
                  image: nvcr.io/nvidia/pytorch:24.05-py3
    ```

    ## Use instead
    ```yaml
    apiVersion: kubeflow.org/v1
    kind: PyTorchJob
    metadata:
      name: finetune
    spec:
      pytorchReplicaSpecs:
        Master:
          replicas: 1
          template:
            spec:
              containers:
                - name: pytorch
                  image: nvcr.io/nvidia/pytorch:24.05-py3
    ```
    """
    if resource.group == TRAINING_OPERATOR_GROUP and resource.kind in MAIN_CONTAINERS:
        field, wanted = MAIN_CONTAINERS[resource.kind]
        for role in get_map(resource.data, ("spec", field)) or {}:
            path = ("spec", field, role, "template", "spec", "containers")
            containers = get_list(resource.data, path)
            if containers is None:
                continue  # no containers at all: the schema's and the webhook's "must be specified"
            names = _names(containers)
            if wanted in names or any(is_placeholder(n) for n in names):
                continue
            yield Violation(
                path,
                f"{resource.kind} replica {role!r} has no container named {wanted!r}: the operator's webhook "
                f"rejects the job, and it injects the rendezvous environment into that container only",
            )
    elif resource.group == TRAINER_GROUP and resource.kind in RUNTIME_KINDS:
        jobs = get_list(resource.data, ("spec", "template", "spec", "replicatedJobs")) or ()
        for i, job in enumerate(jobs):
            step = (get_map(job, ("template", "metadata", "labels")) or {}).get(ANCESTOR_LABEL)
            if not isinstance(step, str) or step not in ANCESTOR_CONTAINERS:
                continue
            wanted = ANCESTOR_CONTAINERS[step]
            rel = ("template", "spec", "template", "spec", "containers")
            names = _names(get_list(job, rel) or ())
            if wanted in names or any(is_placeholder(n) for n in names):
                continue
            name = job.get("name") if isinstance(job, dict) else None
            yield Violation(
                ("spec", "template", "spec", "replicatedJobs", i, *rel),
                f"{resource.kind} replicated job {name if isinstance(name, str) else i!r} is the {step!r} step "
                f"but has no container named {wanted!r}: Trainer's webhook rejects the runtime, and a TrainJob's "
                "settings go into that container",
            )


RULE = training_main_container_missing
