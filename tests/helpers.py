"""Test helpers: fixture files with inline expectations, and a cached default registry."""

from __future__ import annotations

import functools
import json
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from guardlint.api import Settings, make_registry, resolve_settings
from guardlint.config.model import Config, RuleSettings, make_plan, parse_version
from guardlint.findings import Report
from guardlint.model.workloads import default_table
from guardlint.rules.registry import Registry

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "rules"

_EXPECT = re.compile(r"#\s*expect:\s*([A-Za-z0-9_,\s-]+?)\s*$")
_HEADER = re.compile(r"^#\s*(params|kubernetes-version|select|config):\s*(.+?)\s*$")


@functools.lru_cache(maxsize=1)
def registry() -> Registry:
    return make_registry(entry_points=False, lazy=False)


def settings_for(
    rules: list[str],
    params: dict[str, dict[str, Any]] | None = None,
    kubernetes_version: str | tuple[int, int] | None = None,
    extra: dict[str, Any] | None = None,
) -> Settings:
    """Settings selecting ``rules``. A version tuple is used as given (a Config built in code may name a
    version newer than the command line and config files accept); a string is parsed as they parse it."""
    reg = registry()
    if isinstance(kubernetes_version, tuple):
        version: tuple[int, int] | None = kubernetes_version
    else:
        version = parse_version(kubernetes_version) if kubernetes_version else None
    cfg = Config(
        select=tuple(rules),
        rules={name: RuleSettings(params=p) for name, p in (params or {}).items()},
        kubernetes_version=version,
        **(extra or {}),
    )
    plan = make_plan(reg, cfg, workloads=default_table())
    return Settings(cfg, reg, plan, None, 20 * 1024 * 1024)


def default_settings() -> Settings:
    return resolve_settings(use_config_file=False, entry_points=False)


@dataclass(frozen=True)
class Fixture:
    path: Path
    rule: str
    verdict: str  # "pass" or "fail"
    text: str
    expected: Counter[tuple[str, int]]
    select: list[str]
    params: dict[str, Any]
    kubernetes_version: str | None
    extra_config: dict[str, Any]

    @property
    def id(self) -> str:
        return f"{self.rule}/{self.path.parent.name}/{self.path.name}"


def parse_fixture(path: Path, rule: str, verdict: str) -> Fixture:
    text = path.read_text(encoding="utf-8")
    expected: Counter[tuple[str, int]] = Counter()
    select = [rule]
    params: dict[str, Any] = {}
    version = None
    extra: dict[str, Any] = {}
    for lineno, line in enumerate(text.splitlines(), start=1):
        h = _HEADER.match(line)
        if h:
            key, value = h.group(1), h.group(2)
            if key == "params":
                params = json.loads(value)
            elif key == "kubernetes-version":
                version = value.strip().strip('"')
            elif key == "select":
                select = [s.strip() for s in value.split(",") if s.strip()]
            elif key == "config":
                extra = json.loads(value)
            continue
        m = _EXPECT.search(line)
        if m:
            for name in m.group(1).split(","):
                if name.strip():
                    expected[(name.strip(), lineno)] += 1
    return Fixture(path, rule, verdict, text, expected, select, params, version, extra)


def iter_fixtures() -> list[Fixture]:
    out = []
    if not FIXTURES.is_dir():
        return out
    for rule_dir in sorted(p for p in FIXTURES.iterdir() if p.is_dir()):
        for verdict in ("pass", "fail"):
            folder = rule_dir / verdict
            if not folder.is_dir():
                continue
            for f in sorted(folder.iterdir()):
                if f.suffix in (".yaml", ".yml", ".json"):
                    out.append(parse_fixture(f, rule_dir.name, verdict))
    return out


def run_fixture(fx: Fixture) -> Report:
    from guardlint.config.model import Exemption, KnownObject  # noqa: F401 - used by extra configs
    from guardlint.engine import lint_loaded
    from guardlint.source.loader import load_text

    extra: dict[str, Any] = {}
    if "known_objects" in fx.extra_config:
        extra["known_objects"] = tuple(KnownObject(**k) for k in fx.extra_config["known_objects"])
    if "options" in fx.extra_config:
        extra["options"] = fx.extra_config["options"]
    settings = settings_for(fx.select, {fx.rule: fx.params} if fx.params else None, fx.kubernetes_version, extra)
    plan = settings.plan
    if fx.extra_config.get("partial"):
        plan = plan._replace(partial=True)
    loaded = load_text(fx.text, fx.path.name)
    return lint_loaded([loaded], plan, raise_errors=True)


def found_counter(report: Report, rules: list[str] | None = None) -> Counter[tuple[str, int]]:
    return Counter(
        (f.rule, f.line) for f in report.findings if not f.suppressed and (rules is None or f.rule in rules)
    )
