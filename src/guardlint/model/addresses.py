"""IP addresses and CIDR blocks as the API server's validation reads them (Kubernetes' ``ParseIPSloppy`` and
``ParseCIDRSloppy``, the parsers of legacy fields such as a NetworkPolicy's ``ipBlock`` and a Service's
``clusterIP``): an IPv4 part may have leading zeros (read as decimal), a block's host bits are masked off."""

from __future__ import annotations


def _ipv4(text: str) -> int | None:
    """An IPv4 address as Kubernetes' ``ParseIPSloppy`` reads it (four decimal parts of 0-255, leading zeros
    allowed, as many as Go's old parser reads), as an integer; None when it is not one."""
    parts = text.split(".")
    if len(parts) != 4 or not all(p and p.isascii() and p.isdigit() for p in parts):
        return None
    values = [int(p) for p in parts]
    if any(v > 255 for v in values):
        return None
    return (values[0] << 24) | (values[1] << 16) | (values[2] << 8) | values[3]


def is_ipv4(text: str) -> bool:
    """Whether ``ParseIPSloppy`` reads ``text`` as an IPv4 address."""
    return _ipv4(text) is not None


def parse_cidr(text: str) -> tuple[int, int, int] | None:
    """(IP version, network address as an integer, prefix length) of ``text`` as ``ParseCIDRSloppy`` reads it
    (an address, ``/`` and a decimal prefix within the address's size; host bits set are allowed and masked
    off), or None when it does not parse."""
    address, slash, prefix = text.partition("/")
    if not slash or not prefix or not (prefix.isascii() and prefix.isdigit()):
        return None
    length = int(prefix)
    value = _ipv4(address)
    if value is not None:
        bits = 32
    elif ":" in address:
        import ipaddress

        try:
            parsed = ipaddress.IPv6Address(address)
        except ValueError:
            return None
        if parsed.scope_id is not None:
            return None
        bits, value = 128, int(parsed)
    else:
        return None
    if length > bits:
        return None
    mask = ((1 << bits) - 1) ^ ((1 << (bits - length)) - 1)
    # Go reads an IPv4-mapped IPv6 block (::ffff:a.b.c.d/n) as IPv4 inside a 128-bit mask: version 0 marks it,
    # and no subset is judged with it.
    version = 4 if bits == 32 else 0 if value >> 32 == 0xFFFF else 6
    return version, value & mask, length


def strict_subset(inner: tuple[int, int, int], outer: tuple[int, int, int]) -> bool:
    """``cidr.Contains(except.IP) && len(cidr) < len(except)``: the except's network address lies in the cidr
    and the except is strictly smaller."""
    version, value, length = outer
    bits = 32 if version == 4 else 128
    if 0 in (version, inner[0]):
        return True  # an IPv4-mapped block on either side: not judged
    if inner[0] != version or inner[2] <= length:
        return False
    shift = bits - length
    return inner[1] >> shift == value >> shift


def is_ip(text: str) -> bool:
    """Whether ``ParseIPSloppy`` reads ``text`` as an address (IPv4, leading zeros allowed, or IPv6)."""
    return parse_cidr(f"{text}/{128 if ':' in text else 32}") is not None
