"""gpu-torchrun-rendezvous-missing: a multi-node torchrun launch whose pods cannot find each other."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from guardlint.model.access import get_list
from guardlint.rules.api import Reference, Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.gpu._support import TORCHRUN_MARKERS, gpu_facts, may_start_program

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

INJECTING_GROUPS = frozenset({"kubeflow.org", "trainer.kubeflow.org"})
"""Operators that write the rendezvous settings into the training container themselves (the Training
Operator's PyTorchJob and Kubeflow Trainer set ``MASTER_ADDR``/``PET_*`` variables)."""

ENDPOINT_OPTIONS = ("--rdzv-endpoint", "--master-addr")
NODE_RANK_OPTIONS = ("--node-rank",)

TORCHRUN = Reference(
    "PyTorch: torchrun (rendezvous, --nnodes, --rdzv-endpoint, --master-addr, --node-rank, PET_ variables)",
    "https://docs.pytorch.org/docs/stable/elastic/run.html",
)


def _max_nodes(text: str) -> int | None:
    """The largest node count of ``--nnodes`` (``N`` or ``MIN:MAX``), when it is a literal."""
    top = text.strip().rpartition(":")[2]
    return int(top) if top.isdigit() and top.isascii() else None


def _mentions(container: Mapping[str, Any], needles: tuple[str, ...]) -> bool:
    """Some env name or command/args item of the container holds one of ``needles`` (a variable the shell may
    export or pass on, which this rule does not evaluate)."""
    for e in get_list(container, ("env",)) or ():
        name = e.get("name") if isinstance(e, dict) else None
        if isinstance(name, str) and any(n in name for n in needles):
            return True
    for field in ("command", "args"):
        for item in get_list(container, (field,)) or ():
            if isinstance(item, str) and any(n in item for n in needles):
                return True
    return False


@rule(
    code="GPU068",
    name="gpu-torchrun-rendezvous-missing",
    # Gate: the rule yields nothing when this does not hold: it reads only the containers that name an accelerator
    # (``gpu_facts(...).pods[].used``), and an accelerator's name has a domain.
    gates=("extended-resources",),
    pods_only=True,
    title="Multi-node torchrun launch has no rendezvous address",
    severity=Severity.WARNING,
    pack="gpu",
    since="0.3.0",
    status="preview",
    tags=("gpu", "training", "kind-aware"),
    remediation=(
        "Give torchrun the address of the first pod (--rdzv-endpoint with --rdzv-backend=c10d, or --master-addr "
        "with --node-rank for the static rendezvous), for example the headless Service name of pod 0 of a "
        "JobSet or Indexed Job; drop --standalone from multi-node launches."
    ),
    references=(TORCHRUN,),
)
def gpu_torchrun_rendezvous_missing(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports GPU containers that start torchrun (`torchrun`, `python -m torch.distributed.run` or `.launch`)
    for several nodes (`--nnodes N` or `MIN:MAX` with more than one node) when, from the command line and the
    container's env:

    - `--standalone` is given (a rendezvous on the pod's own localhost), or
    - no rendezvous address is given (`--rdzv-endpoint`, `--master-addr`, or `PET_RDZV_ENDPOINT` /
      `PET_MASTER_ADDR`), or
    - the static rendezvous (the default `--rdzv-backend`) is used without `--node-rank` (`PET_NODE_RANK`).

    Values need not be literal (`--master-addr=$(MASTER_ADDR)` counts as given). Not judged: pods of the
    Kubeflow Training Operator and Kubeflow Trainer (they inject the rendezvous settings), containers with
    `envFrom` (it may set `PET_` variables), and containers whose env or scripts name a `PET_`, `RDZV` or
    `MASTER_ADDR` variable the shell may pass on.

    ## Why is this bad?
    torchrun's master address defaults to `127.0.0.1` and its rendezvous backend to `static`, where every node
    needs its own `--node-rank` (default 0). Without an address each pod rendezvouses with itself and waits
    for the other nodes until the rendezvous times out; with `--standalone` each pod forms a single-node
    rendezvous on localhost; without node ranks every pod claims node 0. In every case the GPUs of all pods
    stay allocated while the job hangs or fails.

    ## Example
    ```yaml
    apiVersion: batch/v1
    kind: Job
    metadata:
      name: ddp
    spec:
      completionMode: Indexed
      completions: 2
      parallelism: 2
      template:
        spec:
          restartPolicy: Never
          containers:
            - name: train
              image: nvcr.io/nvidia/pytorch:24.05-py3
              command: [torchrun, --nnodes=2, --nproc-per-node=8, train.py]
              resources:
                limits:
                  nvidia.com/gpu: 8
    ```

    ## Use instead
    ```yaml
    apiVersion: batch/v1
    kind: Job
    metadata:
      name: ddp
    spec:
      completionMode: Indexed
      completions: 2
      parallelism: 2
      template:
        spec:
          subdomain: ddp
          restartPolicy: Never
          containers:
            - name: train
              image: nvcr.io/nvidia/pytorch:24.05-py3
              command: [torchrun, --nnodes=2, --nproc-per-node=8, --rdzv-backend=c10d,
                        --rdzv-endpoint=ddp-0.ddp:29500, train.py]
              resources:
                limits:
                  nvidia.com/gpu: 8
    ```
    """
    if resource.group in INJECTING_GROUPS:
        return
    for pod_facts in gpu_facts(resource, ctx).pods:
        for c, use in pod_facts.used:
            if not any(amount > 0 for amount, _, _ in use.values()):
                continue
            if not may_start_program(c.data, TORCHRUN_MARKERS, images=False):
                continue  # names no torchrun: nothing to read, and the parser is not imported
            if get_list(c.data, ("envFrom",)) or _mentions(c.data, ("PET_", "RDZV", "MASTER_ADDR")):
                continue
            # Only here, for a GPU container: most objects never need the parser.
            from guardlint.rules.gpu._launch import has_option, invocations, launcher_options, literal_env, option

            for inv in invocations(c.data, c.path, literal_env(c.data)) or ():
                if inv.program != "torchrun":
                    continue
                words = launcher_options(inv.words)
                nnodes = option(words, frozenset({"--nnodes"}), underscores=True)
                nodes = _max_nodes(nnodes[0]) if nnodes is not None else None
                if nnodes is None or nodes is None or nodes <= 1:
                    continue
                where = nnodes[1].path
                span = f"up to {nodes}" if ":" in nnodes[0] else str(nodes)
                if has_option(words, ("--standalone",), underscores=True):
                    yield Violation(
                        where,
                        f"{c.describe()} starts torchrun for {span} nodes with --standalone: each pod "
                        "rendezvouses on its own localhost, the pods never meet and the job hangs until the "
                        "rendezvous times out",
                    )
                elif not has_option(words, ENDPOINT_OPTIONS, underscores=True):
                    yield Violation(
                        where,
                        f"{c.describe()} starts torchrun for {span} nodes without --rdzv-endpoint or "
                        "--master-addr: every pod rendezvouses at 127.0.0.1, with itself, and waits for the other "
                        "nodes until the rendezvous times out",
                    )
                else:
                    backend = option(words, frozenset({"--rdzv-backend"}), underscores=True)
                    if (backend is None or backend[0] == "static") and not has_option(
                        words, NODE_RANK_OPTIONS, underscores=True
                    ):
                        yield Violation(
                            where,
                            f"{c.describe()} starts torchrun for {span} nodes with the static rendezvous but no "
                            "--node-rank: every pod is node 0, and the nodes cannot form one job",
                        )


RULE = gpu_torchrun_rendezvous_missing
