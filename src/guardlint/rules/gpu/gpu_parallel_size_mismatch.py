"""gpu-parallel-size-mismatch: a model server's or launcher's parallel size does not match the container's GPUs."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from guardlint._record import NamedTuple
from guardlint.model.access import get, get_list
from guardlint.model.index import same_namespace
from guardlint.rules.api import Reference, Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.gpu._batch import TRAINER_GROUP, TRAINER_RUNTIME_KINDS, trainer_runtime
from guardlint.rules.gpu._support import SERVER_MARKERS, gpu_facts, may_start_program
from guardlint.rules.params import param

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Annotated, Any

    from guardlint.model.paths import FieldPath
    from guardlint.model.requirements import SiteValue
    from guardlint.model.workloads import ContainerRef
    from guardlint.rules.gpu._launch import Invocation, Word

PER_PROCESS_KINDS = frozenset({"gpu", "tpu"})
"""Accelerators a server process uses whole, one per rank: GPUs (NVIDIA, AMD, Intel) and TPU chips."""

VISIBILITY_ENV = frozenset({
    "CUDA_VISIBLE_DEVICES", "NVIDIA_VISIBLE_DEVICES", "HIP_VISIBLE_DEVICES", "ROCR_VISIBLE_DEVICES",
    "TPU_VISIBLE_CHIPS", "TPU_PROCESS_BOUNDS", "TPU_CHIPS_PER_PROCESS_BOUNDS",
})
"""Variables that change which of the container's devices a process sees: the count is then not the limit."""

MULTI_POD_GROUPS = frozenset({"leaderworkerset.x-k8s.io", "ray.io"})
"""Operators whose pods form one server or one job across several pods (a LeaderWorkerSet group, a Ray
cluster): a parallel size there counts the devices of the whole group."""

VLLM_TP = frozenset({"--tensor-parallel-size", "-tp"})
VLLM_PP = frozenset({"--pipeline-parallel-size", "-pp"})
VLLM_DP = frozenset({"--data-parallel-size", "-dp"})
VLLM_DP_LOCAL = frozenset({"--data-parallel-size-local", "-dpl"})
VLLM_NOT_JUDGED = (
    # Several nodes (vLLM's own multi-node launch, external or hybrid data-parallel load balancing), context
    # parallelism (it multiplies the world size), and a configuration file that may hold any option.
    "--nnodes", "--node-rank", "--master-addr", "--master-port", "--headless", "--data-parallel-rank",
    "--data-parallel-address", "--data-parallel-start-rank", "--data-parallel-rpc-port", "--data-parallel-backend",
    "--data-parallel-hybrid-lb", "--data-parallel-external-lb", "-dpr", "-dpa", "-dpp", "-dpb",
    "--prefill-context-parallel-size", "-pcp", "--config",
)
VLLM_READ = (
    "--tensor-parallel-size", "--pipeline-parallel-size", "--data-parallel-size", "--data-parallel-size-local",
    "--distributed-executor-backend", *(name for name in VLLM_NOT_JUDGED if name.startswith("--")),
)
"""The long options whose words ``_vllm`` reads (or refuses to judge), as a prefix of one may be written."""
SGLANG_TP = frozenset({"--tp-size", "--tensor-parallel-size", "--tp"})
SGLANG_PP = frozenset({"--pp-size", "--pipeline-parallel-size"})
SGLANG_NOT_JUDGED = ("--nnodes", "--node-rank", "--dist-init-addr", "--config")
TGI_SHARDS = frozenset({"--num-shard"})
TORCHRUN_NPROC = frozenset({"--nproc-per-node"})

VLLM_PARALLELISM = Reference(
    "vLLM: Parallelism and scaling (tensor parallel size per node, multi-node needs Ray or --nnodes)",
    "https://docs.vllm.ai/en/latest/serving/parallelism_scaling.html",
)
TGI_LAUNCHER = Reference(
    "Hugging Face TGI: text-generation-launcher arguments (--num-shard, --sharded)",
    "https://huggingface.co/docs/text-generation-inference/basic_tutorials/launcher",
)
TORCHRUN = Reference("PyTorch: torchrun (--nproc-per-node)", "https://docs.pytorch.org/docs/stable/elastic/run.html")
SGLANG_ARGS = Reference(
    "SGLang: server arguments (--tp-size, --pp-size)",
    "https://docs.sglang.ai/advanced_features/server_arguments.html",
)


class Params(NamedTuple):
    report_idle: Annotated[bool, param(
        "Also report containers that request more devices than a vLLM or TGI server started as the container's "
        "own process uses (the rest stay allocated and idle).",
    )] = True


class _Need(NamedTuple):
    """What one invocation uses: ``uses`` devices exactly (``exact``) or at least."""

    uses: int
    exact: bool
    what: str
    """How the message names the setting: ``vLLM tensor-parallel size 4 x pipeline-parallel size 2``."""
    word: Word | None
    """Where the deciding value is written (None: nothing is written, the program's default decides)."""


def _multi_pod(resource: Resource) -> bool:
    """The object's pods form one server across pods: a LeaderWorkerSet, a Ray cluster, a KServe multi-node
    predictor (``workerSpec``), an LLMInferenceService with ``worker`` pods."""
    if resource.group in MULTI_POD_GROUPS:
        return True
    if resource.group == "serving.kserve.io":
        spec = resource.data.get("spec")
        if not isinstance(spec, dict):
            return False
        return any(
            get(spec, path) is not None
            for path in (("predictor", "workerSpec"), ("workerSpec",), ("worker",), ("prefill", "worker"))
        )
    return False


def _env_names(container: Mapping[str, Any]) -> set[str]:
    entries = get_list(container, ("env",)) or ()
    return {e["name"] for e in entries if isinstance(e, dict) and isinstance(e.get("name"), str)}


def _values(words: tuple[Word, ...], names: frozenset[str], *, underscores: bool) -> tuple[int, Word | None] | None:
    """The option's literal value (1 and no word when absent); None when it is given but not a literal integer."""
    from guardlint.rules.gpu._launch import option, positive_int
    found = option(words, names, underscores=underscores)
    if found is None:
        return 1, None
    value = positive_int(found[0])
    return None if value is None else (value, found[1])


def _vllm(words: tuple[Word, ...], *, preset: int = 0) -> _Need | None:
    """``preset``: the first words are options an operator writes itself (KServe's LLMInferenceService presets),
    read as given; only the words after them may not hold an option this reader does not judge."""
    from guardlint.rules.gpu._launch import has_option, option
    own = words[preset:]
    if has_option(own, VLLM_NOT_JUDGED, underscores=True) or _abbreviated(own, VLLM_READ):
        return None
    backend = option(words, frozenset({"--distributed-executor-backend"}), underscores=True)
    if backend is not None and backend[0] not in ("mp", "uni"):
        return None  # Ray (may join a cluster of other pods) or an external launcher: not this container alone
    tp, pp, dp, dpl = (_values(words, names, underscores=True) for names in (VLLM_TP, VLLM_PP, VLLM_DP, VLLM_DP_LOCAL))
    if tp is None or pp is None or dp is None or dpl is None:
        return None
    # Data-parallel ranks on this node: --data-parallel-size-local when given, else every rank (one node).
    local = dpl if dpl[1] is not None else dp
    parts = [f"tensor-parallel size {tp[0]}"]
    if pp[1] is not None:
        parts.append(f"pipeline-parallel size {pp[0]}")
    if local[1] is not None:
        parts.append(f"data-parallel size {local[0]}")
    word = next((w for _, w in (tp, pp, local) if w is not None), None)
    what = " x ".join(parts) if word is not None else "the default tensor-parallel size 1"
    return _Need(tp[0] * pp[0] * local[0], True, f"vLLM with {what}", word)


def _abbreviated(words: tuple[Word, ...], names: tuple[str, ...]) -> bool:
    """Some word is a long option written as a strict prefix of one of ``names`` (``--tensor-parallel 4``):
    vLLM's argument parser (argparse) takes a unique prefix for the option, so what the word sets is not read
    here and the defaults it overrides must not be judged."""
    for word in words:
        flag = word.text.partition("=")[0].replace("_", "-")
        if flag.startswith("--") and len(flag) > 2 and flag not in names and any(n.startswith(flag) for n in names):
            return True
    return False


def _sglang(words: tuple[Word, ...]) -> _Need | None:
    from guardlint.rules.gpu._launch import has_option
    if has_option(words, SGLANG_NOT_JUDGED, underscores=True):
        return None
    tp, pp = (_values(words, names, underscores=True) for names in (SGLANG_TP, SGLANG_PP))
    if tp is None or pp is None or tp[1] is None:
        return None
    what = f"tensor-parallel size {tp[0]}" + (f" x pipeline-parallel size {pp[0]}" if pp[1] is not None else "")
    # Data parallelism (replicas of the tensor-parallel group, or attention data parallelism inside it) adds
    # devices or none: tp x pp is what one replica needs at least.
    return _Need(tp[0] * pp[0], False, f"SGLang with {what}", tp[1])


def _tgi(words: tuple[Word, ...], container: Mapping[str, Any], env: Mapping[str, str],
         base: tuple[str | int, ...]) -> _Need | None:
    from guardlint.rules.gpu._launch import Word, has_option, option, positive_int

    names = _env_names(container)
    if has_option(words, ("--sharded",), underscores=False) or "SHARDED" in names:
        return None  # --sharded false turns --num-shard off
    found = option(words, TGI_SHARDS, underscores=False)
    if found is None:
        if "NUM_SHARD" not in names:
            # No count: TGI shards over every visible GPU (unless envFrom sets one: nothing is known).
            return None
        if "NUM_SHARD" not in env:
            return None
        index = max(i for i, e in enumerate(get_list(container, ("env",)) or ())
                    if isinstance(e, dict) and e.get("name") == "NUM_SHARD")
        found = (env["NUM_SHARD"], Word(env["NUM_SHARD"], (*base, "env", index, "value")))
    shards = positive_int(found[0])
    if shards is None:
        return None
    return _Need(shards, True, f"TGI with {shards} shard{'s' if shards != 1 else ''}", found[1])


def _torchrun(words: tuple[Word, ...]) -> _Need | None:
    from guardlint.rules.gpu._launch import option, positive_int
    found = option(words, TORCHRUN_NPROC, underscores=True, stop_at_script=True)
    if found is None:
        return None
    nproc = positive_int(found[0])  # "gpu", "auto", "cpu": torchrun counts the devices itself
    if nproc is None:
        return None
    # Each process drives one device (NCCL refuses two ranks on one GPU); a process may also use several
    # (model parallelism inside the script), so only more processes than devices is certain.
    return _Need(nproc, False, f"torchrun with {nproc} processes per node", found[1])


def _need(inv: Invocation, container: Mapping[str, Any], env: Mapping[str, str],
          base: tuple[str | int, ...]) -> _Need | None:
    if inv.program == "vllm":
        return _vllm(inv.words)
    if inv.program == "sglang":
        return _sglang(inv.words)
    if inv.program == "tgi":
        return _tgi(inv.words, container, env, base)
    return _torchrun(inv.words)


@rule(
    code="GPU047",
    name="gpu-parallel-size-mismatch",
    # Gate: the rule yields nothing when this does not hold: it reads only the containers that name an accelerator
    # (``gpu_facts(...).pods[].used``) and a TrainJob's ``resourcesPerNode`` accelerators, and an accelerator's
    # name has a domain. Not ``pods_only``: a TrainJob holds no pod template.
    gates=("extended-resources",),
    title="Model-parallel size does not match the container's GPUs",
    severity=Severity.WARNING,
    pack="gpu",
    since="0.3.0",
    status="preview",
    tags=("gpu", "inference", "training", "kind-aware"),
    remediation=(
        "Make the parallel size (tensor x pipeline x data parallel for vLLM, --num-shard for TGI, "
        "--nproc-per-node for torchrun) equal to the GPUs the container requests, or request that many GPUs."
    ),
    references=(VLLM_PARALLELISM, TGI_LAUNCHER, SGLANG_ARGS, TORCHRUN),
    params=Params,
)
def gpu_parallel_size_mismatch(resource: Resource, params: Params, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reads how a GPU container starts its model server or launcher, from its `command`, `args` (a `sh -c`
    script too) and literal `env` values (`$(VAR)` is expanded as the kubelet does: in an `env` value, only with
    the variables defined before it in the list), and compares the number of devices that process uses with the
    whole GPUs or TPU chips the container requests:

    - vLLM (`vllm serve`, `python -m vllm.entrypoints.openai.api_server`, the `vllm/vllm-openai` image):
      tensor-parallel x pipeline-parallel x data-parallel size (`--data-parallel-size-local` when given);
    - Hugging Face TGI (`text-generation-launcher`, its image): `--num-shard` or `NUM_SHARD`;
    - SGLang (`python -m sglang.launch_server`): at least tensor-parallel x pipeline-parallel size;
    - torchrun (`torchrun`, `python -m torch.distributed.run`): `--nproc-per-node`, at least one device each.

    KServe objects are read as the operator completes them: an InferenceService's `model` with the
    ServingRuntime or ClusterServingRuntime it names in `runtime` (when that runtime is among the linted
    objects; the runtime's `kserve-container` with the model's fields merged in and its `args` appended), and
    an LLMInferenceService's `main` container without a `command` of its own as KServe's presets start it
    (`vllm serve` with `--tensor-parallel-size` from `spec.parallelism.tensor` on one node, or
    `dataLocal` engines of `tensor` devices on every pod with data parallelism across nodes; then
    `VLLM_ADDITIONAL_ARGS` and the container's `args`; `spec.prefill.parallelism` for prefill pods). A
    Kubeflow Trainer TrainJob on a runtime with the torch policy (among the linted objects) starts torchrun
    with `PET_NPROC_PER_NODE` from `spec.trainer.numProcPerNode` (else the runtime's
    `mlPolicy.torch.numProcPerNode`) on the devices of `spec.trainer.resourcesPerNode` (else, when the TrainJob
    sets `numProcPerNode`, those of the runtime's `node` container, which it then keeps).

    It reports a server that needs more devices than the container has (it cannot start), and, with
    `report-idle` (default on), a container that requests more devices than a vLLM or TGI server started as
    the container's own process uses.

    Not judged (nothing is certain there): values that are not literal integers (`${TP}`, `auto`, templates),
    multi-node launches (vLLM `--nnodes`, `--headless`, data-parallel addresses and ranks, a Ray executor;
    SGLang `--nnodes`; scripts that mention `ray`; a `RAY_ADDRESS` variable), pods that form one server
    across pods (LeaderWorkerSet, KubeRay, KServe `workerSpec`, LLMInferenceService `worker` pods other than
    the data-parallel preset's), a ServingRuntime's `kserve-container` alone (each InferenceService replaces
    its resources and appends args) and a Trainer runtime's trainer `node` container alone (each TrainJob
    replaces its resources and process count), an InferenceService model whose runtime is not named or not among the
    linted objects, LLMInferenceServices with `baseRefs` or a `runtime`, containers
    that set a device-visibility variable (`CUDA_VISIBLE_DEVICES`, ...), containers with MIG slices, shared
    or fractional GPUs or other accelerators, vLLM context parallelism and `--config` files, a vLLM option
    abbreviated as its parser allows (`--tensor-parallel 4`), and in a shell script the idle direction
    (another command of the script may use the other devices).

    ## Why is this bad?
    A vLLM server runs one worker per device of its world (tensor x pipeline x data parallel size) and, on
    one node, fails at start-up when the node shows it fewer devices ("world_size ... is less than max local
    gpu count", or a Ray placement group that never fits); multi-node serving needs a Ray cluster or vLLM's
    own multi-node flags. TGI starts one shard per `--num-shard` and cannot place more shards than visible
    GPUs; torchrun starts `--nproc-per-node` processes and each takes the device of its local rank, so a
    process without one fails (`invalid device ordinal`, or NCCL's duplicate-GPU error). The other way round,
    a vLLM or TGI server uses exactly its world size: the container's other GPUs are reserved by the
    scheduler for the pod's whole life and do nothing.

    ## Example
    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: llama-70b
    spec:
      selector:
        matchLabels: {app: llama-70b}
      template:
        metadata:
          labels: {app: llama-70b}
        spec:
          containers:
            - name: vllm
              image: vllm/vllm-openai:v0.11.0
              args: [--model, meta-llama/Llama-3.1-70B-Instruct, --tensor-parallel-size, "8"]
              resources:
                limits:
                  nvidia.com/gpu: 4
    ```

    ## Use instead
    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: llama-70b
    spec:
      selector:
        matchLabels: {app: llama-70b}
      template:
        metadata:
          labels: {app: llama-70b}
        spec:
          containers:
            - name: vllm
              image: vllm/vllm-openai:v0.11.0
              args: [--model, meta-llama/Llama-3.1-70B-Instruct, --tensor-parallel-size, "8"]
              resources:
                limits:
                  nvidia.com/gpu: 8
    ```
    """
    if resource.group == TRAINER_GROUP and resource.kind == "TrainJob":
        yield from _trainjob(resource, params, ctx)
        return
    llmisvc = resource.group == "serving.kserve.io" and resource.kind == "LLMInferenceService"
    if _multi_pod(resource) and not llmisvc:
        return
    runtime_default = _runtime_default_path(resource)
    for pod_facts in gpu_facts(resource, ctx).pods:
        preset = _llmisvc_preset(resource, pod_facts.pod.path) if llmisvc else None
        for c, use in pod_facts.used:
            devices = {n: a for n, (a, _, _) in use.items() if a > 0}
            if not devices or any(use[n][2].kind not in PER_PROCESS_KINDS for n in devices):
                continue
            if any(acc.vendor == "HAMi" for _, _, acc in use.values()):
                continue
            total = sum(devices.values())
            if total.denominator != 1:
                continue
            if c.path == runtime_default or _trainer_default(resource, c):
                continue  # every InferenceService or TrainJob that uses the runtime completes this container
            count = int(total)
            limit: SiteValue = use[next(iter(devices))][1]
            unit = ", ".join(devices) if len(devices) > 1 else next(iter(devices))
            if llmisvc:
                if preset is not None and c.name == "main" and c.data.get("command") is None:
                    yield from _judge_preset(c, preset, count, unit, limit, params)
                    continue
                if preset is not None or _multi_pod(resource):
                    continue  # a preset we do not read, or one server across pods
            data: Mapping[str, Any] = c.data
            remap: dict[FieldPath, FieldPath | None] = {}
            note = ""
            if _runtime_completed(resource, c):
                merged = _with_runtime(resource, c, devices, ctx)
                if merged is None:
                    continue  # the runtime is not among the linted objects: its args and command are unknown
                data, remap, note = merged
            if not may_start_program(data, SERVER_MARKERS, images=True):
                continue  # names no server: nothing to read, and the parser is not imported
            names = _env_names(data)
            if names & VISIBILITY_ENV or "RAY_ADDRESS" in names:
                continue
            # Only here, for a container with whole GPUs or TPU chips: most objects never need the parser.
            from guardlint.rules.gpu._launch import invocations, literal_env

            env = literal_env(data)
            found = invocations(data, c.path, env)
            if not found:
                continue
            if any(not inv.exec_form for inv in found) and _mentions_ray(data):
                continue
            for inv in found:
                need = _need(inv, data, env, c.path)
                if need is None:
                    continue
                need = need._replace(what=need.what + note) if note else need
                # A word written in the runtime (another object) is not located here: the limit is.
                at = limit.path if need.word is None else remap.get(need.word.path, need.word.path)
                if need.uses > count:
                    yield Violation(
                        at if at is not None else limit.path,
                        f"{c.describe()} starts {need.what}, which needs {need.uses} devices, but requests "
                        f"{count} {unit}: a worker without a device fails, and so does the start-up",
                    )
                elif (params.report_idle and need.exact and need.uses < count and inv.exec_form
                      and len(found) == 1):
                    yield Violation(
                        limit.path,
                        f"{c.describe()} requests {count} {unit} but starts {need.what}, which uses "
                        f"{need.uses}: {_idle(count - need.uses)} reserved for the pod and idle",
                    )


def _judge_preset(c: ContainerRef, preset: _Preset, count: int, unit: str, limit: SiteValue, params: Params
                  ) -> Iterator[Violation]:
    """The ``main`` container of an LLMInferenceService that runs KServe's preset command: vLLM with the
    preset's options from ``spec.parallelism``, then ``VLLM_ADDITIONAL_ARGS`` and the container's own ``args``
    (the preset's script passes both after its own options; vLLM keeps an option's last value)."""
    from guardlint.rules.gpu._launch import Word, literal_env

    names = _env_names(c.data)
    if names & VISIBILITY_ENV:
        return
    env = literal_env(c.data)
    extra: list[Word] = []
    if "VLLM_ADDITIONAL_ARGS" in names:
        value = env.get("VLLM_ADDITIONAL_ARGS")
        if value is None or any(ch in value for ch in "$`\\'\"(){};&|<>*?"):
            return  # from a reference, or shell syntax the preset's eval would read: not known here
        index = max(i for i, e in enumerate(get_list(c.data, ("env",)) or ())
                    if isinstance(e, dict) and e.get("name") == "VLLM_ADDITIONAL_ARGS")
        extra.extend(Word(w, (*c.path, "env", index, "value")) for w in value.split())
    args = c.data.get("args")
    if args is not None:
        if not isinstance(args, list) or not all(isinstance(a, str) for a in args):
            return
        extra.extend(Word(a, (*c.path, "args", i)) for i, a in enumerate(args))
    need = _vllm((*preset.words, *extra), preset=len(preset.words))
    if need is None:
        return
    need = need._replace(what=f"{need.what} (KServe's {preset.name} preset)")
    if need.uses > count:
        yield Violation(
            need.word.path if need.word is not None else limit.path,
            f"{c.describe()} starts {need.what}, which needs {need.uses} devices, but requests {count} {unit}: "
            f"a worker without a device fails, and so does the start-up",
        )
    elif params.report_idle and need.uses < count:
        yield Violation(
            limit.path,
            f"{c.describe()} requests {count} {unit} but starts {need.what}, which uses {need.uses}: "
            f"{_idle(count - need.uses)} reserved for the pod and idle",
        )

KSERVE_RUNTIME_KINDS = ("ServingRuntime", "ClusterServingRuntime")
KSERVE_CONTAINER = "kserve-container"
KSERVE_MODEL_FIELDS = frozenset({
    "model", "sklearn", "xgboost", "tensorflow", "pytorch", "triton", "onnx", "huggingface", "pmml", "lightgbm",
    "paddle",
})
"""InferenceService predictor fields that are a container completed by a serving runtime: ``model`` (the runtime
named in ``runtime``, or one KServe selects by model format) and the framework shorthands (selected too)."""


class _Preset(NamedTuple):
    """The vLLM options KServe's LLMInferenceService preset writes for one workload, from ``spec.parallelism``."""

    name: str
    words: tuple[Word, ...]


def _runtime_index(containers: list[Any]) -> int | None:
    """The runtime container an InferenceService's model spec completes: the one named ``kserve-container``
    (KServe's predictor reconciler), or the first where none is (older releases took the first)."""
    for i, item in enumerate(containers):
        if isinstance(item, dict) and item.get("name") == KSERVE_CONTAINER:
            return i
    return 0 if containers else None


def _runtime_default_path(resource: Resource) -> FieldPath | None:
    """The path of a ServingRuntime's container that every InferenceService using the runtime completes.

    KServe merges the InferenceService's ``model`` container into it (``MergeRuntimeContainers``: a strategic
    merge patch, so the InferenceService's ``resources`` replace the runtime's per resource name, and its
    ``args`` are appended after the runtime's). The runtime's GPU count and parallel size are defaults that each
    InferenceService may change, so neither a shortage nor idle devices is certain on the runtime alone."""
    if resource.group != "serving.kserve.io" or resource.kind not in KSERVE_RUNTIME_KINDS:
        return None
    containers = get_list(resource.data, ("spec", "containers"))
    index = _runtime_index(list(containers)) if containers else None
    return None if index is None else ("spec", "containers", index)


def _runtime_completed(resource: Resource, c: ContainerRef) -> bool:
    return (resource.kind == "InferenceService" and len(c.path) == 3 and c.path[:2] == ("spec", "predictor")
            and c.path[2] in KSERVE_MODEL_FIELDS)


def _serving_runtime(resource: Resource, name: str, ctx: RuleContext) -> Resource | None:
    """The runtime KServe resolves ``name`` to: a ServingRuntime in the InferenceService's namespace, else a
    ClusterServingRuntime, among the linted objects of the same tree."""
    for kind in KSERVE_RUNTIME_KINDS:
        for r in ctx.index.named(kind, name):
            if r.group != "serving.kserve.io" or not ctx.index.same_tree(resource, r):
                continue
            if kind == "ServingRuntime" and not same_namespace(r.namespace, resource.namespace):
                continue
            return r
    return None


def _with_runtime(resource: Resource, c: ContainerRef, devices: Mapping[str, Any], ctx: RuleContext
                  ) -> tuple[dict[str, Any], dict[FieldPath, FieldPath | None], str] | None:
    """The predictor container as KServe runs it: the named runtime's container with the InferenceService's
    ``model`` merged in (its fields replace the runtime's, ``env`` entries by name, ``args`` appended), and for
    each command, args and env path of the merged container where it is written in this object (None: in the
    runtime). None when the result is not known exactly: no runtime named (KServe selects one by model format),
    the runtime not among the linted objects, a multi-node runtime, or a runtime resource the model spec does
    not replace (the container's devices would not be the ones read here)."""
    if resource.group != "serving.kserve.io" or c.path[2] != "model":
        return None
    name = c.data.get("runtime")
    runtime = _serving_runtime(resource, name, ctx) if isinstance(name, str) and name else None
    if runtime is None or get(runtime.data, ("spec", "workerSpec")) is not None:
        return None
    containers = list(get_list(runtime.data, ("spec", "containers")) or ())
    index = _runtime_index(containers)
    base = containers[index] if index is not None else None
    if not isinstance(base, dict):
        return None
    own = {k for section in ("limits", "requests") for k in (get(c.data, ("resources", section)) or {})}
    for section in ("limits", "requests"):
        held = get(base, ("resources", section))
        if isinstance(held, dict) and any("/" in str(k) and k not in own for k in held):
            return None
    if not set(devices) <= own:
        return None
    lists = [base.get("args"), c.data.get("args"), base.get("env"), c.data.get("env")]
    if any(v is not None and not isinstance(v, list) for v in lists):
        return None
    runtime_args, model_args, runtime_env, model_env = (v or [] for v in lists)
    merged: dict[str, Any] = dict(base)
    for field, value in c.data.items():
        if value is None:
            merged.pop(field, None)  # a null in a strategic merge patch deletes the field
        else:
            merged[field] = value
    remap: dict[FieldPath, FieldPath | None] = {}
    merged["args"] = [*runtime_args, *model_args]
    for i in range(len(merged["args"])):
        j = i - len(runtime_args)
        key: FieldPath = (*c.path, "args", i)
        remap[key] = (*c.path, "args", j) if j >= 0 else None
    if c.data.get("command") is None:
        for i in range(len(base.get("command") or ())):
            key = (*c.path, "command", i)
            remap[key] = None
    own_env = {e.get("name") for e in model_env if isinstance(e, dict)}
    kept = [e for e in runtime_env if not (isinstance(e, dict) and e.get("name") in own_env)]
    merged["env"] = [*kept, *model_env]
    for i in range(len(merged["env"])):
        j = i - len(kept)
        key = (*c.path, "env", i, "value")
        remap[key] = (*c.path, "env", j, "value") if j >= 0 else None
    return merged, remap, f" (merged with {runtime.kind} '{name}')"


def _int_field(parallelism: Mapping[str, Any], key: str) -> int | None:
    value = parallelism.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _llmisvc_preset(resource: Resource, pod_path: FieldPath) -> _Preset | None:
    """What KServe's presets for an LLMInferenceService pass to ``vllm serve`` from ``spec.parallelism`` (or
    ``spec.prefill.parallelism``) in the pod at ``pod_path``, for the presets read exactly (KServe's
    ``kserve-config-llm-*`` LLMInferenceServiceConfigs, selected by the controller from the spec):

    - one node (no ``worker``): ``--tensor-parallel-size`` when ``tensor`` is set (``config-llm-template``,
      ``-decode-template``, ``-prefill-template``);
    - several nodes with data parallelism (``worker`` and ``data`` or ``dataLocal``): every pod, leader and
      workers, runs ``--data-parallel-size-local`` (``dataLocal``, default 1) engines of ``--tensor-parallel-size``
      devices each (``config-llm-worker-data-parallel`` and its decode and prefill forms).

    None where nothing is certain: ``baseRefs`` (configurations that may replace the preset's command), a
    ``runtime`` other than the default, pipeline parallelism across nodes (Ray), a single node with a
    parallelism the preset does not pass, no ``tensor`` on a single node, values that are not integers."""
    spec = resource.data.get("spec")
    if not isinstance(spec, dict) or spec.get("baseRefs") or spec.get("runtime") is not None:
        return None
    at: FieldPath
    if pod_path[:2] == ("spec", "prefill"):
        workload, at, role = spec.get("prefill"), ("spec", "prefill"), "prefill-"
    else:
        workload, at, role = spec, ("spec",), "decode-" if spec.get("prefill") is not None else ""
    if not isinstance(workload, dict) or pod_path not in ((*at, "template"), (*at, "worker")):
        return None
    parallelism = workload.get("parallelism")
    if parallelism is None:
        parallelism = {}
    if not isinstance(parallelism, dict):
        return None
    from guardlint.rules.gpu._launch import Word

    where = (*at, "parallelism")
    tensor, data, local, pipeline = (_int_field(parallelism, k) for k in ("tensor", "data", "dataLocal", "pipeline"))
    if any(parallelism.get(k) is not None and v is None
           for k, v in zip(("tensor", "data", "dataLocal", "pipeline"), (tensor, data, local, pipeline),
                           strict=True)):
        return None
    words: list[Word] = []
    if tensor is not None and tensor > 0:
        words += [Word("--tensor-parallel-size", (*where, "tensor")), Word(str(tensor), (*where, "tensor"))]
    if workload.get("worker") is None:
        if not words or any(v is not None and v > 0 for v in (data, local, pipeline)):
            return None
        return _Preset(f"config-llm-{role or ''}template", tuple(words))
    if not ((data or 0) > 0 or (local or 0) > 0):
        return None  # pipeline parallelism (Ray), or no preset at all
    written = where if workload.get("parallelism") is not None else at
    words += [
        Word("--data-parallel-size", (*where, "data") if data else written), Word(str(data or 1), written),
        Word("--data-parallel-size-local", (*where, "dataLocal") if local else written),
        Word(str(local or 1), (*where, "dataLocal") if local else written),
    ]
    return _Preset(f"config-llm-{role}worker-data-parallel", tuple(words))


ANCESTOR_LABEL = "trainer.kubeflow.org/trainjob-ancestor-step"
TORCH_TUNE = ("tune", "run")
"""Kubeflow Trainer's torchtune entrypoint: the torch plugin rewrites that command instead of passing
``PET_NPROC_PER_NODE`` to torchrun."""


def _trainer_default(resource: Resource, c: ContainerRef) -> bool:
    """The trainer container (``node``) of a TrainingRuntime's or ClusterTrainingRuntime's trainer step: every
    TrainJob that uses the runtime replaces its resources with ``resourcesPerNode`` and may replace its command,
    args and process count (``numProcPerNode``), so its own GPU count and launch line are defaults."""
    if resource.group != TRAINER_GROUP or resource.kind not in TRAINER_RUNTIME_KINDS or c.name != "node":
        return False
    # The pod is at spec.template.spec.replicatedJobs[i].template.spec.template; the step label is on the
    # replicated job's template (``_trainer_container`` reads the same place).
    path = c.pod.path
    if len(path) < 5 or path[:4] != ("spec", "template", "spec", "replicatedJobs"):
        return False
    labels = get(resource.data, (*path[:5], "template", "metadata", "labels"))
    return isinstance(labels, dict) and labels.get(ANCESTOR_LABEL) == "trainer"


def _trainer_container(runtime: Resource) -> Mapping[str, Any] | None:
    """The ``node`` container of the runtime's trainer step (the replicated job labelled as the trainer)."""
    for job in get_list(runtime.data, ("spec", "template", "spec", "replicatedJobs")) or ():
        labels = get(job, ("template", "metadata", "labels")) if isinstance(job, dict) else None
        if not isinstance(labels, dict) or labels.get(ANCESTOR_LABEL) != "trainer":
            continue
        for c in get_list(job, ("template", "spec", "template", "spec", "containers")) or ():
            if isinstance(c, dict) and c.get("name") == "node":
                return c
    return None


def _nproc(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 1 else None
    from guardlint.rules.gpu._launch import positive_int
    return positive_int(value) if isinstance(value, str) else None


def _trainjob(resource: Resource, params: Params, ctx: RuleContext) -> Iterator[Violation]:
    """A Kubeflow Trainer TrainJob on a runtime with the torch policy: the torch plugin passes the process
    count to torchrun as ``PET_NPROC_PER_NODE`` (the TrainJob's ``spec.trainer.numProcPerNode``, else the
    runtime's ``mlPolicy.torch.numProcPerNode``; the operator's value replaces an env entry of that name), and
    the node's devices are ``spec.trainer.resourcesPerNode`` (they replace the runtime container's resources).
    The launch line is the TrainJob's ``command``/``args`` where given, else the runtime container's."""
    trainer = get(resource.data, ("spec", "trainer"))
    if not isinstance(trainer, dict):
        return
    site = next((s for s in gpu_facts(resource, ctx).sites if s.site.path == ("spec", "trainer", "resourcesPerNode")),
                None)
    own = trainer.get("numProcPerNode")
    if site is None and own is None:
        return  # the runtime's own process count and devices: the runtime's container alone is not judged
    runtime = trainer_runtime(resource, ctx)
    torch = get(runtime.data, ("spec", "mlPolicy", "torch")) if runtime is not None else None
    if runtime is None or not isinstance(torch, dict):
        return  # the runtime (and whether it runs torchrun) is not known
    base = _trainer_container(runtime) or {}
    if site is not None:
        use = site.use
        devices_from = "spec.trainer.resourcesPerNode requests"
    else:
        # No resourcesPerNode: the node container keeps the runtime's resources.
        use = next((u.use for p in gpu_facts(runtime, ctx).pods for u in p.used if u.container.data is base), {})
        devices_from = f"the node container of {runtime.kind} '{runtime.name}' (no resourcesPerNode) requests"
    devices = {n: a for n, (a, _, _) in use.items() if a > 0}
    if not devices or any(use[n][2].kind not in PER_PROCESS_KINDS or use[n][2].vendor == "HAMi" for n in devices):
        return
    total = sum(devices.values())
    if total.denominator != 1:
        return
    nproc = _nproc(own if own is not None else torch.get("numProcPerNode"))
    if nproc is None:
        return  # auto, gpu, cpu: the plugin or torchrun counts the devices itself
    path: FieldPath = ("spec", "trainer")
    command = trainer.get("command") if trainer.get("command") is not None else base.get("command")
    args = trainer.get("args") if trainer.get("args") is not None else base.get("args")
    if isinstance(command, list) and tuple(command) == TORCH_TUNE:
        return
    from guardlint.rules.gpu._launch import invocations

    container = {"command": command, "args": args, "env": trainer.get("env")}
    found = invocations(container, path, {})
    if not found or (any(not inv.exec_form for inv in found) and _mentions_ray(container)):
        return
    count = int(total)
    limit: SiteValue = use[next(iter(devices))][1]
    unit = ", ".join(devices) if len(devices) > 1 else next(iter(devices))
    written = ("spec", "trainer", "numProcPerNode")
    from guardlint.rules.gpu._launch import option

    for inv in found:
        if inv.program != "torchrun":
            continue
        if option(inv.words, TORCHRUN_NPROC, underscores=True, stop_at_script=True) is not None:
            continue  # torchrun's own option replaces the variable the plugin sets
        if nproc > count:
            where = (f"numProcPerNode {nproc}" if own is not None
                     else f"numProcPerNode {nproc} of {runtime.kind} '{runtime.name}'")
            yield Violation(
                written if own is not None else limit.path,
                f"TrainJob trainer starts torchrun with {where} (PET_NPROC_PER_NODE), which needs {nproc} "
                f"devices per node, but {devices_from} {count} {unit}: a process without a device fails, and so "
                "does the job",
            )
            return


def _idle(n: int) -> str:
    return "1 device stays" if n == 1 else f"{n} devices stay"


def _mentions_ray(container: Mapping[str, Any]) -> bool:
    """Some command or args item of the container names Ray (``ray start`` joins or starts a cluster that
    other pods' devices can be part of)."""
    for field in ("command", "args"):
        for item in get_list(container, (field,)) or ():
            if isinstance(item, str) and "ray" in item.replace(";", " ").replace("&", " ").split():
                return True
    return False


RULE = gpu_parallel_size_mismatch
