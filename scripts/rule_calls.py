#!/usr/bin/env python3
"""Which rules the engine calls on which objects, and which of those calls report anything.

Usage: python scripts/rule_calls.py PATH... [--select RULES] [--partial] [--per-rule] [--imports]

Loads PATHs as ``guardlint check`` does (``--no-config``), runs the rules once and counts, per rule, the
objects the engine called it on and the objects on which it yielded at least one violation. Counts, not
times: they do not depend on the machine's load, so two trees compare exactly
(``PYTHONPATH=<checkout>/src``). ``--imports`` runs the rules unwrapped in a fresh process instead and
prints how many rule modules (``guardlint.rules.<pack>.<rule>``, helpers left out) the run imported.
"""

from __future__ import annotations

import argparse
import gc
import json
import subprocess
import sys
from collections.abc import Iterable, Iterator
from typing import Any


def _settings(select: str | None, partial: bool) -> Any:
    from guardlint.api import resolve_settings

    return resolve_settings(select=select.split(",") if select else None, use_config_file=False,
                            partial=partial)


def _loaded(paths: list[str], settings: Any) -> Any:
    from guardlint.api import load_inputs
    from guardlint.source.files import discover_all

    return load_inputs(discover_all(paths, ()).inputs, settings.max_bytes)


def count_calls(paths: list[str], select: str | None, partial: bool) -> dict[str, Any]:
    from guardlint import engine

    gc.disable()
    settings = _settings(select, partial)
    loaded = _loaded(paths, settings)
    rules = [a.rule for a in settings.plan.active if not a.rule.info.engine]
    called: dict[str, int] = dict.fromkeys((r.name for r in rules), 0)
    reported: dict[str, int] = dict.fromkeys((r.name for r in rules), 0)

    def wrap(name: str, check: Any) -> Any:
        def counted(resource: Any, params: Any, ctx: Any) -> Iterator[Any]:
            called[name] += 1
            found = False
            for v in check(resource, params, ctx):
                if not found:
                    reported[name] += 1
                    found = True
                yield v

        return counted

    for r in rules:
        r.load()
        r._check = wrap(r.name, r._check)
    run = engine.Run(loaded, settings.plan)
    run.check()
    report = run.report()
    return {"objects": len(run.resources), "findings": len(report.findings), "called": called,
            "reported": reported}


def count_imports(paths: list[str], select: str | None, partial: bool) -> dict[str, Any]:
    from guardlint import engine
    from guardlint.rules.packs import BUILTIN_PACKS

    settings = _settings(select, partial)
    loaded = _loaded(paths, settings)
    before = set(sys.modules)
    run = engine.Run(loaded, settings.plan)
    run.check()
    run.report()
    packs = tuple(f"guardlint.rules.{p.name}." for p in BUILTIN_PACKS)
    new = sorted(m for m in set(sys.modules) - before)
    rule_modules = [m for m in new if m.startswith(packs) and not m.rsplit(".", 1)[1].startswith("_")]
    return {"objects": len(run.resources), "modules": len(new), "rule_modules": len(rule_modules),
            "by_pack": {p.name: sum(m.startswith(f"guardlint.rules.{p.name}.") for m in rule_modules)
                        for p in BUILTIN_PACKS}}


def _print_calls(out: dict[str, Any], per_rule: bool) -> None:
    called, reported = out["called"], out["reported"]
    print(f"{out['objects']:,} objects, {out['findings']:,} findings; rule calls {sum(called.values()):,}, "
          f"calls that reported {sum(reported.values()):,}; rules called {sum(1 for v in called.values() if v)}, "
          f"rules that reported {sum(1 for v in reported.values() if v)}")
    if per_rule:
        for name in sorted(called, key=lambda n: (-called[n], n)):
            print(f"  {name:50s} called {called[name]:8,}  reported {reported[name]:8,}")


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--select", default=None)
    parser.add_argument("--partial", action="store_true")
    parser.add_argument("--per-rule", action="store_true")
    parser.add_argument("--imports", action="store_true", help="count the modules the run imports (fresh process)")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--_child-imports", action="store_true", dest="child", help=argparse.SUPPRESS)
    args = parser.parse_args(list(argv) if argv is not None else None)
    if args.child:
        print(json.dumps(count_imports(args.paths, args.select, args.partial)))
        return 0
    if args.imports:
        cmd = [sys.executable, __file__, "--_child-imports", *args.paths]
        cmd += ["--select", args.select] if args.select else []
        cmd += ["--partial"] if args.partial else []
        got = json.loads(subprocess.run(cmd, capture_output=True, text=True, check=True).stdout)
        print(json.dumps(got) if args.json else
              f"{got['objects']:,} objects: the run imported {got['modules']} modules, {got['rule_modules']} of "
              f"them rule modules ({', '.join(f'{k} {v}' for k, v in got['by_pack'].items())})")
        return 0
    out = count_calls(args.paths, args.select, args.partial)
    if args.json:
        print(json.dumps(out))
    else:
        _print_calls(out, args.per_rule)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
