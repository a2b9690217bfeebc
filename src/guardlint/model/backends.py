"""The Service backends of Ingresses and Gateway API routes: where they are written, once for every rule."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint._record import NamedTuple
from guardlint.model.access import get, iter_maps
from guardlint.model.paths import FieldPath
from guardlint.model.resource import Resource

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

ROUTE_KINDS = ("HTTPRoute", "GRPCRoute", "TLSRoute", "TCPRoute", "UDPRoute")
INGRESS_GROUPS = ("networking.k8s.io", "extensions")
ROUTE_GROUP = "gateway.networking.k8s.io"


class Backend(NamedTuple):
    """One Service an Ingress or route sends traffic to."""

    name_path: FieldPath
    """The field that names the Service."""
    name: str
    namespace: str | None
    port_path: FieldPath | None
    """The field that gives the port (None when no usable port is written)."""
    port: int | str | None
    """The Service port: a number, or a port name."""


def _int_or_string(value: Any) -> int | str | None:
    """An IntOrString port: a number, or a name. A string of digits can only be a number (a port name has a
    letter)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)
    if isinstance(value, int) or (isinstance(value, str) and value):
        return value
    return None


def _ingress_backends(resource: Resource) -> Iterator[Backend]:
    ns = resource.namespace

    def one(path: FieldPath) -> Iterator[Backend]:
        backend = get(resource.data, path)
        if not isinstance(backend, dict):
            return
        service = backend.get("service")
        if isinstance(service, dict) and isinstance(service.get("name"), str) and service["name"]:
            port = service.get("port")
            port_path: FieldPath | None = None
            value: int | str | None = None
            if isinstance(port, dict):
                number, name = port.get("number"), port.get("name")
                if isinstance(number, int) and not isinstance(number, bool):
                    port_path, value = (*path, "service", "port", "number"), number
                elif isinstance(name, str) and name:
                    port_path, value = (*path, "service", "port", "name"), name
            yield Backend((*path, "service", "name"), service["name"], ns, port_path, value)
        legacy = backend.get("serviceName")
        if isinstance(legacy, str) and legacy:
            legacy_port = _int_or_string(backend.get("servicePort"))
            yield Backend((*path, "serviceName"), legacy, ns,
                          None if legacy_port is None else (*path, "servicePort"), legacy_port)

    yield from one(("spec", "defaultBackend"))
    yield from one(("spec", "backend"))
    for i, r in iter_maps(resource.data, ("spec", "rules")):
        for j, _ in iter_maps(r, ("http", "paths")):
            yield from one(("spec", "rules", i, "http", "paths", j, "backend"))


def _route_backends(resource: Resource) -> Iterator[Backend]:
    for i, r in iter_maps(resource.data, ("spec", "rules")):
        for j, ref in iter_maps(r, ("backendRefs",)):
            if ref.get("group", "") not in ("", None) or ref.get("kind", "Service") != "Service":
                continue
            name, port = ref.get("name"), ref.get("port")
            if not isinstance(name, str) or not name:
                continue
            namespace = ref.get("namespace")
            ns = namespace if isinstance(namespace, str) and namespace else resource.namespace
            usable = isinstance(port, int) and not isinstance(port, bool)
            base = ("spec", "rules", i, "backendRefs", j)
            yield Backend((*base, "name"), name, ns, (*base, "port") if usable else None, port if usable else None)


def service_backends(resource: Resource) -> Iterator[Backend]:
    """Every Service backend of an Ingress (``networking.k8s.io``, ``extensions``: ``defaultBackend``, ``backend``
    and every path; ``service.name`` and the older ``serviceName``) or a Gateway API route (``backendRefs`` of kind
    Service in the core group, with their ``namespace``); nothing for other kinds and groups."""
    if resource.kind == "Ingress":
        if resource.group in INGRESS_GROUPS:
            yield from _ingress_backends(resource)
    elif resource.kind in ROUTE_KINDS and resource.group == ROUTE_GROUP:
        yield from _route_backends(resource)
