"""invalid-network-policy: a NetworkPolicy the API server rejects (ports, endPort, peers, ipBlock CIDRs)."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.model.addresses import parse_cidr, strict_subset
from guardlint.model.ports import is_port_number, is_unrendered, port_name_problem, port_number_problem
from guardlint.rules.api import Reference, Resource, RuleContext, Severity, Violation, rule

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from guardlint.model.paths import FieldPath

NETWORK_POLICY_GROUPS = ("networking.k8s.io", "extensions")
CIDR_REASON = "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"


def _port_problems(port: dict[str, Any], at: FieldPath) -> Iterator[Violation]:
    """``ValidateNetworkPolicyPort``."""
    number = port.get("port")
    raw_end = port.get("endPort")
    end = raw_end if is_port_number(raw_end) else None
    has_end = end is not None
    if is_port_number(number):
        problem = port_number_problem(number)
        if problem is not None:
            yield Violation((*at, "port"), f"the API rejects port {problem}: must be between 1 and 65535, "
                            "inclusive", at_value=True)
        if end is not None:
            if end < number:
                yield Violation((*at, "endPort"), f"the API rejects endPort {end}: must be greater than or equal "
                                f"to `port` ({number})", at_value=True)
            problem = port_number_problem(end)
            if problem is not None:
                yield Violation((*at, "endPort"), f"the API rejects endPort {problem}: must be between 1 and "
                                "65535, inclusive", at_value=True)
    elif isinstance(number, str):
        if is_unrendered(number):
            return
        if has_end:
            yield Violation((*at, "endPort"), f"the API rejects endPort {end}: may not be specified when `port` "
                            f"is non-numeric ({number!r} is a port name)", at_value=True)
        problem = port_name_problem(number) if number else "it is empty"
        if problem is not None:
            yield Violation((*at, "port"), f"the API rejects port name {number!r}: {problem} (an IANA service "
                            "name: at most 15 lowercase letters, digits and '-', with a letter)", at_value=True)
    elif number is None and has_end:
        yield Violation((*at, "endPort"), f"the API rejects endPort {end}: may not be specified when `port` is "
                        "not specified", at_value=True)


def _ip_block_problems(block: Any, at: FieldPath) -> Iterator[Violation]:
    """``ValidateIPBlock``: a CIDR that parses, and each ``except`` a CIDR strictly inside it."""
    if not isinstance(block, dict):
        return
    cidr = block.get("cidr")
    if not isinstance(cidr, str) or not cidr or is_unrendered(cidr):
        return
    outer = parse_cidr(cidr)
    if outer is None:
        yield Violation((*at, "cidr"), f"the API rejects cidr {cidr!r}: {CIDR_REASON}", at_value=True)
        return
    excepts = block.get("except")
    if not isinstance(excepts, list):
        return
    for i, text in enumerate(excepts):
        if not isinstance(text, str) or is_unrendered(text):
            continue
        inner = parse_cidr(text)
        if inner is None:
            yield Violation((*at, "except", i), f"the API rejects except {text!r}: {CIDR_REASON}", at_value=True)
        elif not strict_subset(inner, outer):
            yield Violation((*at, "except", i), f"the API rejects except {text!r}: must be a strict subset of "
                            f"`cidr` ({cidr})", at_value=True)


def _peer_problems(peer: Any, at: FieldPath) -> Iterator[Violation]:
    """``ValidateNetworkPolicyPeer``: one peer kind at least, and an ipBlock alone."""
    if not isinstance(peer, dict):
        return
    present = [key for key in ("podSelector", "namespaceSelector", "ipBlock") if peer.get(key) is not None]
    if not present:
        yield Violation(at, "the API rejects an empty peer: must specify a peer (podSelector, namespaceSelector "
                        "or ipBlock)")
    elif len(present) > 1 and "ipBlock" in present:
        yield Violation((*at, "ipBlock"), f"the API rejects a peer with ipBlock and {present[0]}: may not specify "
                        "both ipBlock and another peer")
    yield from _ip_block_problems(peer.get("ipBlock"), (*at, "ipBlock"))


@rule(
    code="RES115",
    name="invalid-network-policy",
    title="NetworkPolicy port, peer or CIDR that the API rejects",
    severity=Severity.ERROR,
    pack="resources",
    since="0.3.0",
    status="preview",
    tags=("network", "api-rejects"),
    remediation="Give endPort only with a numeric port and not below it; write CIDRs as address/prefix and each "
    "except as a smaller block inside the cidr; put an ipBlock in a peer of its own.",
    kinds=("NetworkPolicy",),
    references=(
        Reference("Kubernetes: Network Policies",
                  "https://kubernetes.io/docs/concepts/services-networking/network-policies/"),
    ),
)
def invalid_network_policy(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports, in a NetworkPolicy (`networking.k8s.io`, or the old `extensions` group), what the API server's
    validation rejects beyond the schema, with its reason:

    - in `ingress[].ports` and `egress[].ports`: a numeric `port` outside 1-65535, a named `port` that is not
      an IANA service name, an `endPort` below `port`, outside 1-65535, next to a named port or without a
      `port`;
    - in `ingress[].from` and `egress[].to`: a peer with none of `podSelector`, `namespaceSelector` and
      `ipBlock` (`{}`), or an `ipBlock` next to a selector in one peer (an ipBlock stands alone; list the
      selector as a peer of its own);
    - an `ipBlock.cidr` that is not a CIDR (`10.0.0.0/8`, `2001:db8::/64`; a bare address has no prefix), and
      an `except` entry that is not a CIDR or not strictly inside `cidr` (outside it, or the same block or a
      larger one).

    CIDRs are read as the API reads them: leading zeros in IPv4 parts are accepted and host bits set
    (`10.0.0.1/8`) are masked off. Unrendered values (`{{ }}`, `${...}`) are not judged.

    ## Why is this bad?
    The API server rejects the whole NetworkPolicy (`spec.egress[0].to[0].ipBlock.except[0]: Invalid value:
    "192.168.0.0/16": must be a strict subset of `cidr``), so the apply fails and the traffic it was meant to
    allow or block stays as it was. An ipBlock next to a podSelector is also a frequent misreading of how peers
    combine: two peers in one list are OR-ed, one peer cannot mix them.

    ## Example
    ```yaml
    apiVersion: networking.k8s.io/v1
    kind: NetworkPolicy
    metadata:
      name: egress
    spec:
      podSelector: {}
      policyTypes: [Egress]
      egress:
        - to:
            - ipBlock:
                cidr: 10.0.0.0/16
                except: [10.1.0.0/24]
          ports:
            - {port: 8080, endPort: 8000}
    ```

    ## Use instead
    ```yaml
    apiVersion: networking.k8s.io/v1
    kind: NetworkPolicy
    metadata:
      name: egress
    spec:
      podSelector: {}
      policyTypes: [Egress]
      egress:
        - to:
            - ipBlock:
                cidr: 10.0.0.0/16
                except: [10.0.1.0/24]
          ports:
            - {port: 8000, endPort: 8080}
    ```
    """
    if resource.group not in NETWORK_POLICY_GROUPS:
        return
    spec = resource.data.get("spec")
    if not isinstance(spec, dict):
        return
    for direction, peers_key in (("ingress", "from"), ("egress", "to")):
        rules = spec.get(direction)
        if not isinstance(rules, list):
            continue
        for i, item in enumerate(rules):
            if not isinstance(item, dict):
                continue
            ports = item.get("ports")
            if isinstance(ports, list):
                for j, port in enumerate(ports):
                    if isinstance(port, dict):
                        yield from _port_problems(port, ("spec", direction, i, "ports", j))
            peers = item.get(peers_key)
            if isinstance(peers, list):
                for j, peer in enumerate(peers):
                    yield from _peer_problems(peer, ("spec", direction, i, peers_key, j))


RULE = invalid_network_policy
