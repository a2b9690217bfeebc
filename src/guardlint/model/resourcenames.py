"""Resource names (``cpu``, ``nvidia.com/gpu``, ``hugepages-2Mi``), classified exactly as the API does
(``pkg/apis/core/helper/helpers.go``): standard, native, extended and huge-page names, and qualified-name
syntax."""

from __future__ import annotations

from guardlint._lazyre import lazy

STANDARD_CONTAINER_RESOURCES = frozenset({"cpu", "memory", "ephemeral-storage"})
STANDARD_RESOURCES = frozenset({
    "cpu", "memory", "ephemeral-storage", "requests.cpu", "requests.memory", "requests.ephemeral-storage",
    "limits.cpu", "limits.memory", "limits.ephemeral-storage", "pods", "resourcequotas", "services",
    "replicationcontrollers", "secrets", "configmaps", "persistentvolumeclaims", "storage", "requests.storage",
    "services.nodeports", "services.loadbalancers",
})
_DNS_SUBDOMAIN = lazy(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_QUALIFIED_NAME_PART = lazy(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")


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
        if len(prefix) > 253 or not _DNS_SUBDOMAIN.match(prefix):
            return f"has a prefix {prefix!r} that is not a lowercase DNS subdomain"
    else:
        local = parts[0]
    if not local:
        return "has an empty name part"
    if len(local) > 63:
        return "has a name part longer than 63 characters"
    if not _QUALIFIED_NAME_PART.match(local):
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
