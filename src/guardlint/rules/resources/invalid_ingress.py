"""invalid-ingress: an Ingress the API server rejects for its paths, backends, TLS secret names or class."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from guardlint.model.names import dns_subdomain_reasons
from guardlint.model.ports import is_port_number, is_unrendered, port_name_problem, port_number_problem
from guardlint.rules.api import Reference, Resource, RuleContext, Severity, Violation, rule

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from guardlint.model.paths import FieldPath

_SEQUENCES = ("//", "/./", "/../", "%2f", "%2F")
"""``invalidPathSequences``: not in an Exact or Prefix path."""
_SUFFIXES = ("/..", "/.")
"""``invalidPathSuffixes``: not at the end of an Exact or Prefix path."""
_CLASS_ANNOTATION = "kubernetes.io/ingress.class"
BETA_REMOVED_IN = (1, 22)
"""``extensions/v1beta1`` and ``networking.k8s.io/v1beta1`` Ingresses are not served from Kubernetes 1.22."""
INGRESS = Reference("Kubernetes: Ingress", "https://kubernetes.io/docs/concepts/services-networking/ingress/")


def _text(value: Any) -> str | None:
    """A string the rule judges: not a placeholder left unrendered."""
    return value if isinstance(value, str) and not is_unrendered(value) else None


def path_reasons(path: str, path_type: str) -> tuple[str, ...]:
    """``validateHTTPIngressPath`` for a path of ``path_type``."""
    if path_type in ("Exact", "Prefix"):
        reasons: tuple[str, ...] = () if path.startswith("/") else ("must be an absolute path",)
        reasons += tuple(f"must not contain '{s}'" for s in _SEQUENCES if s in path)
        return reasons + tuple(f"cannot end with '{s}'" for s in _SUFFIXES if path.endswith(s))
    if path_type == "ImplementationSpecific" and path and not path.startswith("/"):
        return ("must be an absolute path",)
    return ()


def _backend(backend: Any, at: FieldPath) -> Iterator[Violation]:
    """``validateIngressBackend``."""
    if not isinstance(backend, Mapping):
        return
    service, resource = backend.get("service"), backend.get("resource")
    if service is not None and resource is not None:
        yield Violation(at, "the API rejects a backend with both service and resource (cannot set both resource and "
                        "service backends)")
        return
    if resource is not None:
        return
    if service is None:
        yield Violation(at, "the API rejects a backend without a service or resource (resource or service backend "
                        "is required)")
        return
    if not isinstance(service, Mapping):
        return
    port = service.get("port")
    port = port if isinstance(port, Mapping) else {}
    name, number = port.get("name"), port.get("number")
    has_name = isinstance(name, str) and len(name) > 0
    has_number = is_port_number(number) and number != 0
    if has_name and has_number:
        yield Violation((*at, "service", "port"), "the API rejects a service port with both name and number (cannot "
                        "set both port name & port number)")
    elif has_name:
        text = _text(name)
        problem = port_name_problem(text) if text is not None else None
        if problem is not None:
            yield Violation((*at, "service", "port", "name"), f"the API rejects the service port name: {problem} (an "
                            "IANA service name: at most 15 lowercase letters, digits and '-', with a letter)",
                            at_value=True)
    elif is_port_number(number) and number != 0:
        problem = port_number_problem(number)
        if problem is not None:
            yield Violation((*at, "service", "port", "number"), f"the API rejects service port number {problem}",
                            at_value=True)
    elif not (isinstance(name, str) and is_unrendered(name)):
        yield Violation((*at, "service", "port"), "the API rejects a service backend without a port name or number "
                        "(port name or number is required)")


def _beta_backend(backend: Any, at: FieldPath) -> Iterator[Violation]:
    """A v1beta1 backend as ``validateIngressBackend`` sees it after the conversion: ``serviceName`` and
    ``servicePort`` make a service backend when either is set (a port string is a port name, a number a port
    number); ``resource`` is the resource backend."""
    if not isinstance(backend, Mapping):
        return
    name, port = backend.get("serviceName"), backend.get("servicePort")
    if (isinstance(name, str) and is_unrendered(name)) or (isinstance(port, str) and is_unrendered(port)):
        return
    has_number = is_port_number(port) and port != 0
    has_service = (isinstance(name, str) and name != "") or has_number or isinstance(port, str)
    if has_service and backend.get("resource") is not None:
        yield Violation(at, "the API rejects a backend with both serviceName and resource (cannot set both resource "
                        "and service backends)")
        return
    if backend.get("resource") is not None:
        return
    if not has_service:
        yield Violation(at, "the API rejects a backend without a serviceName or resource (resource or service "
                        "backend is required)")
        return
    if not (isinstance(name, str) and name):
        yield Violation(at, "the API rejects a service backend without serviceName (Required value)")
    if isinstance(port, str) and port:
        problem = port_name_problem(port)
        if problem is not None:
            yield Violation((*at, "servicePort"), f"the API rejects servicePort {port!r}: {problem} (a string is a "
                            "port name: an IANA service name, at most 15 lowercase letters, digits and '-')",
                            at_value=True)
    elif has_number and is_port_number(port):
        problem = port_number_problem(port)
        if problem is not None:
            yield Violation((*at, "servicePort"), f"the API rejects servicePort {problem}", at_value=True)
    else:
        where = (*at, "servicePort") if "servicePort" in backend else at
        yield Violation(where, "the API rejects a service backend without a servicePort (port name or number is "
                        "required)", at_value="servicePort" in backend)


def _spec(spec: Mapping[str, Any], partial: bool, beta: bool) -> Iterator[Violation]:
    """``ValidateIngressSpec`` beyond the hosts (``invalid-ingress-host``). ``beta``: a v1beta1 Ingress, whose
    default backend is ``backend``, whose backends name ``serviceName``/``servicePort``, whose ``pathType``
    defaults to ImplementationSpecific, and which the API validated with ``AllowInvalidSecretName`` and
    ``AllowInvalidWildcardHostRule`` (a rule with a wildcard host is not validated)."""
    rules = spec.get("rules")
    rules = rules if isinstance(rules, list) else []
    default_field = "backend" if beta else "defaultBackend"
    backend_problems = _beta_backend if beta else _backend
    default = spec.get(default_field)
    if not rules and default is None and not partial:
        yield Violation(("spec",), f"the API rejects an Ingress with neither rules nor a {default_field} (either "
                        f"`{default_field}` or `rules` must be specified)")
    if default is not None:
        yield from backend_problems(default, ("spec", default_field))
    for i, rule_ in enumerate(rules):
        if not isinstance(rule_, Mapping):
            continue
        host = rule_.get("host")
        if beta and isinstance(host, str) and "*" in host:
            continue
        http = rule_.get("http")
        if not isinstance(http, Mapping):
            continue
        paths = http.get("paths")
        if isinstance(paths, list) and not paths and not partial:
            yield Violation(("spec", "rules", i, "http", "paths"), "the API rejects an http rule without paths "
                            "(Required value)", at_value=True)
        for j, entry in enumerate(paths if isinstance(paths, list) else ()):
            if not isinstance(entry, Mapping):
                continue
            at = ("spec", "rules", i, "http", "paths", j)
            path_type = entry.get("pathType", "ImplementationSpecific" if beta else None)
            path = entry.get("path", "")
            if isinstance(path_type, str) and isinstance(path, str) and not is_unrendered(path):
                reasons = path_reasons(path, path_type)
                if reasons:
                    where = (*at, "path") if "path" in entry else at
                    yield Violation(where, f"the API rejects {path_type} path {path!r}: {'; '.join(reasons)}",
                                    at_value="path" in entry)
            yield from backend_problems(entry.get("backend"), (*at, "backend"))
    tls = spec.get("tls")
    for i, entry in enumerate(tls if isinstance(tls, list) and not beta else ()):
        secret = _text(entry.get("secretName")) if isinstance(entry, Mapping) else None
        if secret:
            reasons = dns_subdomain_reasons(secret)
            if reasons:
                yield Violation(("spec", "tls", i, "secretName"), f"the API rejects TLS secretName {secret!r}: "
                                f"{'; '.join(reasons)}", at_value=True)


@rule(
    code="RES126",
    name="invalid-ingress",
    title="Ingress that the API rejects: path, backend, TLS secret name or class annotation",
    severity=Severity.ERROR,
    pack="resources",
    since="0.3.0",
    status="preview",
    tags=("consistency", "api-rejects"),
    remediation="Start each path with '/' (Exact and Prefix paths without '//', '/./', '/../' or an encoded '/'); "
    "give each backend a service with a port name or a port number (not both), or a resource; name TLS Secrets as "
    "DNS subdomains; drop the kubernetes.io/ingress.class annotation or make it equal to ingressClassName.",
    references=(INGRESS,),
    kinds=("Ingress",),
)
def invalid_ingress(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports an Ingress that the API server's `ValidateIngressCreate` rejects, besides its
    hosts (`invalid-ingress-host`):

    - a path that does not start with `/` (`must be an absolute path`; for `ImplementationSpecific` only when it
      is not empty) or, for `Exact` and `Prefix`, holds `//`, `/./`, `/../`, `%2f` or `%2F` or ends with `/.`
      or `/..`;
    - a backend with both `service` and `resource`, with neither, or a service backend with both a port `name`
      and `number`, with neither, a port name that is no IANA service name, a number outside 1-65535;
    - an Ingress with neither `rules` nor `defaultBackend`, an `http` rule whose `paths` is empty;
    - a `tls[].secretName` that is not a DNS subdomain;
    - a `kubernetes.io/ingress.class` annotation next to a different `spec.ingressClassName` (checked when the
      Ingress is created, not on updates).

    `extensions/v1beta1` and `networking.k8s.io/v1beta1` Ingresses (served up to Kubernetes 1.21) are judged as
    the API validated them, converted to its own type: a backend's `serviceName` and `servicePort` make a service
    backend (a quoted `servicePort` is a port name, so `"80"` is rejected as one), the default backend is
    `spec.backend`, a path without `pathType` is ImplementationSpecific; their TLS secret names and the rules of
    wildcard hosts were not validated for these versions, so neither is judged. A version the target Kubernetes
    version no longer serves is `removed-api`'s, not judged here.

    Values with an unrendered placeholder are not judged; a kustomize patch or another fragment is not judged
    for the rules and paths it leaves out.

    ## Why is this bad?
    The API server rejects the Ingress (`spec.rules[0].http.paths[0].path: Invalid value: "api": must be an
    absolute path`, `annotations.kubernetes.io/ingress.class: Invalid value: "nginx": must match
    ingressClassName when both are specified`), so the sync fails and the routes are not served (Kubernetes
    documentation, "Ingress").

    ## Example
    ```yaml
    apiVersion: networking.k8s.io/v1
    kind: Ingress
    metadata:
      name: web
      annotations:
        kubernetes.io/ingress.class: nginx
    spec:
      ingressClassName: internal
      rules:
        - http:
            paths:
              - path: api
                pathType: Prefix
                backend:
                  service:
                    name: api
                    port: {name: http, number: 8080}
    ```

    ## Use instead
    ```yaml
    apiVersion: networking.k8s.io/v1
    kind: Ingress
    metadata:
      name: web
    spec:
      ingressClassName: internal
      rules:
        - http:
            paths:
              - path: /api
                pathType: Prefix
                backend:
                  service:
                    name: api
                    port: {name: http}
    ```
    """
    beta = resource.version == "v1beta1" and resource.group in ("networking.k8s.io", "extensions")
    if not beta and (resource.group != "networking.k8s.io" or resource.version != "v1"):
        return
    if beta and ctx.kubernetes_version >= BETA_REMOVED_IN:
        return  # not served by the target: the API answers "no matches for kind" (removed-api), validates nothing
    data = resource.data
    spec = data.get("spec")
    if not isinstance(spec, Mapping):
        return
    from guardlint.rules.resources._common import is_partial_object

    yield from _spec(spec, is_partial_object(resource, ctx), beta)
    metadata = data.get("metadata")
    annotations = metadata.get("annotations") if isinstance(metadata, Mapping) else None
    annotated = _text(annotations.get(_CLASS_ANNOTATION)) if isinstance(annotations, Mapping) else None
    class_name = _text(spec.get("ingressClassName"))
    if annotated is not None and class_name is not None and annotated != class_name:
        yield Violation(("metadata", "annotations", _CLASS_ANNOTATION), f"the API rejects a new Ingress with the "
                        f"{_CLASS_ANNOTATION} annotation {annotated!r} next to ingressClassName {class_name!r} (must "
                        "match `ingressClassName` when both are specified; checked on create): drop the annotation",
                        at_value=True)


RULE = invalid_ingress
