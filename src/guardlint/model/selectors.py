"""Label selectors, with the API's semantics: plain map selectors (Service, ReplicationController) and
``LabelSelector`` objects (matchLabels AND matchExpressions with In, NotIn, Exists, DoesNotExist), their
validity, a compact rendering for messages, and the terms an index can post pods under.

Pod templates are not pods: controllers and operators add labels to the pods they create. ``assume`` says
which selector terms count as satisfied without looking (``ASSUME_*``, ``pod_assumption``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from guardlint.model.groups import BUILTIN_WORKLOAD_GROUPS
from guardlint.model.workloads import PodSpecRef

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def label_value(value: Any) -> str | None:
    """A label value as the API compares it (YAML booleans and numbers as their text); None for a map or list."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    return None


CONTROLLER_LABELS = frozenset(
    {
        "pod-template-hash", "controller-revision-hash", "pod-template-generation",
        "statefulset.kubernetes.io/pod-name", "apps.kubernetes.io/pod-index", "controller-uid", "job-name",
        "batch.kubernetes.io/controller-uid", "batch.kubernetes.io/job-name",
        "batch.kubernetes.io/job-completion-index",
    }
)
"""Labels that controllers add to the pods they create: a selector term on them cannot be judged from a
pod template, so pod-selection rules treat it as satisfied."""


ASSUME_NOTHING = 0
"""Every term is judged from the labels."""
ASSUME_CONTROLLER_LABELS = 1
"""Terms on labels that built-in controllers add to pods are satisfied."""


ASSUME_OPERATOR_LABELS = 2
"""Also terms on prefixed labels the template does not set: an operator may add them to its pods."""


def assumed_satisfied(key: str, labels: Mapping[str, Any], mode: int) -> bool:
    """Whether a selector term on ``key`` counts as satisfied without looking (see ``ASSUME_*``)."""
    if mode == ASSUME_NOTHING:
        return False
    if key in CONTROLLER_LABELS:
        return True
    return mode == ASSUME_OPERATOR_LABELS and "/" in key and key not in labels


def match_labels(selector: Mapping[str, Any], labels: Mapping[str, Any], *, assume: int = ASSUME_NOTHING) -> bool:
    """A plain map selector (Service, ReplicationController): every key/value pair must be present."""
    for key, value in selector.items():
        if assumed_satisfied(str(key), labels, assume):
            continue
        want = label_value(value)
        if want is None or label_value(labels.get(key)) != want:
            return False
    return True


def label_selector_matches(
    selector: Mapping[str, Any], labels: Mapping[str, Any], *, assume: int = ASSUME_NOTHING
) -> bool | None:
    """A ``LabelSelector`` (matchLabels AND matchExpressions) against labels; None when the selector is
    malformed (the API would reject it, another check's business). An empty selector matches everything.
    ``assume`` says which terms count as satisfied without looking (labels added by controllers)."""
    match = selector.get("matchLabels")
    if match is not None:
        if not isinstance(match, dict):
            return None
        if not match_labels(match, labels, assume=assume):
            return False
    exprs = selector.get("matchExpressions")
    if exprs is None:
        return True
    if not isinstance(exprs, list):
        return None
    for expr in exprs:
        if not isinstance(expr, dict):
            return None
        key, op, values = expr.get("key"), expr.get("operator"), expr.get("values")
        if not isinstance(key, str):
            return None
        if op in ("In", "NotIn", "Exists", "DoesNotExist") and assumed_satisfied(key, labels, assume):
            continue
        present = key in labels and labels.get(key) is not None
        actual = label_value(labels.get(key)) if present else None
        if op in ("In", "NotIn"):
            if not isinstance(values, list) or not values:
                return None
            wanted = {label_value(v) for v in values}
            if op == "In" and actual not in wanted:
                return False
            if op == "NotIn" and present and actual in wanted:
                return False
        elif op == "Exists":
            if not present:
                return False
        elif op == "DoesNotExist":
            if present:
                return False
        else:
            return None
    return True


def selector_is_valid(selector: Mapping[str, Any]) -> bool:
    """Whether a LabelSelector is well-formed (operators known, values present where required)."""
    match = selector.get("matchLabels")
    if match is not None and not isinstance(match, dict):
        return False
    exprs = selector.get("matchExpressions")
    if exprs is None:
        return True
    if not isinstance(exprs, list):
        return False
    for expr in exprs:
        if not isinstance(expr, dict) or not isinstance(expr.get("key"), str):
            return False
        op, values = expr.get("operator"), expr.get("values")
        if op in ("In", "NotIn"):
            if not isinstance(values, list) or not values:
                return False
        elif op not in ("Exists", "DoesNotExist"):
            return False
    return True


def selector_is_empty(selector: Mapping[str, Any]) -> bool:
    return not selector.get("matchLabels") and not selector.get("matchExpressions")


def selector_text(selector: Mapping[str, Any]) -> str:
    """A compact rendering of a selector for messages: ``app=web,tier in (a,b)``."""
    parts: list[str] = []
    match = selector.get("matchLabels") if "matchLabels" in selector or "matchExpressions" in selector else selector
    if isinstance(match, dict):
        parts.extend(f"{k}={label_value(v)}" for k, v in match.items())
    exprs = selector.get("matchExpressions")
    if isinstance(exprs, list):
        for e in exprs:
            if not isinstance(e, dict):
                continue
            op = e.get("operator")
            if op in ("In", "NotIn") and isinstance(e.get("values"), list):
                vals = ",".join(str(v) for v in e["values"])
                parts.append(f"{e.get('key')} {str(op).lower()} ({vals})")
            elif op == "Exists":
                parts.append(str(e.get("key")))
            elif op == "DoesNotExist":
                parts.append(f"!{e.get('key')}")
    return ",".join(parts) or "<empty>"


def selector_terms(selector: Mapping[str, Any], label_selector: bool) -> Iterator[tuple[str, tuple[str, ...] | None]]:
    """Terms of a selector that every matching pod satisfies by its labels, unless the key is one controllers
    add (``CONTROLLER_LABELS``): ``key=value`` pairs, ``key in (...)`` and ``key exists``. Malformed terms are
    skipped (the exact match decides)."""
    pairs = selector.get("matchLabels") if label_selector else selector
    if isinstance(pairs, dict):
        for key, value in pairs.items():
            text = label_value(value)
            if isinstance(key, str) and key not in CONTROLLER_LABELS and text is not None:
                yield key, (text,)
    exprs = selector.get("matchExpressions") if label_selector else None
    if isinstance(exprs, list):
        for expr in exprs:
            if not isinstance(expr, dict):
                continue
            key, op, values = expr.get("key"), expr.get("operator"), expr.get("values")
            if not isinstance(key, str) or key in CONTROLLER_LABELS:
                continue
            if op == "In" and isinstance(values, list) and values:
                texts = tuple(label_value(v) for v in values)
                if None not in texts:  # a value no label can have also matches pods without the key
                    yield key, tuple(t for t in texts if t is not None)
            elif op == "Exists":
                yield key, None


def pod_assumption(pod: PodSpecRef) -> int:
    """Built-in controllers add a known set of labels to their pods; operators of custom resources add
    their own, usually prefixed ones."""
    return ASSUME_CONTROLLER_LABELS if pod.entry.group in BUILTIN_WORKLOAD_GROUPS else ASSUME_OPERATOR_LABELS
