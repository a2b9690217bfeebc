"""The exemption index (``suppress._Index``) decides exactly what a scan of every exemption in order decides:
which exemption suppresses each finding, which are refused by a lock (and in which order), which are unused.
Random configurations and policies (equal exemptions, globs and literal names, namespaces, kinds, rule names
and codes in any case, locks per namespace) are checked against that scan."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

import guardlint
from guardlint import suppress
from guardlint.api import resolve_settings
from guardlint.config.model import Exemption, Plan, Refusal
from guardlint.findings import Finding

RULES = ["privileged-container", "shared-host-namespace", "unpinned-image"]
RULE_NAMES = [*RULES, "SEC003", "sec003", "host-port"]
NAMES = ["web", "api", "db", "web-2", "job"]
NAMESPACES = ["prod", "prod-eu", "staging", "dev"]


def _pods(rng: random.Random) -> str:
    docs = []
    for i in range(30):
        kind = rng.choice(["Pod", "Pod", "Deployment"])
        name, ns = rng.choice(NAMES), rng.choice(NAMESPACES)
        spec = ("  hostNetwork: true\n  containers:\n    - name: a\n      image: nginx:latest\n"
                "      securityContext: {privileged: true}\n")
        if kind == "Pod":
            docs.append(f"apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}-{i}\n  namespace: {ns}\nspec:\n{spec}")
        else:
            body = "".join("    " + line + "\n" for line in spec.splitlines())
            docs.append(f"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\n  namespace: {ns}\n"
                        "spec:\n  selector: {matchLabels: {app: x}}\n  template:\n"
                        f"    metadata: {{labels: {{app: x}}}}\n    spec:\n{body}")
    return "---\n".join(docs)


def _exemption(rng: random.Random, i: int) -> str:
    fields = [f"reason: r{i}"]
    if rng.random() < 0.7:
        fields.append(f"rules: [{', '.join(rng.sample(RULE_NAMES, rng.randint(1, 2)))}]")
    if rng.random() < 0.5:
        picked = [rng.choice([n, n + "*", n + "-?", n + "-1"]) for n in rng.sample(NAMES, 2)]
        fields.append(f"names: [{', '.join(repr(p) for p in picked)}]")
    if rng.random() < 0.4:
        fields.append(f"namespaces: [{rng.choice(['prod', 'prod-*', 'staging', 'dev', '*eu'])!r}]")
    if rng.random() < 0.3:
        fields.append(f"kinds: [{rng.choice(['Pod', 'Deployment'])}]")
    if rng.random() < 0.2:
        fields.append("paths: [pods.yaml]" if rng.random() < 0.5 else "paths: [other/]")
    return "  - {" + ", ".join(fields) + "}\n"


def _config(rng: random.Random, count: int, start: int) -> str:
    entries: list[str] = []
    for i in range(count):
        if entries and rng.random() < 0.3:
            entries.append(rng.choice(entries))  # an equal exemption again (its reason too)
        else:
            entries.append(_exemption(rng, start + i))
    return "exemptions:\n" + "".join(entries)


def _scan(findings: list[Finding], plan: Plan) -> tuple[list[str | None], list[Refusal], list[Exemption]]:
    """What a scan of every valid exemption in configured order decides (the reference)."""
    invalid = {id(ex) for ex in suppress.invalid_exemptions(plan)}
    valid = [ex for ex in plan.exemptions if id(ex) not in invalid]
    paths = suppress._ExemptionPaths()
    reasons: list[str | None] = []
    refusals: list[Refusal] = []
    seen: set[tuple[int, str]] = set()
    for f in findings:
        ref = f.resource
        lock = plan.lock_for(f.rule, ref.namespace if ref is not None else None) if plan.locks else None
        reason = None
        for ex in valid:
            if not suppress._exempt(ex, f, paths):
                continue
            if lock is not None and not ex.from_policy:
                if ex.origin is not None and (id(ex), f.rule) not in seen:
                    seen.add((id(ex), f.rule))
                    refusals.append(Refusal(ex.origin, f.rule, ""))
                continue
            reason = f"exemption: {ex.reason}"
            break
        reasons.append(reason)
    ran = {a.rule.name for a in plan.active}
    unused = [ex for ex in valid
              if all((r := plan.registry.get(n)) is not None and r.name in ran for n in ex.rules)
              and not any(suppress._exempt(ex, f, paths) for f in findings)]
    return reasons, refusals, unused


def _check(tmp_path: Path, seed: int) -> set[str]:
    """Checks one random case; the outcomes it reached."""
    rng = random.Random(seed)
    (tmp_path / "pods.yaml").write_text(_pods(rng))
    findings = list(guardlint.lint_paths(["pods.yaml"], use_config_file=False, select=RULES).findings)
    assert len(findings) > 40
    (tmp_path / ".guardlint.yaml").write_text(f"select: [{', '.join(RULES)}]\n" + _config(rng, 40, 0))
    locks = "locked:\n  - privileged-container\n  - rules: [shared-host-namespace]\n    namespaces: [prod*]\n"
    (tmp_path / "policy.yaml").write_text(locks + _config(rng, 8, 100) if seed % 3 else "fail-on: error\n")
    plan = resolve_settings(config=".guardlint.yaml", policy="policy.yaml").plan
    assert len(plan.exemptions) == 40 + (8 if seed % 3 else 0)

    reasons, refusals, unused = _scan(findings, plan)
    refused: list[Refusal] = []
    out, _ = suppress.apply_suppressions(findings, {}, [None] * len(findings), [], plan, refused)
    assert [f.suppression_reason for f in out] == reasons
    assert [(r.origin, r.rule) for r in refused] == [(r.origin, r.rule) for r in refusals]
    assert [id(ex) for ex in suppress.unused_exemptions(findings, plan)] == [id(ex) for ex in unused]
    return {name for name, reached in (("suppressed", any(reasons)), ("kept", not all(reasons)),
                                       ("unused", bool(unused)), ("refused", bool(refusals)),
                                       ("policy", any(r and int(r.removeprefix("exemption: r")) >= 100
                                                      for r in reasons))) if reached}


@pytest.mark.parametrize("seed", range(12))
def test_the_index_decides_as_a_scan_in_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seed: int) -> None:
    monkeypatch.chdir(tmp_path)
    _check(tmp_path, seed)


def test_the_random_cases_reach_every_outcome(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    reached: set[str] = set()
    for seed in range(12):
        reached |= _check(tmp_path, seed)
    assert reached == {"suppressed", "kept", "unused", "refused", "policy"}
