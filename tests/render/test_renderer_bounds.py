"""A renderer program runs within bounds a repository cannot lift (``guardlint.render.child``): its memory is
capped on Linux, what guardlint reads of its output is bounded, and it is stopped at its time limit. The helm
binary is a stand-in here (no Helm on this machine); the kustomize test builds with the real kubectl."""

from __future__ import annotations

import io
import json
import os
import shutil
import sys
import time
from pathlib import Path

import pytest

from guardlint.cli import main
from guardlint.render import child
from tests.render.conftest import write

LINUX_PRLIMIT = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="the memory cap uses prlimit, which only Linux has")


def _run(code: str, **kwargs: object) -> child.Finished | child.TimedOut | child.TooMuchOutput:
    options: dict[str, object] = {"timeout": 30.0, "max_output": 1 << 20, "memory": child.MEMORY_LIMIT,
                                  "env": dict(os.environ)}
    options.update(kwargs)
    return child.run([sys.executable, "-c", code], **options)  # type: ignore[arg-type]


def test_output_and_exit_status_as_subprocess_gives_them() -> None:
    result = _run("import sys; sys.stdout.write('a\\r\\nb\\n'); sys.stderr.write('why\\n'); sys.exit(3)")
    assert result == child.Finished(3, "a\nb\n", "why\n")


@LINUX_PRLIMIT
def test_memory_is_capped_right_after_the_start() -> None:
    """The child sees the cap (it waits for it: the cap is set just after it starts) and an allocation beyond
    it fails in the child, which exits with an error, instead of taking the memory."""
    code = ("import resource, sys, time\n"
            "end = time.monotonic() + 10\n"
            "while resource.getrlimit(resource.RLIMIT_DATA)[0] != 256 << 20 and time.monotonic() < end:\n"
            "    time.sleep(0.01)\n"
            "print(resource.getrlimit(resource.RLIMIT_DATA))\n"
            "try:\n"
            "    block = bytearray(3 << 30)\n"
            "except MemoryError:\n"
            "    sys.exit('no memory')\n"
            "print('allocated', len(block))\n")
    result = _run(code, memory=256 << 20)
    assert isinstance(result, child.Finished)
    assert result.stdout == f"({256 << 20}, {256 << 20})\n"
    assert (result.returncode, result.stderr) == (1, "no memory\n")


def test_a_child_that_writes_without_end_is_stopped_at_the_output_bound() -> None:
    start = time.monotonic()
    result = _run("import sys\nwhile True: sys.stdout.write('x' * 65536)", max_output=1 << 20)
    assert result == child.TooMuchOutput(1 << 20)
    assert time.monotonic() - start < 20


def test_standard_error_is_kept_up_to_its_bound_and_drained() -> None:
    """A child that writes much to standard error is not blocked on a full pipe, and only the first
    ``STDERR_LIMIT`` bytes are kept."""
    result = _run("import sys\nsys.stderr.write('e' * (3 << 20))\nprint('done')")
    assert isinstance(result, child.Finished)
    assert result.stdout == "done\n"
    assert len(result.stderr) == child.STDERR_LIMIT


def test_a_child_past_its_time_limit_is_stopped() -> None:
    start = time.monotonic()
    assert _run("import time; time.sleep(30)", timeout=0.5) == child.TimedOut(0.5)
    assert time.monotonic() - start < 20


def test_memory_limit_grows_with_the_file_size_limit() -> None:
    assert child.memory_limit(20 << 20) == child.MEMORY_LIMIT
    assert child.memory_limit(100 << 20) == 6400 << 20


_STAND_IN_HELM = """#!{python}
import sys
if sys.argv[1:2] == ["version"]:
    print("v3.99.0+stand-in")
    sys.exit(0)
open({calls!r}, "a").write("template\\n")
# "helm template": a template that writes without end (repeat with a huge count), as fast as it can.
sys.stdout.write("---\\n# Source: web/templates/big.yaml\\napiVersion: v1\\nkind: ConfigMap\\n")
sys.stdout.write("metadata:\\n  name: big\\ndata:\\n  x: ")
while True:
    sys.stdout.write("x" * 65536)
"""


def test_a_helm_binary_that_writes_without_end_is_a_located_file_too_large(
        repo: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Before: ``capture_output`` read everything helm wrote into guardlint's memory, then judged its size."""
    bin_dir = tmp_path_factory.mktemp("bin")
    helm = bin_dir / "helm"
    calls = bin_dir / "calls"
    helm.write_text(_STAND_IN_HELM.format(python=sys.executable, calls=str(calls)))
    helm.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    write(repo, {"web/Chart.yaml": "apiVersion: v2\nname: web\nversion: 0.1.0\n",
                 "web/values.yaml": "x: 1\n",
                 "web/templates/big.yaml": "apiVersion: v1\nkind: ConfigMap\n"})
    for _ in range(2):  # the stop is not cached: it depends on the file-size limit, which the key leaves out
        out, err = io.StringIO(), io.StringIO()
        start = time.monotonic()
        code = main(["check", ".", "--format", "json", "--no-config", "--max-file-size", "1"], out=out, err=err)
        assert time.monotonic() - start < 60
        assert code == 2
        [error] = json.loads(out.getvalue())["errors"]
        assert (error["kind"], error["file"], error["line"]) == ("file-too-large", "web/Chart.yaml", 1)
        assert error["message"] == (
            "what the Helm chart web renders with values set values.yaml is over the 1 MB limit (helm template was "
            "stopped after writing more than 5 MB); nothing was linted for this values set")
    # Once per run: a rendering stopped at a bound is not tried again without markers.
    assert calls.read_text() == "template\n" * 2


@pytest.mark.skipif(shutil.which("kustomize") is None and shutil.which("kubectl") is None,
                    reason="needs 'kustomize' or 'kubectl' on PATH to build overlays")
def test_an_overlay_that_builds_more_than_the_file_size_limit_is_file_too_large(repo: Path) -> None:
    """Each file is under the limit, but an overlay that uses a base twice (a chain of such overlays doubles
    what it builds at each level) builds more than it: refused as a file that size would be. Before: read
    whole, whatever its size, and linted."""
    big = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big}\ndata:\n  k: \"" + "x" * 700_000 + "\"\n"
    write(repo, {"a/cm.yaml": big, "a/kustomization.yaml": "resources: [cm.yaml]\n",
                 "b/kustomization.yaml": "resources: [../a]\nnameSuffix: -b\n",
                 "top/kustomization.yaml": "resources: [../a, ../b]\n"})
    out, err = io.StringIO(), io.StringIO()
    code = main(["check", "top", "--format", "json", "--no-config", "--max-file-size", "1"], out=out, err=err)
    assert code == 2
    [error] = json.loads(out.getvalue())["errors"]
    assert (error["kind"], error["file"], error["line"]) == ("file-too-large", "top/kustomization.yaml", 1)
    assert error["message"] == ("what the kustomize overlay top builds is over the 1 MB limit (the build was "
                                "stopped there); nothing was linted for this overlay")
    out = io.StringIO()
    assert main(["check", "top", "--format", "json", "--no-config", "--max-file-size", "2"], out=out, err=err) == 0
    assert json.loads(out.getvalue())["summary"]["resources"] == 2
