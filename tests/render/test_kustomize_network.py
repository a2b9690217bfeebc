"""A kustomization cannot make guardlint (through kustomize) contact the network: every field kustomize loads
a file from is checked before the build, and a URL there is a located error, not a fetch. Loopback addresses
matter most: Go's HTTP client never sends them through the proxy variables the build points nowhere."""

from __future__ import annotations

import http.server
import io
import json
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from guardlint.cli import main
from guardlint.render.kustomize import parse_kustomization
from tests.render.conftest import write


class _Server:
    """A local HTTP server that records the paths requested of it."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        requests = self.requests

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                requests.append(self.path)
                body = b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: fetched\ndata:\n  TOKEN: hunter2\n"
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"


@pytest.fixture
def server() -> Iterator[_Server]:
    s = _Server()
    thread = threading.Thread(target=s.httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield s
    finally:
        s.httpd.shutdown()
        s.httpd.server_close()


FIELDS = {
    "configMapGenerator files": "configMapGenerator:\n  - name: leak\n    files:\n      - {url}/secret\n",
    "configMapGenerator files with a key": "configMapGenerator:\n  - name: leak\n    files:\n      - key={url}/s\n",
    "configMapGenerator envs": "configMapGenerator:\n  - name: leak\n    envs:\n      - {url}/env\n",
    "configMapGenerator env": "configMapGenerator:\n  - name: leak\n    env: {url}/env\n",
    "secretGenerator files": "secretGenerator:\n  - name: leak\n    files:\n      - {url}/secret\n",
    "crds": "crds:\n  - {url}/crd.json\n",
    "configurations": "configurations:\n  - {url}/conf.yaml\n",
    "generators": "generators:\n  - {url}/gen.yaml\n",
    "transformers": "transformers:\n  - {url}/t.yaml\n",
    "validators": "validators:\n  - {url}/v.yaml\n",
    "openapi": "openapi:\n  path: {url}/schema.json\n",
    "replacements": "replacements:\n  - path: {url}/r.yaml\n",
    "resources": "resources:\n  - {url}/cm.yaml\n",
}


@pytest.mark.parametrize("field", sorted(FIELDS))
def test_every_file_field_refuses_a_url(tmp_path: Path, field: str) -> None:
    (tmp_path / ".git").mkdir()
    write(tmp_path, {"o/kustomization.yaml": FIELDS[field].format(url="http://127.0.0.1:9")})
    k = parse_kustomization(str(tmp_path / "o"), str(tmp_path))
    assert k is not None
    assert [p.line for p in k.problems] == [FIELDS[field].count("\n")]
    assert all("never contacts the network" in p.message for p in k.problems)


def test_local_files_in_those_fields_stay_allowed(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    write(tmp_path, {"o/kustomization.yaml": (
        "configMapGenerator:\n  - name: ok\n    files: [a.txt, key=b.txt]\n    envs: [c.env]\n"
        "transformers:\n  - |-\n    apiVersion: builtin\n    kind: LabelTransformer\n    metadata: {name: x}\n"
        "    labels: {a: b}\n    fieldSpecs: [{path: metadata/labels, create: true}]\n"
        "commonAnnotations:\n  docs: https://example.com/not-a-file\n"),
        "o/a.txt": "a\n", "o/b.txt": "b\n", "o/c.env": "C=1\n"})
    k = parse_kustomization(str(tmp_path / "o"), str(tmp_path))
    assert k is not None and k.problems == ()


@pytest.mark.skipif(shutil.which("kustomize") is None and shutil.which("kubectl") is None,
                    reason="needs 'kustomize' or 'kubectl' on PATH to build overlays")
@pytest.mark.parametrize("field", ["configMapGenerator files", "crds", "resources", "secretGenerator files"])
def test_a_loopback_url_is_never_fetched(repo: Path, server: _Server, field: str) -> None:
    write(repo, {"o/kustomization.yaml": FIELDS[field].format(url=server.url)})
    out, err = io.StringIO(), io.StringIO()
    code = main(["check", ".", "--format", "json", "--select", "all", "--no-config"], out=out, err=err)
    assert server.requests == []
    report = json.loads(out.getvalue())
    assert code == 2
    [error] = report["errors"]
    assert error["file"] == "o/kustomization.yaml" and "never contacts the network" in error["message"]
    assert "hunter2" not in out.getvalue() + err.getvalue()


@pytest.mark.skipif(shutil.which("kustomize") is None and shutil.which("kubectl") is None,
                    reason="needs 'kustomize' or 'kubectl' on PATH to build overlays")
@pytest.mark.parametrize("field", ["generators", "transformers", "validators"])
def test_exec_and_container_functions_are_never_run(repo: Path, field: str) -> None:
    """A KRM function (an exec script or a container image) named by a kustomization is not run: the build
    gets no --enable-exec, --enable-alpha-plugins or --enable-helm, so kustomize refuses it."""
    marker = repo / "ran"
    script = repo / "o" / "fn.sh"
    write(repo, {
        "o/fn.sh": f"#!/bin/sh\ntouch {marker}\ncat\n",
        "o/fn.yaml": ("apiVersion: example.com/v1\nkind: Fn\nmetadata:\n  name: fn\n  annotations:\n"
                      "    config.kubernetes.io/function: |\n      exec:\n        path: ./fn.sh\n"),
        "o/legacy.yaml": "apiVersion: example.com/v1\nkind: Legacy\nmetadata:\n  name: legacy\n",
        "o/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n",
        "o/kustomization.yaml": f"resources: [cm.yaml]\n{field}:\n  - fn.yaml\n  - legacy.yaml\n",
    })
    script.chmod(0o755)
    out, err = io.StringIO(), io.StringIO()
    code = main(["check", ".", "--format", "json", "--no-config"], out=out, err=err)
    assert not marker.exists()
    assert code == 2
    errors = json.loads(out.getvalue())["errors"]
    # Refused before any build, on the entry that names each plugin, saying why.
    assert [(e["file"], e["line"]) for e in errors] == [("o/kustomization.yaml", 3), ("o/kustomization.yaml", 4)]
    assert "KRM function" in errors[0]["message"] and "not a kustomize builtin plugin" in errors[1]["message"]


@pytest.mark.skipif(shutil.which("kustomize") is None and shutil.which("kubectl") is None,
                    reason="needs 'kustomize' or 'kubectl' on PATH to build overlays")
def test_helm_charts_in_a_kustomization_are_not_inflated(repo: Path) -> None:
    write(repo, {"o/kustomization.yaml": ("helmCharts:\n  - name: web\n    repo: http://127.0.0.1:9/charts\n"
                                           "    version: 1.0.0\n")})
    out, err = io.StringIO(), io.StringIO()
    code = main(["check", ".", "--format", "json", "--no-config"], out=out, err=err)
    assert code == 2
    [error] = json.loads(out.getvalue())["errors"]
    assert (error["file"], error["line"]) == ("o/kustomization.yaml", 2)
    assert "'helmCharts'" in error["message"] and "enable-helm" in error["message"]


@pytest.mark.skipif(shutil.which("kustomize") is None and shutil.which("kubectl") is None,
                    reason="needs 'kustomize' or 'kubectl' on PATH to build overlays")
@pytest.mark.parametrize("field", ["generators", "transformers", "validators"])
def test_a_kustomization_folder_used_as_a_plugin_list_entry_is_checked_too(repo: Path, server: _Server,
                                                                           field: str) -> None:
    """kustomize builds a folder named in ``generators``/``transformers``/``validators`` as a kustomization (its
    output is the plugin configurations): that folder's own entries are checked like a base's, so its remote
    resource is refused on its line and never fetched."""
    write(repo, {
        "o/kustomization.yaml": f"resources: [cm.yaml]\n{field}:\n  - ../plug\n",
        "o/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n",
        "plug/kustomization.yaml": f"resources:\n  - {server.url}/remote.yaml\n",
    })
    out, err = io.StringIO(), io.StringIO()
    code = main(["check", "o", "--format", "json", "--no-config"], out=out, err=err)
    assert server.requests == []
    assert code == 2
    [error] = json.loads(out.getvalue())["errors"]
    assert (error["file"], error["line"]) == ("plug/kustomization.yaml", 2)
    assert "never contacts the network" in error["message"]
