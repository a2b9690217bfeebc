"""gpu-parallel-size-mismatch: a model server's or launcher's parallel size does not match the container's GPUs."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from guardlint._record import NamedTuple
from guardlint.findings import Severity
from guardlint.model.access import get, get_list
from guardlint.model.resource import Resource
from guardlint.rules.api import Reference, RuleContext, Violation, rule
from guardlint.rules.gpu._support import SERVER_MARKERS, gpu_facts, may_start_program
from guardlint.rules.params import param

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Annotated, Any

    from guardlint.model.requirements import SiteValue
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


def _vllm(words: tuple[Word, ...]) -> _Need | None:
    from guardlint.rules.gpu._launch import has_option, option
    if has_option(words, VLLM_NOT_JUDGED, underscores=True) or _abbreviated(words, VLLM_READ):
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
    # (``gpu_facts(...).pods[].used``), and an accelerator's name has a domain.
    gates=("extended-resources",),
    pods_only=True,
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
    script too) and literal `env` values (`$(VAR)` is expanded as the kubelet does), and compares the number
    of devices that process uses with the whole GPUs or TPU chips the container requests:

    - vLLM (`vllm serve`, `python -m vllm.entrypoints.openai.api_server`, the `vllm/vllm-openai` image):
      tensor-parallel x pipeline-parallel x data-parallel size (`--data-parallel-size-local` when given);
    - Hugging Face TGI (`text-generation-launcher`, its image): `--num-shard` or `NUM_SHARD`;
    - SGLang (`python -m sglang.launch_server`): at least tensor-parallel x pipeline-parallel size;
    - torchrun (`torchrun`, `python -m torch.distributed.run`): `--nproc-per-node`, at least one device each.

    It reports a server that needs more devices than the container has (it cannot start), and, with
    `report-idle` (default on), a container that requests more devices than a vLLM or TGI server started as
    the container's own process uses.

    Not judged (nothing is certain there): values that are not literal integers (`${TP}`, `auto`, templates),
    multi-node launches (vLLM `--nnodes`, `--headless`, data-parallel addresses and ranks, a Ray executor;
    SGLang `--nnodes`; scripts that mention `ray`; a `RAY_ADDRESS` variable), pods that form one server
    across pods (LeaderWorkerSet, KubeRay, KServe `workerSpec` and LLMInferenceService `worker`), containers
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
    if _multi_pod(resource):
        return
    for pod_facts in gpu_facts(resource, ctx).pods:
        for c, use in pod_facts.used:
            devices = {n: a for n, (a, _, _) in use.items() if a > 0}
            if not devices or any(use[n][2].kind not in PER_PROCESS_KINDS for n in devices):
                continue
            if any(acc.vendor == "HAMi" for _, _, acc in use.values()):
                continue
            total = sum(devices.values())
            if total.denominator != 1:
                continue
            if not may_start_program(c.data, SERVER_MARKERS, images=True):
                continue  # names no server: nothing to read, and the parser is not imported
            names = _env_names(c.data)
            if names & VISIBILITY_ENV or "RAY_ADDRESS" in names:
                continue
            # Only here, for a container with whole GPUs or TPU chips: most objects never need the parser.
            from guardlint.rules.gpu._launch import invocations, literal_env

            env = literal_env(c.data)
            found = invocations(c.data, c.path, env)
            if not found:
                continue
            if any(not inv.exec_form for inv in found) and _mentions_ray(c.data):
                continue
            count = int(total)
            limit: SiteValue = use[next(iter(devices))][1]
            unit = ", ".join(devices) if len(devices) > 1 else next(iter(devices))
            for inv in found:
                need = _need(inv, c.data, env, c.path)
                if need is None:
                    continue
                if need.uses > count:
                    yield Violation(
                        need.word.path if need.word is not None else limit.path,
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
