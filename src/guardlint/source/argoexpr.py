"""Argo Workflows expressions (``{{inputs.parameters.x}}``, ``{{workflow.name}}``, ``{{=sprig.trim(x)}}``) in text
that guardlint parses as YAML: an Argo ``resource`` template's ``manifest`` and a ``podSpecPatch``.

Argo substitutes the expressions in the text before anything parses it, so the text as written may not be
the YAML it becomes (``name: {{workflow.name}}`` is a flow mapping until then). ``mask`` replaces each
expression's two-character delimiters by two private-use characters each (``{{`` by U+E000 U+E001, ``}}`` by
U+E002 U+E003) and keeps what is between them: the text keeps its length, lines and columns, an unquoted
expression reads as a plain scalar, and ``unmask`` turns every string of the parsed data back into the text
as written. A string that holds an expression (``has_expression``) is a value Argo fills in at run time: no
rule can judge it.

An expression whose inside breaks the YAML around it (a ``: `` or a ``,`` in an unquoted flow value) leaves
the masked text unparsable: the caller then treats the whole text as unknown. Private-use characters never
occur in Kubernetes manifests; text that already holds one is not masked (``mask`` returns None).
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

OPEN, CLOSE = "\ue000\ue001", "\ue002\ue003"
_MARKS = ("\ue000", "\ue001", "\ue002", "\ue003")


def mask(text: str) -> str | None:
    """``text`` with every ``{{`` ... ``}}`` expression's delimiters replaced (same length, same lines); None when
    the text already holds one of the marker characters (it could not be unmasked exactly)."""
    if any(m in text for m in _MARKS):
        return None
    if "{{" not in text:
        return text
    out: list[str] = []
    at = 0
    while True:
        start = text.find("{{", at)
        if start < 0:
            break
        end = text.find("}}", start + 2)
        if end < 0:
            break
        out.append(text[at:start])
        out.append(OPEN)
        out.append(text[start + 2:end])
        out.append(CLOSE)
        at = end + 2
    out.append(text[at:])
    return "".join(out)


def unmask_str(value: str) -> str:
    return value.replace(OPEN, "{{").replace(CLOSE, "}}") if "\ue000" in value or "\ue002" in value else value


def unmask(data: Any) -> Any:
    """``data`` (parsed from masked text) with every string, keys included, as written (the expressions back)."""
    if isinstance(data, str):
        return unmask_str(data)
    if isinstance(data, dict):
        return {unmask_str(k) if isinstance(k, str) else k: unmask(v) for k, v in data.items()}
    if isinstance(data, list):
        return [unmask(v) for v in data]
    return data


def has_expression(value: Any) -> bool:
    """A string holding an Argo expression (after ``unmask``): a value Argo fills in at run time."""
    return isinstance(value, str) and "{{" in value and "}}" in value[value.find("{{") + 2:]


def holds_expression(value: Any) -> bool:
    """Whether ``value`` or anything in it (keys included) holds an Argo expression. Iterative; bounded by the
    value's size."""
    stack = [value]
    while stack:
        current = stack.pop()
        if isinstance(current, str):
            if has_expression(current):
                return True
        elif isinstance(current, dict):
            for key, item in current.items():
                if has_expression(key):
                    return True
                stack.append(item)
        elif isinstance(current, list):
            stack.extend(current)
    return False


def expression_at(data: Any, path: tuple[str | int, ...]) -> bool:
    """Whether a finding at ``path`` of ``data`` judges a value Argo fills in at run time: a string holding an
    expression on the way to ``path`` (a parent the expression replaces: ``resources: "{{inputs.parameters.r}}"``
    holds every field under it), or an expression in the value at ``path`` itself (a selector with an
    expression among its labels). A key that holds one on the way makes the mapping unknown too."""
    node = data
    for part in path:
        if isinstance(node, str):
            return has_expression(node)
        if isinstance(node, dict):
            if not isinstance(part, str):
                return False
            if part not in node:
                return any(has_expression(k) for k in node)  # the field may be a key Argo fills in
            node = node[part]
        elif isinstance(node, list):
            if not isinstance(part, int) or not 0 <= part < len(node):
                return False
            node = node[part]
        else:
            return False
    return holds_expression(node)
