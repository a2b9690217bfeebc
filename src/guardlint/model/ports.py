"""Port numbers and port names exactly as the Kubernetes API validates them.

``IsValidPortNum`` (1-65535) and ``IsValidPortName`` (an IANA_SVC_NAME, RFC 6335 section 5.1): at most 15
characters, lowercase letters, digits and '-', at least one letter, no '-' at either end and no two '-' in a
row. Probe, lifecycle and Service ``targetPort`` fields (IntOrString) take a number or such a name; a
quoted number (``"8080"``) is a string, and as a name it has no letter, so the API rejects it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from guardlint._lazyre import lazy
from guardlint.model.workloads import ContainerKind, ContainerRef, PodSpecRef, iter_containers

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, TypeGuard

__all__ = [
    "MAX_PORT", "PORT_NAME", "container_ports", "is_port_name", "is_port_number", "is_unrendered",
    "port_name_problem", "port_names", "port_number_problem", "port_numbers", "serving_containers",
]

MAX_PORT = 65535

PORT_NAME = lazy(r"^(?=.{1,15}\Z)(?=.*[a-z])(?!.*--)[a-z0-9]([a-z0-9-]*[a-z0-9])?\Z")
"""An IANA service name, the only form the API accepts for a named port."""

_ALLOWED = "abcdefghijklmnopqrstuvwxyz0123456789-"
_TEMPLATE = lazy(r"\$\{|\$\(|\$[A-Za-z_]|\{\{|<[^<>]*>|__[A-Z0-9_]+__")


def is_unrendered(value: str) -> bool:
    """A value left as a template (``${PORT}``, ``$(PORT)``, ``{{ .Values.port }}``, ``<port>``): not judged."""
    # every alternative of the pattern holds "$", "{{", "<" or "__": without them it is not compiled or run
    return ("$" in value or "{{" in value or "<" in value or "__" in value) and _TEMPLATE.search(value) is not None


def is_port_number(value: Any) -> TypeGuard[int]:
    """An integer (not a boolean): the only thing a port-number field holds."""
    return isinstance(value, int) and not isinstance(value, bool)


def port_number_problem(value: int) -> str | None:
    """``"<value>, outside 1-65535"`` when ``value`` is not a valid port number, else None."""
    if 1 <= value <= MAX_PORT:
        return None
    return f"{value}, outside 1-{MAX_PORT}"


def port_name_problem(name: str) -> str | None:
    """Why ``name`` is not a valid port name (IANA_SVC_NAME), or None. The empty string is no name at all
    (the field is optional) and is not judged here."""
    if not name:
        return None
    if len(name) > 15:
        return f"{name!r} is longer than 15 characters"
    # only those characters, a final line break included (Kubernetes' pattern ends at the end of the text);
    # ``tests/unit/test_startup_shortcuts.py`` compares this with ``re.fullmatch(r"[-a-z0-9]*", name)``
    if name.strip(_ALLOWED):
        return f"{name!r} has characters other than lowercase letters, digits and '-'"
    if not any("a" <= ch <= "z" for ch in name):
        return f"{name!r} has no letter" + (" (a quoted number is a name, not a number)" if name.isdigit() else "")
    if name.startswith("-") or name.endswith("-"):
        return f"{name!r} starts or ends with '-'"
    if "--" in name:
        return f"{name!r} has two '-' in a row"
    return None


# --- the ports a container declares ---------------------------------------------------------------------


def container_ports(c: ContainerRef) -> list[tuple[int, Mapping[str, Any]]]:
    """(index, entry) for each mapping entry of the container's ``ports`` list."""
    ports = c.data.get("ports")
    if not isinstance(ports, list):
        return []
    return [(i, p) for i, p in enumerate(ports) if isinstance(p, dict)]


def port_names(c: ContainerRef) -> set[str]:
    return {p["name"] for _, p in container_ports(c) if isinstance(p.get("name"), str)}


def port_numbers(c: ContainerRef) -> set[int]:
    out = set()
    for _, p in container_ports(c):
        n = p.get("containerPort")
        if isinstance(n, int) and not isinstance(n, bool):
            out.add(n)
    return out


def serving_containers(pod: PodSpecRef) -> Iterator[ContainerRef]:
    """Containers that run for the pod's life: regular containers and sidecars."""
    for c in iter_containers(pod, (ContainerKind.INIT, ContainerKind.CONTAINER)):
        if c.kind is ContainerKind.CONTAINER or c.is_sidecar:
            yield c


_NAME_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-")
_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyz")


def is_port_name(text: str) -> bool:
    """``PORT_NAME.match(text)`` (an IANA service name, the whole text), without compiling the pattern."""
    name = text
    return (0 < len(name) <= 15 and name[0] != "-" and name[-1] != "-" and "--" not in name
            and _NAME_CHARACTERS.issuperset(name) and not _LETTERS.isdisjoint(name))
