"""CIDRs and addresses read as Kubernetes' ParseCIDRSloppy reads them (``invalid-network-policy``,
``invalid-service``)."""

from __future__ import annotations

import ipaddress

import pytest

from guardlint.model.addresses import is_ip, parse_cidr, strict_subset


@pytest.mark.parametrize(("text", "expected"), [
    ("10.0.0.0/8", (4, 10 << 24, 8)),
    ("10.1.2.3/8", (4, 10 << 24, 8)),           # host bits are masked off, not rejected
    ("010.000.000.001/8", (4, 10 << 24, 8)),    # leading zeros: decimal, as Go's old parser reads them
    ("0.0.0.0/0", (4, 0, 0)),
    ("2001:db8::1/64", (6, int(ipaddress.IPv6Address("2001:db8::")), 64)),
])
def test_parse_cidr_reads_what_kubernetes_reads(text: str, expected: tuple[int, int, int]) -> None:
    assert parse_cidr(text) == expected


@pytest.mark.parametrize("text", [
    "10.0.0.0", "10.0.0.0/33", "10.0.0.0/255.0.0.0", "10.0.0.0/+8", "10.0.0.0/ 8", "10.0.0/8", "10.0.0.256/8",
    "2001:db8::/129", "fe80::1%eth0/64", "host/8", "", "/8",
])
def test_parse_cidr_refuses_what_kubernetes_refuses(text: str) -> None:
    assert parse_cidr(text) is None


def teststrict_subset() -> None:
    outer = parse_cidr("10.0.0.0/16")
    assert outer is not None

    def inside(text: str) -> bool:
        inner = parse_cidr(text)
        assert inner is not None
        return strict_subset(inner, outer)

    assert inside("10.0.1.0/24") and inside("10.0.255.255/32") and inside("10.0.0.0/17")
    assert not inside("10.0.0.0/16") and not inside("10.0.0.0/8") and not inside("10.1.0.0/24")
    assert not inside("2001:db8::/64")


def test_is_ip() -> None:
    assert is_ip("10.0.0.1") and is_ip("010.0.0.1") and is_ip("2001:db8::1")
    assert not is_ip("10.0.0.300") and not is_ip("10.0.0") and not is_ip("None") and not is_ip("10.0.0.1/32")
