"""invalid-service-port: a Service port, target port or node port that the API rejects."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.model.access import iter_maps
from guardlint.model.ports import is_port_number, is_unrendered, port_name_problem, port_number_problem
from guardlint.rules.api import Reference, Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.references import SERVICES

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


@rule(
    code="RES106",
    name="invalid-service-port",
    title="Service port, target port or node port that the API rejects",
    severity=Severity.ERROR,
    pack="resources",
    since="0.2.0",
    status="preview",
    tags=("consistency", "networking"),
    remediation="Use port numbers between 1 and 65535, written as numbers (unquoted), and as a targetPort name "
    "the name of a container port: at most 15 lowercase letters, digits and single '-', with a letter.",
    references=(
        Reference("Kubernetes API: ServicePort",
                  "https://kubernetes.io/docs/reference/kubernetes-api/service-resources/service-v1/#ServiceSpec"),
        SERVICES,
        Reference("RFC 6335 section 5.1: service name syntax", "https://www.rfc-editor.org/rfc/rfc6335#section-5.1"),
    ),
    kinds=("Service",),
)
def invalid_service_port(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports entries of a Service's `spec.ports` whose `port` is outside 1-65535, whose `nodePort` is set (not
    0) and outside 1-65535, or whose `targetPort` the API rejects: a number outside 1-65535, or a string that
    is not a port name (an IANA service name: at most 15 characters, only lowercase letters, digits and `-`,
    at least one letter, no `-` at either end and no two `-` in a row). `targetPort` is an int-or-string: a
    quoted number such as `"8080"` is a string, so it is read as a port name, and as a name it has no letter.
    An unset, `0` or empty `targetPort` is defaulted to `port` and is fine; unrendered values (`${PORT}`,
    `{{ .Values.port }}`) are not judged. A `port` written as a string is left to `wrong-field-type`, and
    whether a node port lies in the cluster's node-port range (30000-32767 by default) is the cluster's
    setting, not judged here.

    ## Why is this bad?
    The API server validates every Service port (`IsValidPortNum`, `IsValidPortName`) and rejects the whole
    Service, so it is never created or updated. A quoted target port is the usual cause: a chart that renders
    `targetPort: {{ .Values.port | quote }}` or an editor that quoted the number.

    ## Example
    ```yaml
    apiVersion: v1
    kind: Service
    metadata:
      name: api
    spec:
      selector: {app: api}
      ports:
        - name: http
          port: 80
          targetPort: "8080"
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: Service
    metadata:
      name: api
    spec:
      selector: {app: api}
      ports:
        - name: http
          port: 80
          targetPort: 8080
    ```
    """
    if resource.group != "":
        return
    for i, port in iter_maps(resource.data, ("spec", "ports")):
        path = ("spec", "ports", i)
        label = f"{resource.describe()} port {port['name']!r}" if isinstance(port.get("name"), str) and port[
            "name"] else f"{resource.describe()} spec.ports[{i}]"
        for field in ("port", "nodePort"):
            number = port.get(field)
            if is_port_number(number) and not (field == "nodePort" and number == 0):
                problem = port_number_problem(number)
                if problem:
                    yield Violation((*path, field), f"{label} has {field} {problem}", at_value=True)
        target = port.get("targetPort")
        if is_port_number(target):
            problem = port_number_problem(target) if target != 0 else None  # 0 is defaulted to port
            if problem:
                yield Violation((*path, "targetPort"), f"{label} has targetPort {problem}", at_value=True)
        elif isinstance(target, str) and target and not is_unrendered(target):
            problem = port_name_problem(target)
            if problem:
                hint = f"; to target port {int(target)}, write it unquoted" if target.isdigit() else ""
                yield Violation((*path, "targetPort"), f"{label} has a targetPort that the API rejects: {problem}"
                                f"{hint}", at_value=True)


RULE = invalid_service_port
