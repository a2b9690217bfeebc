"""A chart's ``values.schema.json`` cannot make rendering fetch or read anything: Helm resolves a ``$ref`` (and an
unknown ``$schema``) by loading it, from a URL (a loopback address too) or a ``file://`` path out of the
repository. Such a reference is refused before rendering, on its line; fragments (``#/$defs/x``) stay allowed."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import pytest

from guardlint.cli import main
from guardlint.render.helm import find_renderer
from tests.render.conftest import write
from tests.render.test_kustomize_network import _Server, server  # noqa: F401  (the fixture)

pytestmark = pytest.mark.skipif(find_renderer() is None, reason="needs a Helm renderer")

CHART = "apiVersion: v2\nname: c\nversion: 0.1.0\n"
TEMPLATE = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: ns\ndata:\n  x: "{{ .Values.x }}"\n'


def _check(*paths: str) -> tuple[int, dict[str, list[dict[str, object]]]]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["check", *paths, "--no-config", "--format", "json"], out=out, err=err)
    return code, json.loads(out.getvalue())


@pytest.mark.parametrize(("key", "value"), [
    ("$ref", "{url}/remote.json"),
    ("$ref", "{url}/remote.json#/x"),
    ("$schema", "{url}/meta"),
    ("$ref", "file://{outside}"),
    ("$ref", "other.json"),
])
def test_a_reference_helm_would_load_is_refused_on_its_line(repo: Path, server: _Server, tmp_path_factory:  # noqa: F811
                                                           pytest.TempPathFactory, key: str, value: str) -> None:
    outside = tmp_path_factory.mktemp("outside") / "s.json"
    outside.write_text('{"type": "integer"}')
    ref = value.format(url=server.url, outside=outside)
    schema = ('{\n  "type": "object",\n  "properties": {\n    "x": {\n      "' + key + '": "' + ref + '"\n    }\n'
              "  }\n}\n")
    write(repo, {"c/Chart.yaml": CHART, "c/values.yaml": "x: 1\n", "c/values.schema.json": schema,
                 "c/templates/cm.yaml": TEMPLATE, "c/other.json": '{"type": "integer"}'})
    code, report = _check("c")
    assert server.requests == []
    assert code == 2
    [error] = report["errors"]
    assert (error["file"], error["line"], error["kind"]) == ("c/values.schema.json", 5, "render-failed")
    assert repr(ref) in str(error["message"]) and "not rendered" in str(error["message"])


def test_fragments_and_the_standard_meta_schemas_stay_allowed(repo: Path, server: _Server) -> None:  # noqa: F811
    for meta in ("https://json-schema.org/draft/2020-12/schema", "http://json-schema.org/draft-07/schema#"):
        schema = {"$schema": meta, "type": "object", "$defs": {"n": {"type": "integer"}},
                  "definitions": {"n": {"type": "integer"}},
                  "properties": {"x": {"$ref": "#/$defs/n" if "2020" in meta else "#/definitions/n"}}}
        write(repo, {"c/Chart.yaml": CHART, "c/values.yaml": "x: 1\n", "c/values.schema.json": json.dumps(schema),
                     "c/templates/cm.yaml": TEMPLATE})
        code, report = _check("c")
        assert (code, report["errors"]) == (0, []), meta
    assert server.requests == []


def test_a_packaged_subchart_is_checked_too(repo: Path, server: _Server) -> None:  # noqa: F811
    """A subchart packaged in ``charts/`` (``helm dependency build`` writes ``.tgz`` files) brings its own schema."""
    write(repo, {"c/Chart.yaml": CHART + "dependencies:\n  - name: sub\n    version: 0.1.0\n",
                 "c/values.yaml": "x: 1\n", "c/templates/cm.yaml": TEMPLATE})
    sub_schema = json.dumps({"type": "object", "properties": {"y": {"$ref": f"{server.url}/sub.json"}}}).encode()
    (repo / "c" / "charts").mkdir()
    with tarfile.open(repo / "c" / "charts" / "sub-0.1.0.tgz", "w:gz") as tar:
        for name, data in (("sub/Chart.yaml", b"apiVersion: v2\nname: sub\nversion: 0.1.0\n"),
                           ("sub/values.schema.json", sub_schema)):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    code, report = _check("c")
    assert server.requests == []
    assert code == 2
    [error] = report["errors"]
    assert error["file"] == "c/charts/sub-0.1.0.tgz" and "sub/values.schema.json" in str(error["message"])
