"""The accelerator registry: every resource name a device plugin advertises for GPUs and AI accelerators.

One data table, extended by configuration (``accelerators:`` in ``.guardlint.yaml``, passed to rules as
``ctx.options["accelerators"]``). Entries from configuration come after the built-in ones and win for the
same name, so a cluster can declare a renamed resource, a custom device plugin or its node size.

Sources for the built-in rows:

- NVIDIA: k8s-device-plugin README (``nvidia.com/gpu``; MIG "mixed" strategy ``nvidia.com/mig-<g>g.<mem>gb``;
  time-slicing and MPS with ``renameByDefault`` advertise ``<name>.shared``).
- HAMi vGPU: ``nvidia.com/gpucores``, ``nvidia.com/gpumem``, ``nvidia.com/gpumem-percentage`` (HAMi device
  config defaults).
- AMD: ROCm k8s-device-plugin (``amd.com/gpu``).
- Intel: intel-device-plugins-for-kubernetes GPU plugin (``gpu.intel.com/i915``, ``gpu.intel.com/xe``, the
  ``*_monitoring`` resources, and the GPU Aware Scheduling fractional resources).
- Google: GKE TPU documentation (``google.com/tpu``).
- AWS: Neuron device plugin documentation (``aws.amazon.com/neuron``, ``aws.amazon.com/neuroncore``).
- Intel Gaudi (Habana): Gaudi device plugin documentation (``habana.ai/gaudi``).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from types import MappingProxyType

from guardlint._lazyre import LazyPattern, lazy
from guardlint._record import NamedTuple

TYPE_CHECKING = False
if TYPE_CHECKING:
    import re
    from typing import Any

__all__ = [
    "ACCELERATOR_KINDS",
    "BUILTIN_ACCELERATORS",
    "Accelerator",
    "AcceleratorTable",
    "table_for",
]

ACCELERATOR_KINDS = ("gpu", "mig", "shared", "tpu", "neuron", "gaudi", "other")
"""Families: whole devices (gpu, tpu, neuron, gaudi), NVIDIA MIG slices, time-sliced/MPS replicas, and other
accelerator-accounting resources (HAMi vGPU memory and cores, Intel fractional resources)."""

WHOLE_DEVICE_KINDS = frozenset({"gpu", "tpu", "neuron", "gaudi"})


class Accelerator(NamedTuple):
    """One accelerator resource name (or a regular expression over names when ``pattern`` is true)."""

    name: str
    vendor: str
    kind: str
    pattern: bool = False
    max_per_node: int | None = None
    """Devices of this resource on the largest node, when known; None: the capacity rule's node size."""
    sized: bool = True
    """Whether the capacity rule's node-size parameter applies when ``max_per_node`` is unset."""
    example: str = ""
    """A concrete name for documentation (for patterns)."""

    @property
    def whole_device(self) -> bool:
        return self.kind in WHOLE_DEVICE_KINDS


_MIG = r"nvidia\.com/mig-(?:[0-9]+c\.)?[0-9]+g\.[0-9]+gb(?:\.me)?"

BUILTIN_ACCELERATORS: tuple[Accelerator, ...] = (
    Accelerator("nvidia.com/gpu", "NVIDIA", "gpu"),
    Accelerator("nvidia.com/gpu.shared", "NVIDIA", "shared"),
    Accelerator(_MIG, "NVIDIA", "mig", pattern=True, example="nvidia.com/mig-1g.5gb"),
    Accelerator(_MIG + r"\.shared", "NVIDIA", "shared", pattern=True, example="nvidia.com/mig-1g.5gb.shared"),
    Accelerator("nvidia.com/gpucores", "HAMi", "other"),
    Accelerator("nvidia.com/gpumem", "HAMi", "other"),
    Accelerator("nvidia.com/gpumem-percentage", "HAMi", "other"),
    Accelerator("amd.com/gpu", "AMD", "gpu"),
    Accelerator("gpu.intel.com/i915", "Intel", "gpu"),
    Accelerator("gpu.intel.com/xe", "Intel", "gpu"),
    Accelerator("gpu.intel.com/i915_monitoring", "Intel", "other"),
    Accelerator("gpu.intel.com/xe_monitoring", "Intel", "other"),
    Accelerator("gpu.intel.com/millicores", "Intel", "other"),
    Accelerator("gpu.intel.com/memory.max", "Intel", "other"),
    Accelerator("gpu.intel.com/tiles", "Intel", "other"),
    Accelerator("google.com/tpu", "Google", "tpu"),
    Accelerator("aws.amazon.com/neuron", "AWS", "neuron", max_per_node=16),
    Accelerator("aws.amazon.com/neuroncore", "AWS", "neuron", sized=False),
    Accelerator("habana.ai/gaudi", "Intel Gaudi", "gaudi"),
)
"""The built-in registry, in documentation order."""


class AcceleratorTable(NamedTuple):
    """Lookup over the registry: exact names first, then patterns (configuration rows win).

    Each pattern comes with a literal prefix that every name it matches starts with (empty for configuration
    rows): a name without it is not tried, so the built-in patterns are compiled only when a name could match."""

    exact: Mapping[str, Accelerator]
    patterns: tuple[tuple[str, re.Pattern[str] | LazyPattern, Accelerator], ...]

    def lookup(self, name: str) -> Accelerator | None:
        found = self.exact.get(name)
        if found is not None:
            return found
        for prefix, regex, acc in self.patterns:
            if name.startswith(prefix) and regex.fullmatch(name):
                return acc
        return None

    def names(self) -> tuple[str, ...]:
        """Every exact name and pattern example, for suggestions."""
        return (*self.exact, *(acc.example for _, _, acc in self.patterns if acc.example))


_LITERAL = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/-_")
_QUANTIFIERS = frozenset("?*+{")


def literal_prefix(pattern: str) -> str:
    """Text that every string the regular expression ``pattern`` fully matches starts with: its leading
    letters, digits, ``/``, ``-``, ``_`` and escaped dots, up to the first other character (a group, a class,
    a bare dot ...), less the last of them when a quantifier follows it (``ab?`` matches ``a``). A pattern with
    a ``|`` anywhere may match by another branch: its prefix is empty. Exact, so ``lookup`` may skip a name
    without it."""
    if "|" in pattern:
        return ""
    out: list[str] = []
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c in _LITERAL:
            out.append(c)
            i += 1
        elif pattern.startswith("\\.", i):
            out.append(".")
            i += 2
        else:
            break
    if i < len(pattern) and pattern[i] in _QUANTIFIERS and out:
        out.pop()
    return "".join(out)


def _build(entries: Sequence[Accelerator], *, builtin: int = 0) -> AcceleratorTable:
    """The table of ``entries``, whose first ``builtin`` rows are the built-in ones: their patterns are compiled
    on first use (after their literal prefix matched); a configuration's are compiled now, and one that does not
    compile is left out."""
    exact: dict[str, Accelerator] = {}
    patterns: list[tuple[str, re.Pattern[str] | LazyPattern, Accelerator]] = []
    for i, acc in enumerate(entries):
        if not acc.pattern:
            exact[acc.name] = acc
        elif i < builtin:
            patterns.insert(0, (literal_prefix(acc.name), lazy(acc.name), acc))
        else:
            import re

            try:
                patterns.insert(0, ("", re.compile(acc.name), acc))
            except re.error:
                continue
    return AcceleratorTable(MappingProxyType(exact), tuple(patterns))


DEFAULT_TABLE = _build(BUILTIN_ACCELERATORS, builtin=len(BUILTIN_ACCELERATORS))


def _vendor_of(name: str) -> str:
    return name.split("/", 1)[0].replace("\\", "") if "/" in name else "custom"


def _from_config(item: Mapping[str, Any]) -> Accelerator | None:
    name = item.get("name")
    if not isinstance(name, str) or not name:
        return None
    kind = item.get("kind")
    vendor = item.get("vendor")
    max_per_node = item.get("max-per-node", item.get("max_per_node"))
    return Accelerator(
        name=name,
        vendor=vendor if isinstance(vendor, str) and vendor else _vendor_of(name),
        kind=kind if isinstance(kind, str) and kind in ACCELERATOR_KINDS else "other",
        pattern=item.get("pattern") is True,
        max_per_node=max_per_node if isinstance(max_per_node, int) and not isinstance(max_per_node, bool) else None,
        example="" if item.get("pattern") is True else name,
    )


@functools.lru_cache(maxsize=16)
def _extended(key: tuple[Accelerator, ...]) -> AcceleratorTable:
    return _build((*BUILTIN_ACCELERATORS, *key), builtin=len(BUILTIN_ACCELERATORS))


def table_for(options: Mapping[str, Any]) -> AcceleratorTable:
    """The registry for a run: the built-in rows plus the ``accelerators`` rows of the configuration."""
    raw = options.get("accelerators") if options else None
    if not raw:
        return DEFAULT_TABLE
    extra = tuple(acc for item in raw if isinstance(item, Mapping) for acc in [_from_config(item)] if acc)
    return _extended(extra) if extra else DEFAULT_TABLE
