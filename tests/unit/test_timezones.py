"""The shipped time zone list (``guardlint/_data/timezones.txt``): generated from a pinned IANA release, never the
machine's zoneinfo, and what ``invalid-cron-schedule`` accepts and refuses with it."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

from guardlint.rules.resources._timezones import _PATH, load_zones

ROOT = Path(__file__).resolve().parents[2]


def test_the_file_records_its_release_and_holds_sorted_unique_names() -> None:
    text = Path(_PATH).read_text(encoding="utf-8")
    header, names = text.splitlines()[:2], [line for line in text.splitlines() if not line.startswith("#")]
    assert header[0].startswith("# IANA time zone database 20") and "tzdata" in header[0]
    assert names == sorted(set(names)) and len(names) > 500
    zones = load_zones()
    assert zones.release == header[0].split()[5].rstrip(",")
    for name in ("Europe/Berlin", "America/Argentina/Buenos_Aires", "US/Eastern", "Etc/GMT+5", "Asia/Kolkata",
                 "Europe/Kyiv", "Europe/Kiev", "UTC", "Factory"):
        assert name in zones.names


@pytest.mark.parametrize(
    ("name", "hint"),
    [
        ("Europe/Berlin", None), ("UTC", None), ("", None), ("Local", None),
        ("posix/Europe/Paris", None), ("right/UTC", None), ("posixrules", None), ("localtime", None),
        ("europe/berlin", "; names are case-sensitive: did you mean 'Europe/Berlin'?"),
        ("Europe/Berln", "; did you mean 'Europe/Berlin'?"),
        ("Mars/Olympus_Mons", ""), ("CET-1CEST", ""), ("+02:00", ""), ("posix/Mars/Olympus", ""),
        ("Europe", ""), ("../etc/passwd", ""),
        # Names IANA removed (2017c, 2020b): an up-to-date server no longer loads them (docs/design.md).
        ("Canada/East-Saskatchewan", "; did you mean 'Canada/Saskatchewan'?"),
        ("US/Pacific-New", "; did you mean 'US/Pacific'?"),
    ],
)
def test_what_loads(name: str, hint: str | None) -> None:
    assert load_zones().unknown(name) == hint


def test_a_check_reads_no_zoneinfo_of_the_machine(tmp_path: Path) -> None:
    """Run a check on a CronJob with a time zone in a child process and list what it imported: neither ``zoneinfo``
    nor ``tzdata`` (the machine's database) takes part."""
    manifest = tmp_path / "cj.yaml"
    manifest.write_text(
        "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: a}\nspec:\n  schedule: '0 1 * * *'\n"
        "  timeZone: Europe/Berln\n  jobTemplate: {spec: {template: {spec: {restartPolicy: Never, containers: "
        "[{name: c, image: example.com/c:1.0.0}]}}}}\n")
    code = (
        "import sys\nfrom guardlint.cli import main\n"
        f"rc = main(['check', {str(manifest)!r}, '--no-config', '--select', 'invalid-cron-schedule'])\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('zoneinfo', 'tzdata')), rc)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.splitlines()[-1] == "[] 1", out
    assert "'Europe/Berln', which is not in the IANA time zone database" in out


@pytest.mark.skipif(importlib.util.find_spec("tzdata") is None, reason="the generator reads the tzdata package")
def test_the_generator_writes_the_shipped_file_from_its_release() -> None:
    import tzdata

    release = Path(_PATH).read_text(encoding="utf-8").split("tzdata ", 1)[1].split(":", 1)[0]
    if tzdata.__version__ != release:
        pytest.skip(f"tzdata {tzdata.__version__} is installed; the file was made from {release}")
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "gen_timezones.py"), "--check"], check=False)
    assert done.returncode == 0
