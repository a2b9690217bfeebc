"""Time zone names as the API server and the Argo Workflows controller load them (Go's ``time.LoadLocation``),
judged against the shipped list of the IANA time zone database (``guardlint/_data/timezones.txt``, generated
by ``scripts/gen_timezones.py`` from a pinned ``tzdata`` release; never the zoneinfo of the machine guardlint
runs on, so results do not depend on it).

``LoadLocation`` looks a name up as a file of the zoneinfo it finds (the system's, else the copy of the IANA
database Go embeds: ``kube-apiserver`` imports ``time/tzdata``), case-sensitively. A name of the IANA database
(a zone or a backward-compatibility link, such as ``US/Eastern``) therefore loads everywhere; a name that is
not in it fails with "unknown time zone", except the few files that some systems' zoneinfo adds (``posix/``
and ``right/`` copies of the zones, ``posixrules``, ``localtime``): whether those load depends on the server's
machine, so they are never reported. A zone added by an IANA release newer than a server's copy may still be
unknown to it: guardlint does not report that either. IANA seldom removes a name (a retired zone becomes a
link), but the few it removed (``Canada/East-Saskatchewan`` in 2017c, ``US/Pacific-New`` in 2020b) are reported:
an up-to-date server no longer loads them, though one reading an older zoneinfo may."""

from __future__ import annotations

import os

SYSTEM_FILES = frozenset({"posixrules", "localtime"})
SYSTEM_PREFIXES = ("posix/", "right/")
ALWAYS = frozenset({"", "UTC", "Local"})
"""``LoadLocation`` answers these without a file (the API server's own check refuses ``Local`` in a CronJob's
``spec.timeZone`` before it asks; ``invalid-cron-schedule`` says so)."""

_PATH = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "_data",
                     "timezones.txt")


class Zones:
    """The IANA names and the database release they come from (read once per run: ``zones_of``)."""

    __slots__ = ("by_folded", "names", "release")

    def __init__(self, text: str) -> None:
        header = text.split("\n", 1)[0]
        self.release = header.split("database ", 1)[1].split(",", 1)[0] if "database " in header else "?"
        self.names = frozenset(line for line in text.splitlines() if line and not line.startswith("#"))
        by_folded: dict[str, str] = {}
        for name in sorted(self.names):
            by_folded.setdefault(name.casefold(), name)
        self.by_folded = by_folded

    def unknown(self, name: str) -> str | None:
        """None when ``LoadLocation`` loads ``name`` (or when that depends on the machine); else a hint to end a
        message with (``; did you mean 'Europe/Berlin'?``, or empty)."""
        if name in self.names or name in ALWAYS or name in SYSTEM_FILES:
            return None
        for prefix in SYSTEM_PREFIXES:
            if name.startswith(prefix) and name[len(prefix):] in self.names:
                return None
        same = self.by_folded.get(name.casefold())
        if same is not None:
            return f"; names are case-sensitive: did you mean {same!r}?"
        import difflib

        close = difflib.get_close_matches(name, self.names, n=1, cutoff=0.8)
        return f"; did you mean {close[0]!r}?" if close else ""

    def problem(self, name: str) -> str | None:
        """Why ``LoadLocation`` cannot load ``name``, in a few words (None when it can)."""
        hint = self.unknown(name)
        return None if hint is None else f"{name!r} is not in the IANA time zone database ({self.release}){hint}"


def load_zones() -> Zones:
    with open(_PATH, encoding="utf-8") as fh:
        return Zones(fh.read())
