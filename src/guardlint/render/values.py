"""Values files: merging them as Helm does, and finding the line that sets a values path."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from guardlint._record import NamedTuple
from guardlint.findings import Location
from guardlint.model.paths import FieldPath
from guardlint.source.loader import Document


def deep_merge(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    """Helm's rule for ``-f a.yaml -f b.yaml``: mappings merge key by key, any other value replaces."""
    out = dict(base)
    for key, value in over.items():
        current = out.get(key)
        if isinstance(current, Mapping) and isinstance(value, Mapping):
            out[key] = deep_merge(current, value)
        else:
            out[key] = value
    return out


class ValuesFile(NamedTuple):
    display: str
    document: Document | None
    prefix: FieldPath
    """Where this file's keys sit in the parent chart's values (a subchart's own values.yaml: its name)."""


def _get(data: Any, path: FieldPath) -> tuple[bool, Any]:
    for part in path:
        if isinstance(part, int):
            if not isinstance(data, list) or not 0 <= part < len(data):
                return False, None
            data = data[part]
        else:
            if not isinstance(data, Mapping) or part not in data:
                return False, None
            data = data[part]
    return True, data


def find_value(files: Sequence[ValuesFile], path: FieldPath, rendered: Any
               ) -> tuple[str, Location, FieldPath] | None:
    """The values file and line that give ``path`` (in the parent chart's values) its value: the last file
    in ``files`` that sets it, when the value it sets is the one that was rendered; with the path of that
    entry in the file (``path`` without a subchart's prefix)."""
    for vf in reversed(files):
        doc = vf.document
        if doc is None:
            continue
        if vf.prefix:
            if tuple(path[: len(vf.prefix)]) != vf.prefix:
                continue
            local = path[len(vf.prefix):]
        else:
            local = path
        found, value = _get(doc.data, local)
        if not found:
            continue
        if not isinstance(value, (Mapping, list)) and not _same(value, rendered):
            return None  # the template changed the value (a default, a function): not straight from values
        loc, exact = doc.locate(local)
        return (vf.display, loc, tuple(local)) if exact else None
    return None


def _same(value: Any, rendered: Any) -> bool:
    if rendered is _UNKNOWN:
        return True
    if value == rendered:
        return True
    return str(value).lower() == str(rendered).lower()


_UNKNOWN = object()
UNKNOWN = _UNKNOWN
"""``rendered`` when the rendered value is not known (then any value matches)."""
