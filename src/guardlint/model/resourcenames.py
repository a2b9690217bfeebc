"""Resource names (``cpu``, ``nvidia.com/gpu``, ``hugepages-2Mi``), classified exactly as the API does
(``pkg/apis/core/helper/helpers.go``): standard, native, extended and huge-page names, and qualified-name
syntax."""

from __future__ import annotations

STANDARD_CONTAINER_RESOURCES = frozenset({"cpu", "memory", "ephemeral-storage"})
STANDARD_RESOURCES = frozenset({
    "cpu", "memory", "ephemeral-storage", "requests.cpu", "requests.memory", "requests.ephemeral-storage",
    "limits.cpu", "limits.memory", "limits.ephemeral-storage", "pods", "resourcequotas", "services",
    "replicationcontrollers", "secrets", "configmaps", "persistentvolumeclaims", "storage", "requests.storage",
    "services.nodeports", "services.loadbalancers",
})
_LOWER_ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789"
_ALNUM = _LOWER_ALNUM + "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def is_dns_subdomain(text: str) -> bool:
    """Whether ``text`` is a DNS subdomain as Kubernetes' ``IsDNS1123Subdomain`` pattern reads it, without
    compiling a pattern: labels between dots, each of lowercase ASCII letters, digits and ``-`` that starts and
    ends with a letter or digit (so none is empty). Go's ``$`` is the end of the text, so a final line break is
    not allowed either (Python's ``$`` would allow one). ``tests/unit/test_startup_shortcuts.py`` compares both."""
    return all(
        label != "" and label[0] in _LOWER_ALNUM and label[-1] in _LOWER_ALNUM and not label.strip(_LOWER_ALNUM + "-")
        for label in text.split(".")
    )


def is_name_part(text: str) -> bool:
    """Whether ``text`` is a qualified name's name part as Kubernetes' pattern reads it (the whole text, no final
    line break), without compiling it: ASCII letters, digits, ``-``, ``_`` and ``.``, starting and ending with a
    letter or digit."""
    part = text
    return part != "" and part[0] in _ALNUM and part[-1] in _ALNUM and not part.strip(_ALNUM + "-_.")


def is_native(name: str) -> bool:
    """``IsNativeResource``: no ``/``, or the name contains ``kubernetes.io/`` anywhere."""
    return "/" not in name or "kubernetes.io/" in name


def qualified_name_problem(name: str) -> str | None:
    """Why ``name`` is not a valid qualified name (label-key syntax), or None."""
    parts = name.split("/")
    if len(parts) > 2:
        return "has more than one '/'"
    if len(parts) == 2:
        prefix, local = parts
        if not prefix:
            return "has an empty prefix before '/'"
        if len(prefix) > 253 or not is_dns_subdomain(prefix):
            return f"has a prefix {prefix!r} that is not a lowercase DNS subdomain"
    else:
        local = parts[0]
    if not local:
        return "has an empty name part"
    if len(local) > 63:
        return "has a name part longer than 63 characters"
    if not is_name_part(local):
        return f"has a name part {local!r} with characters other than letters, digits, '-', '_' and '.'"
    return None


def is_extended(name: str) -> bool:
    """``IsExtendedResourceName``: a valid qualified name outside ``kubernetes.io`` without ``requests.``."""
    if is_native(name) or name.startswith("requests."):
        return False
    return qualified_name_problem("requests." + name) is None


def is_hugepages(name: str) -> bool:
    """``IsHugePageResourceName``: ``hugepages-<size>``."""
    return name.startswith("hugepages-")
