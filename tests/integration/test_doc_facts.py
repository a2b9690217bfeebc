"""Facts the README and docs state are checked against the code, so they cannot go stale: rule counts by
pack, the size of the default rule set, and the speed figures the README quotes (which must be the default
rule set's figures recorded in docs/performance.md, the measured record of ``scripts/benchmark.py``)."""

from __future__ import annotations

import re
from collections import Counter

from guardlint.api import resolve_settings
from tests.helpers import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
PERFORMANCE = (ROOT / "docs" / "performance.md").read_text(encoding="utf-8")


def _settings():  # type: ignore[no-untyped-def]
    return resolve_settings(use_config_file=False, entry_points=False)


def test_readme_rule_counts() -> None:
    registry = _settings().registry
    by_pack = Counter(r.meta.pack for r in registry.rules)
    m = re.search(r"(\d+) rules: (\d+) security \(the Pod Security Standards, one rule per check, and (\d+) more\), "
                  r"(\d+) resources and\s+reliability, (\d+) GPU and AI workloads, (\d+) schema and API\s+lifecycle, "
                  r"(\d+) core\.", README)
    assert m, "the README's rule-count sentence changed: update this test with it"
    total, security, beyond_pss, resources, gpu, schema, core = (int(x) for x in m.groups())
    assert total == len(registry.rules)
    assert (security, resources, gpu, schema, core) == (
        by_pack["security"], by_pack["resources"], by_pack["gpu"], by_pack["schema"], by_pack["core"])
    pss = [r for r in registry.rules if r.meta.pack == "security"
           and {"pss-baseline", "pss-restricted"} & set(r.meta.tags)]
    assert security - beyond_pss == len(pss)


def test_readme_fixable_rule_counts() -> None:
    rules = _settings().registry.rules
    m = re.search(r"(\d+) rules offer fixes: (\d+) safe and (\d+) unsafe;", README.replace("\n", " "))
    assert m, "the README's fixable-rule sentence changed: update this test with it"
    total, safe, unsafe = (int(x) for x in m.groups())
    safety = Counter(r.meta.fix_safety for r in rules if r.meta.fixable)
    assert (total, safe, unsafe) == (sum(safety.values()), safety["safe"], safety["unsafe"] + safety["mixed"])


def test_changelog_pack_counts() -> None:
    # The 0.1.0 section counts the rules that release shipped (later rules say a later ``since``).
    by_pack = Counter(r.meta.pack for r in _settings().registry.rules if r.meta.since == "0.1.0")
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8").split("\n## [0.1.0]", 1)[1]
    for title, pack in (("Security pack", "security"), ("Resources and reliability pack", "resources"),
                        ("GPU and AI-workloads pack", "gpu")):
        m = re.search(rf"{title} \((\d+) rules\)", changelog)
        assert m and int(m.group(1)) == by_pack[pack], title


def test_performance_rule_counts() -> None:
    settings = _settings()
    default = re.search(r"\| guardlint, default rules \((\d+) rules\) \|", PERFORMANCE)
    every = re.search(r"\| guardlint, every rule \((\d+) rules\) \|", PERFORMANCE)
    assert default and int(default.group(1)) == len(settings.plan.active)
    assert every and int(every.group(1)) == len(settings.registry.rules)


def _recorded_rows() -> list[str]:
    """The table rows of docs/performance.md's "Figures" section: the measured record the README may quote."""
    figures = PERFORMANCE.split("\n## Figures", 1)[1].split("\n## ", 1)[0]
    return [line for line in figures.splitlines() if line.startswith("| ")]


def test_readme_speed_figures_are_the_recorded_default_rule_figures() -> None:
    speed = README.split("\n## Speed\n", 1)[1].split("\n## ", 1)[0]
    assert "starter" not in speed  # a subset's figure is not the speed of the tool
    rows = [row for row in _recorded_rows() if "starter" not in row]
    figures = re.findall(r"\d+(?:\.\d+)?x|\d+(?:\.\d+)? ms|\d+(?:\.\d+)? KB|exponent \d+\.\d+", speed)
    assert len(figures) >= 6, "the README gives the measured ratio, exponents, memory, Checkov and small file"
    for figure in figures:
        assert any(figure in row for row in rows), f"the README quotes {figure}, which no recorded row gives"
    # each quoted figure belongs to the row it is quoted for
    # the command users run, as they run it (``--jobs auto``), interleaved with the floor process
    default = next(r for r in rows if "as users run it: `guardlint check CORPUS --format json`, default rules" in r)
    serial = next(r for r in rows if "--jobs 1`, default rules" in r)
    growth = [r for r in rows if r.startswith("| growth,")]
    checkov = next(r for r in rows if r.startswith("| `checkov"))
    small = next(r for r in rows if "one small file, no config" in r)
    pooled = re.search(r"(\d+\.\d+)x\s+the parse floor", speed)
    one = re.search(r"(\d+\.\d+)x in one\s+process", speed)
    assert pooled and f"{pooled.group(1)}x the floor process" in default
    assert one and f"{one.group(1)}x the floor process" in serial
    exponents = re.findall(r"exponent (\d+\.\d+)", speed)
    assert exponents and all(any(f"exponent {e}" in r for r in growth) for e in exponents)
    slower = re.search(r"(\d+\.\d+)x the time", speed)
    assert slower and f"{slower.group(1)}x the time" in checkov
    median = re.search(r"(\d+) ms \(median", speed)
    assert median and f"{median.group(1)} ms median" in small
    for count in re.findall(r"\((\d+) rules\)", speed):
        assert int(count) == len(_settings().plan.active)


def test_changelog_unreleased_section_is_merged() -> None:
    """Merges of parallel work once left the Unreleased section with repeated headings, the same entry two or
    three times and three different counts for one pack: one heading each, no entry twice, current counts; the
    same for the newest release, whose counts are those of the rules it shipped."""
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    unreleased, newest = text.split("\n## [Unreleased]\n", 1)[1].split("\n## [", 2)[:2]
    _merged_once(unreleased, "Unreleased", None)
    version = newest.split("]", 1)[0]
    _merged_once(newest, version, tuple(int(p) for p in version.split(".")))


def _merged_once(section: str, name: str, version: tuple[int, ...] | None) -> None:
    headings = re.findall(r"^### (.+)$", section, re.M)
    assert len(headings) == len(set(headings)), f"repeated headings in {name}: {headings}"
    entries = [" ".join(e.split()) for e in re.split(r"^- ", section, flags=re.M)[1:]]
    repeated = {e[:80] for e in entries if entries.count(e) > 1}
    assert not repeated, f"entries listed twice in {name}: {sorted(repeated)}"
    by_pack = Counter(r.meta.pack for r in _settings().registry.rules
                      if version is None or tuple(int(p) for p in r.meta.since.split(".")) <= version)
    for title, pack in (("Security pack", "security"), ("Resources and reliability pack", "resources"),
                        ("GPU and AI-workloads pack", "gpu")):
        for count in re.findall(rf"{title} \((\d+) rules\)", section):
            assert int(count) == by_pack[pack], f"{name} says {title} ({count} rules): it has {by_pack[pack]}"
