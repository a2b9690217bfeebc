"""The GPU pack's accelerator registry, its extension by configuration, and quantity handling."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guardlint.engine import lint_loaded
from guardlint.model.quantity import quantity_value
from guardlint.model.resourcenames import is_extended, is_native, qualified_name_problem
from guardlint.rules.gpu.accelerators import BUILTIN_ACCELERATORS, DEFAULT_TABLE, table_for
from guardlint.rules.gpu.gpu_resource_name_invalid import name_problem
from guardlint.source.loader import load_text
from tests.helpers import settings_for


@pytest.mark.parametrize(
    ("name", "vendor", "kind"),
    [
        ("nvidia.com/gpu", "NVIDIA", "gpu"),
        ("nvidia.com/gpu.shared", "NVIDIA", "shared"),
        ("nvidia.com/mig-1g.5gb", "NVIDIA", "mig"),
        ("nvidia.com/mig-7g.80gb", "NVIDIA", "mig"),
        ("nvidia.com/mig-1c.3g.20gb", "NVIDIA", "mig"),
        ("nvidia.com/mig-3g.20gb.shared", "NVIDIA", "shared"),
        ("nvidia.com/gpumem", "HAMi", "other"),
        ("amd.com/gpu", "AMD", "gpu"),
        ("gpu.intel.com/i915", "Intel", "gpu"),
        ("gpu.intel.com/xe", "Intel", "gpu"),
        ("google.com/tpu", "Google", "tpu"),
        ("aws.amazon.com/neuron", "AWS", "neuron"),
        ("aws.amazon.com/neuroncore", "AWS", "neuron"),
        ("habana.ai/gaudi", "Intel Gaudi", "gaudi"),
    ],
)
def test_builtin_registry(name: str, vendor: str, kind: str) -> None:
    acc = DEFAULT_TABLE.lookup(name)
    assert acc is not None and acc.vendor == vendor and acc.kind == kind


@pytest.mark.parametrize(
    "name", ["nvidia.com/gpus", "nvidia.com/GPU", "nvidia.com/mig-1g.5GB", "vpc.amazonaws.com/efa"]
)
def test_not_in_registry(name: str) -> None:
    assert DEFAULT_TABLE.lookup(name) is None


def test_every_builtin_name_is_a_valid_extended_resource() -> None:
    for acc in BUILTIN_ACCELERATORS:
        name = acc.example if acc.pattern else acc.name
        assert is_extended(name), name
        assert name_problem(name) is None, name


def test_configuration_extends_and_overrides() -> None:
    options = {"accelerators": (
        {"name": "nvidia.com/a100", "vendor": "NVIDIA", "kind": "gpu", "max-per-node": 16},
        {"name": "acme\\.io/npu-[0-9]+", "pattern": True, "kind": "other"},
        {"name": "nvidia.com/gpu", "vendor": "NVIDIA", "kind": "gpu", "max-per-node": 16},
        {"name": "[", "pattern": True},
    )}
    table = table_for(options)
    a100 = table.lookup("nvidia.com/a100")
    assert a100 is not None and a100.max_per_node == 16
    npu = table.lookup("acme.io/npu-4")
    assert npu is not None and npu.vendor == "acme.io"
    gpu = table.lookup("nvidia.com/gpu")
    assert gpu is not None and gpu.max_per_node == 16
    assert table_for({}) is DEFAULT_TABLE
    assert table_for(options) is table  # cached per configuration


def test_configured_node_size_is_used() -> None:
    text = """\
apiVersion: v1
kind: Pod
metadata: {name: big}
spec:
  containers:
    - name: train
      image: nvcr.io/nvidia/pytorch:24.05-py3
      resources:
        limits: {nvidia.com/gpu: 12, acme.io/npu: 3}
"""
    plain = settings_for(["gpu-exceeds-node-capacity"]).plan
    assert [f.line for f in lint_loaded([load_text(text, "x.yaml")], plain).active] == [9]
    options = {"accelerators": ({"name": "nvidia.com/gpu", "kind": "gpu", "max-per-node": 16},
                                {"name": "acme.io/npu", "kind": "gpu", "max-per-node": 2})}
    configured = settings_for(["gpu-exceeds-node-capacity"], extra={"options": options}).plan
    found = lint_loaded([load_text(text, "x.yaml")], configured).active
    assert [f.message.split(" but ")[0] for f in found] == ["container 'train' requests 3 acme.io/npu"]


@pytest.mark.parametrize(
    ("raw", "value"),
    [(1, Fraction(1)), ("1", Fraction(1)), ("1000m", Fraction(1)), (0.5, Fraction(1, 2)), ("500m", Fraction(1, 2)),
     ("1.5Ki", Fraction(1536)), ("+2", Fraction(2)), ("-1", Fraction(-1))],
)
def test_quantities_compare_as_quantities(raw: object, value: Fraction) -> None:
    assert quantity_value(raw) == value


@pytest.mark.parametrize("raw", ["${GPU_COUNT}", "{{ .Values.gpus }}", "<GPUS>", None, "lots"])
def test_placeholders_and_junk_are_not_judged(raw: object) -> None:
    assert quantity_value(raw) is None


@pytest.mark.parametrize(
    ("name", "native", "extended", "invalid"),
    [
        ("cpu", True, False, False),
        ("gpu", True, False, True),
        ("nvidia.com/gpu", False, True, False),
        ("nvidia.com/GPU", False, True, False),
        ("NVIDIA.com/gpu", False, False, True),
        ("requests.nvidia.com/gpu", False, False, True),
        ("alpha.kubernetes.io/nvidia-gpu", True, False, False),
        ("nvidia.com/gpu/a100", False, False, True),
        ("hugepages-2Mi", True, False, False),
    ],
)
def test_resource_name_classification(name: str, native: bool, extended: bool, invalid: bool) -> None:
    assert is_native(name) is native
    assert is_extended(name) is extended
    assert (name_problem(name) is not None) is invalid


def test_qualified_name_problems() -> None:
    assert qualified_name_problem("nvidia.com/gpu") is None
    assert qualified_name_problem("a/b/c") is not None
    assert qualified_name_problem("/gpu") is not None
    assert qualified_name_problem("nvidia.com/" + "g" * 64) is not None


def _fullmatch_lookup(table: object, name: str) -> object:
    """``AcceleratorTable.lookup`` without the literal-prefix pre-check: exact names, then every pattern."""
    import re

    found = table.exact.get(name)  # type: ignore[attr-defined]
    if found is not None:
        return found
    for _, regex, acc in table.patterns:  # type: ignore[attr-defined]
        if re.fullmatch(regex.pattern, name):
            return acc
    return None


@pytest.mark.parametrize("name", [
    "nvidia.com/mig-1g.5gb", "nvidia.com/mig-1c.3g.20gb.me", "nvidia.com/mig-3g.20gb.shared", "nvidia.com/mig-",
    "nvidia.com/mig", "nvidia.com/mig-1g.5gbx", "NVIDIA.com/mig-1g.5gb", "nvidia.comXmig-1g.5gb", "cpu", "",
    "example.com/mig-1g.5gb", "nvidia.com/gpu", "acme.io/npu-a", "acme.io/npu-", "x/acme.io/npu-a",
])
def test_the_prefix_check_finds_what_the_patterns_match(name: str) -> None:
    """The built-in patterns are compiled on first use and tried only on names with their literal prefix; a
    configured pattern is tried on every name. Both answer what trying every pattern answers."""
    table = table_for({"accelerators": [{"name": "acme\\.io/npu-[a-z]+", "pattern": True, "kind": "other"}]})
    assert [p for p, _, _ in DEFAULT_TABLE.patterns] == ["nvidia.com/mig-", "nvidia.com/mig-"]
    assert next(p for p, _, _ in table.patterns) == ""  # the configuration's row, first
    for t in (DEFAULT_TABLE, table):
        assert t.lookup(name) == _fullmatch_lookup(t, name)


def test_a_configured_pattern_that_does_not_compile_is_left_out() -> None:
    table = table_for({"accelerators": [{"name": "acme.io/(npu", "pattern": True}]})
    assert len(table.patterns) == len(DEFAULT_TABLE.patterns)


_PIECES = ["a", "b", "/", "-", "_", "\\.", ".", "?", "*", "+", "{1,2}", "(?:a|b)", "[ab]", "|", "(a)", "a?"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), min_size=1, max_size=8), st.data())
def test_literal_prefix_starts_every_full_match(pieces: list[str], data: st.DataObject) -> None:
    import re

    from guardlint.rules.gpu.accelerators import literal_prefix

    pattern = "".join(pieces)
    try:
        re.compile(pattern)
    except re.error:
        return
    text = data.draw(st.from_regex(pattern, fullmatch=True))
    assert text.startswith(literal_prefix(pattern)), (pattern, text)


@pytest.mark.parametrize(("pattern", "prefix"), [
    ("nvidia\\.com/mig-(?:[0-9]+c\\.)?[0-9]+g", "nvidia.com/mig-"), ("ab?c", "a"), ("a\\.b*", "a."), ("ab{2}", "a"),
    ("a.b", "a"), ("x|y", ""), ("abc|", ""), ("(a)b", ""), ("[a]b", ""), ("abc", "abc"),
])
def test_literal_prefix(pattern: str, prefix: str) -> None:
    from guardlint.rules.gpu.accelerators import literal_prefix

    assert literal_prefix(pattern) == prefix
