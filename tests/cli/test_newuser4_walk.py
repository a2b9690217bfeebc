"""Defects found by the newuser4 walk (a developer, a CI owner and an attacker using guardlint as documented)."""

from __future__ import annotations

import io
import json
import os
import sys
from pathlib import Path

import pytest

from guardlint.cli import main
from tests.unit.test_report_sarif import _assert_valid, validator  # noqa: F401  (the fixture)

PRIVILEGED = (b"apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n"
              b"  containers: [{name: c, image: 'x:1', securityContext: {privileged: true}}]\n")


def _non_utf8_file(folder: Path) -> Path:
    """A manifest whose name is not UTF-8 (``caf\\xe9.yaml``, Latin-1), as an old archive or tool leaves one."""
    if sys.platform in ("darwin", "win32"):
        pytest.skip("the file system takes only Unicode names")
    name = os.path.join(os.fsencode(folder), b"caf\xe9.yaml")
    with open(name, "wb") as fh:
        fh.write(PRIVILEGED)
    return Path(os.fsdecode(name))


def test_sarif_of_a_file_whose_name_is_not_utf8(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                validator) -> None:  # noqa: F811
    """The SARIF report of such a file was an internal error (exit 3: ``quote`` cannot encode the name); its
    URI is the name's bytes, percent-encoded, as RFC 3986 spells any byte."""
    _non_utf8_file(tmp_path)
    monkeypatch.chdir(tmp_path)
    out, err = io.StringIO(), io.StringIO()
    code = main(["check", ".", "--format", "sarif", "--no-config"], out=out, err=err)
    assert code == 1, err.getvalue()
    doc = json.loads(out.getvalue())
    _assert_valid(validator, doc)
    uris = {loc["physicalLocation"]["artifactLocation"]["uri"]
            for r in doc["runs"][0]["results"] for loc in r["locations"]}
    assert uris == {"caf%E9.yaml"}
