"""How the GPU pack reads a container's launch line (``rules/gpu/_launch.py``): exact or nothing."""

from __future__ import annotations

from typing import Any

import pytest

from guardlint.rules.gpu._launch import (
    expand_env,
    image_program,
    invocations,
    literal_env,
    option,
    positive_int,
)

BASE = ("spec", "containers", 0)


def _programs(container: dict[str, Any]) -> list[tuple[str, bool, list[str]]] | None:
    found = invocations(container, BASE, literal_env(container))
    if found is None:
        return None
    return [(inv.program, inv.exec_form, [w.text for w in inv.words]) for inv in found]


def test_expand_env_like_the_kubelet() -> None:
    env = {"TP": "4", "MODEL": "m"}
    assert expand_env("--tp=$(TP)", env) == "--tp=4"
    assert expand_env("$$(TP)", env) == "$(TP)"  # escaped
    assert expand_env("$(UNKNOWN) ${TP} $TP", env) == "$(UNKNOWN) ${TP} $TP"  # shell forms are the shell's
    assert expand_env("$(TP", env) == "$(TP"


def test_literal_env_drops_references_and_later_entries_win() -> None:
    container = {"env": [
        {"name": "A", "value": "1"}, {"name": "B", "valueFrom": {"configMapKeyRef": {"name": "x", "key": "b"}}},
        {"name": "C", "value": "$(A)"}, {"name": "A", "value": "2"},
    ]}
    # C is expanded with the A defined before it (the kubelet expands each value in list order).
    assert literal_env(container) == {"A": "2", "C": "1"}
    container = {"env": [{"name": "A", "value": "1"}, {"name": "A", "valueFrom": {}}]}
    assert literal_env(container) == {}


def test_literal_env_expands_only_earlier_variables() -> None:
    """The kubelet expands an env value's $(VAR) with the variables defined before it: a reference to a later one,
    to one from a ConfigMap, or to no variable stays as written, so the value is unknown here."""
    container = {"env": [
        {"name": "LISTEN", "value": "0.0.0.0:$(PORT)"}, {"name": "PORT", "value": "8080"},
        {"name": "GPUS", "value": "4"}, {"name": "NPROC", "value": "$(GPUS)"},
        {"name": "FROM_MAP", "valueFrom": {"configMapKeyRef": {"name": "x", "key": "k"}}},
        {"name": "X", "value": "$(FROM_MAP)"}, {"name": "Y", "value": "$(NOWHERE)"}, {"name": "Z", "value": "$$(GPUS)"},
    ]}
    assert literal_env(container) == {"PORT": "8080", "GPUS": "4", "NPROC": "4"}


@pytest.mark.parametrize(("image", "program"), [
    ("vllm/vllm-openai:v0.11.0", "vllm"),
    ("docker.io/vllm/vllm-openai@sha256:" + "1" * 64, "vllm"),
    ("localhost:5000/vllm/vllm-openai", "vllm"),
    ("vllm/vllm-openai-cpu:v0.11.0", None),
    ("example.com/vllm-openai:v1", None),
    ("ghcr.io/huggingface/text-generation-inference:3.3.4", "tgi"),
    ("us-docker.pkg.dev/deeplearning-platform-release/gcr.io/huggingface-text-generation-inference-cu124.2-3", "tgi"),
    ("nvcr.io/nvidia/pytorch:24.05-py3", None),
    (None, None),
])
def test_image_program(image: Any, program: str | None) -> None:
    assert image_program(image) == program


def test_image_entrypoint_only_without_command() -> None:
    assert _programs({"image": "vllm/vllm-openai:v1", "args": ["-tp", "2"]}) == [("vllm", True, ["-tp", "2"])]
    # A command replaces the image's entrypoint.
    assert _programs({"image": "vllm/vllm-openai:v1", "command": ["sleep"], "args": ["-tp", "2"]}) == []


def test_exec_forms() -> None:
    assert _programs({"command": ["vllm", "serve", "m"], "args": ["--tensor-parallel-size=2"]}) == [
        ("vllm", True, ["m", "--tensor-parallel-size=2"])]
    command = ["/usr/bin/python3", "-u", "-m", "vllm.entrypoints.openai.api_server", "-tp", "2"]
    assert _programs({"command": command}) == [("vllm", True, ["-tp", "2"])]
    assert _programs({"command": ["python", "serve.py", "-m", "vllm.entrypoints.openai.api_server"]}) == []
    assert _programs({"command": ["torchrun", "--nproc-per-node=4", "t.py"]}) == [
        ("torchrun", True, ["--nproc-per-node=4", "t.py"])]
    assert _programs({"command": ["python", "-m", "sglang.launch_server", "--tp", "2"]}) == [
        ("sglang", True, ["--tp", "2"])]
    assert _programs({"command": ["text-generation-launcher"], "args": ["--num-shard", "2"]}) == [
        ("tgi", True, ["--num-shard", "2"])]
    assert _programs({"command": ["vllm", "serve", {"not": "a string"}]}) is None


def test_shell_scripts() -> None:
    script = "set -e\npip list && exec env A=1 vllm serve m \\\n  --tensor-parallel-size 4 # comment --tp 9\necho done"
    assert _programs({"command": ["/bin/bash", "-ec", script]}) == [
        ("vllm", False, ["m", "--tensor-parallel-size", "4"])]
    two = "vllm serve a -tp 1 & vllm serve b -tp 2; wait"
    assert [(p, w) for p, _, w in _programs({"command": ["sh", "-c"], "args": [two]}) or []] == [
        ("vllm", ["a", "-tp", "1"]), ("vllm", ["b", "-tp", "2"])]
    assert _programs({"command": ["sh", "-c", "vllm serve 'unclosed"]}) is None
    assert _programs({"command": ["sh", "script.sh"]}) == []


def test_option_values() -> None:
    words = invocations({"command": ["vllm", "serve", "m", "--tensor_parallel_size", "2", "-tp=4"]}, BASE, {})
    assert words is not None
    found = option(words[0].words, frozenset({"--tensor-parallel-size", "-tp"}), underscores=True)
    assert found is not None and found[0] == "4"  # the last one wins, as in argparse
    assert option(words[0].words, frozenset({"--tensor-parallel-size"}), underscores=False) is None
    run = invocations({"command": ["torchrun", "--nproc_per_node", "2", "train.py", "--nproc_per_node", "8"]}, BASE, {})
    assert run is not None
    found = option(run[0].words, frozenset({"--nproc-per-node"}), underscores=True, stop_at_script=True)
    assert found is not None and found[0] == "2"  # the script's own options are not torchrun's


@pytest.mark.parametrize(("text", "value"), [("4", 4), (" 2 ", 2), ("0", None), ("auto", None), ("${TP}", None),
                                             ("²", None), ("-1", None), ("1.5", None)])
def test_positive_int(text: str, value: int | None) -> None:
    assert positive_int(text) == value


def test_launcher_options_stop_at_the_script() -> None:
    from guardlint.rules.gpu._launch import launcher_options

    for command, expected in (
        (["torchrun", "--nnodes=2", "train.py", "--master-addr=x"], ["--nnodes=2"]),
        (["torchrun", "--nnodes", "2", "-m", "pkg.train", "--node-rank", "1"], ["--nnodes", "2"]),
        (["torchrun", "--standalone"], ["--standalone"]),
    ):
        found = invocations({"command": command}, BASE, {})
        assert found is not None
        assert [w.text for w in launcher_options(found[0].words)] == expected


FORMS: list[dict[str, Any]] = [
    {"image": "vllm/vllm-openai:v1", "args": ["-tp", "2"]},
    {"image": "ghcr.io/huggingface/text-generation-inference:3", "args": ["--num-shard", "2"]},
    {"image": "x/huggingface-text-generation-inference-cu124", "args": []},
    {"command": ["vllm", "serve", "m"]},
    {"command": ["python3", "-m", "vllm.entrypoints.api_server"]},
    {"command": ["python", "-m", "sglang.launch_server", "--tp", "2"]},
    {"command": ["/usr/bin/text-generation-launcher"]},
    {"command": ["torchrun", "--nnodes=2", "t.py"]},
    {"command": ["python", "-m", "torch.distributed.launch", "t.py"]},
    {"command": ["sh", "-c"], "args": ["set -e; exec torchrun --nnodes 2 t.py"]},
    {"command": ["$(LAUNCHER)", "serve", "m"], "env": [{"name": "LAUNCHER", "value": "vllm"}]},
    {"command": ["$(LAUNCHER)", "serve", "m"],
     "env": [{"name": "V", "value": "vl"}, {"name": "LAUNCHER", "value": "$(V)lm"}]},  # made of two values
    {"command": ["bash", "-c", "$(RUN) --nnodes 2 t.py"], "env": [{"name": "RUN", "value": "torchrun"}]},
]


@pytest.mark.parametrize("container", FORMS, ids=range(len(FORMS)))
def test_the_prefilter_keeps_every_container_with_a_program(container: dict[str, Any]) -> None:
    from guardlint.rules.gpu._support import SERVER_MARKERS, TORCHRUN_MARKERS, may_start_program

    found = invocations(container, BASE, literal_env(container))
    assert found, "every form above starts a program"
    assert may_start_program(container, SERVER_MARKERS, images=True)
    if any(inv.program == "torchrun" for inv in found):
        assert may_start_program(container, TORCHRUN_MARKERS, images=False)


def test_the_prefilter_drops_containers_without_a_program() -> None:
    from guardlint.rules.gpu._support import SERVER_MARKERS, may_start_program

    for container in (
        {"image": "vllm/vllm-openai:v1", "command": ["python", "app.py"]},  # the command replaces the entrypoint
        {"image": "nvcr.io/nvidia/pytorch:24.05-py3", "args": ["train.py"]},
        {"command": ["sh", "-c", "python serve.py --port 8000"]},
        {},
    ):
        assert not may_start_program(container, SERVER_MARKERS, images=True)
        assert not invocations(container, BASE, literal_env(container))


def test_the_prefilter_reads_expansions_only_from_literal_values() -> None:
    from guardlint.rules.gpu._support import TORCHRUN_MARKERS, may_start_program

    container: dict[str, Any] = {"command": ["bash", "-c", "run.sh --size=$(LWS_GROUP_SIZE)"],
                                 "env": [{"name": "LWS_GROUP_SIZE", "value": "2"}]}
    assert not may_start_program(container, TORCHRUN_MARKERS, images=False)
    assert not invocations(container, BASE, literal_env(container))
    container["env"].append({"name": "RUN", "valueFrom": {"configMapKeyRef": {"name": "c", "key": "torchrun"}}})
    assert not may_start_program(container, TORCHRUN_MARKERS, images=False)
