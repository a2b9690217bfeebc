"""``--show-settings`` with a policy and presets from installed packages: each value names the package, version and
preset it came from, the policy file and the locked rules are shown; ``config validate`` and ``rules`` take
``--policy`` (and ``GUARDLINT_POLICY``) like ``check``."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from guardlint._version import __version__
from guardlint.cli import main


def run(args: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(args, out=out, err=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An installed preset package (acme-policy 2.1.0) and a repository to run in; returns the repository."""
    site = tmp_path / "site"
    package = site / "acme_policy_presets"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("raise RuntimeError('a preset package is data: never imported')\n")
    (package / "default.yaml").write_text("select: [privileged-container, unpinned-image]\n")
    (package / "strict.yaml").write_text("extends: acme-policy\nfail-on: warning\nlocked: [privileged-container]\n")
    info = site / "acme_policy-2.1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-policy\nVersion: 2.1.0\n\nVersion: 9\n")
    (info / "entry_points.txt").write_text("[guardlint.presets]\nacme-policy = acme_policy_presets\n")
    monkeypatch.syspath_prepend(str(site))
    (tmp_path / "policy.yaml").write_text("extends: acme-policy:strict\nlocked:\n  - rules: [unpinned-image]\n"
                                          "    namespaces: [prod-*]\n")
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / ".guardlint.yaml").write_text("extends: strict\nignore: [unpinned-image]\n")
    monkeypatch.chdir(repo)
    monkeypatch.delenv("GUARDLINT_POLICY", raising=False)
    return repo


def _rows(out: str) -> dict[str, str]:
    rows = {}
    for line in out.splitlines():
        if not line.startswith((" ", "rules:")):
            name, _, rest = line.partition(" ")
            rows[name] = rest.strip()
    return rows


def test_show_settings_names_package_version_and_preset(site: Path, tmp_path: Path) -> None:
    code, out, err = run(["check", "--show-settings", "--policy", "../policy.yaml"])
    assert (code, err) == (0, "")
    rows = _rows(out)
    package = tmp_path / "site" / "acme_policy_presets"
    assert rows["fail-on"] == (f'"warning"  # guardlint {__version__} preset strict ('
                               f"{Path(__file__).resolve().parents[2] / 'rules' / 'presets' / 'strict.yaml'}:3:10), "
                               f"acme-policy 2.1.0 preset strict ({package / 'strict.yaml'}:2:10)")
    assert rows["select"].endswith(f"acme-policy 2.1.0 preset default ({package / 'default.yaml'}:1:9)")
    assert rows["policy"] == '"../policy.yaml"  # command line (--policy)'
    assert rows["locked"] == ('["privileged-container", "unpinned-image (namespaces prod-*)"]  # acme-policy 2.1.0 '
                              f"preset strict ({package / 'strict.yaml'}:3:10), ../policy.yaml:3:5")
    rules = {line.split()[2]: line for line in out.splitlines() if line.startswith("  ")}
    assert rules["privileged-container"].endswith(
        f"# locked by acme-policy 2.1.0 preset strict ({package / 'strict.yaml'}:3:10)")
    assert rules["unpinned-image"].endswith("# locked by ../policy.yaml:3:5")  # the repository's ignore is overridden


def test_show_settings_policy_from_the_environment(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GUARDLINT_POLICY", "../policy.yaml")
    rows = _rows(run(["check", "--show-settings"])[1])
    assert rows["policy"] == '"../policy.yaml"  # environment (GUARDLINT_POLICY)'
    rows = _rows(run(["check", "--show-settings", "--no-config"])[1])
    assert rows["configuration"].startswith("null") and rows["policy"].startswith('"../policy.yaml"')


def test_show_settings_without_a_policy(site: Path) -> None:
    rows = _rows(run(["check", "--show-settings"])[1])
    assert rows["policy"] == "null  # none"
    assert rows["locked"] == "[]  # none"


def test_config_validate_takes_the_policy(site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, err = run(["config", "validate", "--policy", "../policy.yaml"])
    assert (code, err) == (0, "")
    assert out.splitlines()[0] == f"{site / '.guardlint.yaml'}: valid with the policy ../policy.yaml"
    # the repository's ignore of a locked rule is valid, but overridden: said at its place
    assert out.splitlines()[1].startswith(".guardlint.yaml:2:10: overridden: ignore 'unpinned-image' is refused: "
                                          "rule 'unpinned-image' is locked by the policy ../policy.yaml")
    (site / ".guardlint.yaml").unlink()
    monkeypatch.setenv("GUARDLINT_POLICY", str(tmp_path / "policy.yaml"))
    code, out, _ = run(["config", "validate"])
    assert (code, out) == (0, f"{tmp_path / 'policy.yaml'}: valid (the policy alone)\n")
    (tmp_path / "bad-policy.yaml").write_text("locked: [no-such-rule]\n")
    code, out, err = run(["config", "validate", "--policy", "../bad-policy.yaml"])
    assert code == 2 and out == "" and "../bad-policy.yaml:1:10: at locked[0]: 'no-such-rule' names no rule" in err


def test_config_validate_without_config_or_policy(site: Path) -> None:
    (site / ".guardlint.yaml").unlink()
    code, _, err = run(["config", "validate"])
    assert code == 2 and "no .guardlint.yaml found" in err


def test_rules_with_a_policy_show_what_runs_and_what_is_locked(site: Path) -> None:
    code, out, err = run(["rules", "--policy", "../policy.yaml"])
    assert (code, err) == (0, "")
    rows = {line.split()[1]: line.split()[2:5] for line in out.splitlines()[1:] if line[:1].isupper()
            and len(line.split()) > 4}
    package = str(site.parent / "site" / "acme_policy_presets" / "strict.yaml")
    assert rows["privileged-container"] == ["yes", "error", package]
    assert rows["unpinned-image"] == ["yes", "warning", "../policy.yaml"]
    assert rows["host-port"][:2] == ["no", "-"]
    assert "rules run with the policy ../policy.yaml; 3 locked" in out  # suppression-not-allowed is locked too
    code, out, _ = run(["rules", "--policy", "../policy.yaml", "--format", "json"])
    effective = {r["name"]: r["effective"] for r in json.loads(out)}
    assert effective["unpinned-image"] == {"runs": True, "severity": "warning", "locked": [
        {"policy": "../policy.yaml", "selector": "unpinned-image", "namespaces": ["prod-*"]}]}
    assert effective["host-port"] == {"runs": False, "severity": None, "locked": []}


def test_rules_without_config_or_policy_is_the_plain_list(site: Path) -> None:
    _, out, _ = run(["rules"])
    assert out.splitlines()[0].split() == ["CODE", "NAME", "SEVERITY", "DEFAULT", "FIX", "TITLE"]
    _, out, _ = run(["rules", "--format", "json"])
    assert all("effective" not in r for r in json.loads(out))
