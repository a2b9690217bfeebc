"""The path work of a run (reading named files, the chart/kustomize walk, the entry-point scan) answers as the
plain definitions do, with fewer system calls: each shortcut is compared here with what it replaces."""

from __future__ import annotations

import collections
import os
from pathlib import Path
from typing import Any

import pytest

from guardlint.render.tree import KUSTOMIZATION_NAMES, Trees, partition
from guardlint.rules.registry import _iter_entry_points, _read_entry_points
from guardlint.source.files import Input, NotRegularFile, read_regular_file

SIZES = [0, 1, 2, 100, 4096, (1 << 20) - 1, 1 << 20, (1 << 20) + 1, 3 * (1 << 20) + 7]


def _counting_reads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    asked: list[int] = []
    real = os.read

    def read(fd: int, n: int) -> bytes:
        asked.append(n)
        return real(fd, n)

    monkeypatch.setattr(os, "read", read)
    return asked


@pytest.mark.parametrize("size", SIZES)
def test_a_file_reads_as_its_bytes_in_one_read_when_its_size_holds(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: int) -> None:
    data = bytes((i * 7 + 3) % 256 for i in range(size))
    f = tmp_path / "m.yaml"
    f.write_bytes(data)
    asked = _counting_reads(monkeypatch)
    assert read_regular_file(str(f), 64 << 20) == data
    if 0 < size < 1 << 20:
        assert asked == [size + 1]  # the whole file, and no empty read to confirm its end
    elif size == 0:
        assert asked == [1 << 20]  # the empty read ends it
    else:
        assert len(asked) >= 2  # read in 1 MiB parts up to the empty read, as before


@pytest.mark.parametrize("reported", [lambda n: n - 10, lambda n: n + 10, lambda n: 0, lambda n: 1, lambda n: 4096])
def test_a_size_that_is_not_the_files_still_reads_every_byte(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reported: Any) -> None:
    """A file that grew or shrank after ``fstat`` (or reports a size that is not its length, as ``/proc`` and
    ``/sys`` files do) is read to the end: the early stop needs a read of exactly the reported size."""
    data = b"kind: ConfigMap\n" * 200
    f = tmp_path / "m.yaml"
    f.write_bytes(data)
    real_fstat = os.fstat

    def fstat(fd: int) -> Any:
        st = real_fstat(fd)
        return os.stat_result((*st[:6], reported(len(data)), *st[7:]))

    monkeypatch.setattr(os, "fstat", fstat)
    assert read_regular_file(str(f), 64 << 20) == data


def test_short_reads_before_the_end_do_not_end_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Only a read of exactly the reported size ends early: reads cut short elsewhere (as a FUSE or network file
    system may give them) go on to the empty read."""
    data = b"kind: ConfigMap\n" * 300
    f = tmp_path / "m.yaml"
    f.write_bytes(data)
    real = os.read
    monkeypatch.setattr(os, "read", lambda fd, n: real(fd, min(n, 97)))
    assert read_regular_file(str(f), 64 << 20) == data


def test_a_file_that_grows_past_the_limit_while_read_is_too_large(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    f = tmp_path / "m.yaml"
    f.write_bytes(b"x" * 5000)
    real_fstat = os.fstat
    monkeypatch.setattr(os, "fstat", lambda fd: os.stat_result((*real_fstat(fd)[:6], 100, *real_fstat(fd)[7:])))
    with pytest.raises(NotRegularFile) as caught:
        read_regular_file(str(f), 1000)
    assert caught.value.too_large


@pytest.mark.parametrize("content", [
    b"[console_scripts]\nx = y:z\n\n[guardlint.rules]\nacme = acme.rules:RULES\n",
    b"[guardlint.rules]\r\nacme = acme.rules:RULES\r\n[other]\r\nb = c\r\n",
    b"[guardlint.rules]\racme = acme:R\r\rother = x:y\r",
    b"\xef\xbb\xbf[guardlint.rules]\nacme = acme:R\n",
    b"",
    b"no sections at all",
])
def test_entry_points_read_as_the_text_file_read_them(tmp_path: Path, content: bytes) -> None:
    f = tmp_path / "entry_points.txt"
    f.write_bytes(content)
    with open(f, encoding="utf-8") as fh:
        text = fh.read()
    got = _read_entry_points(str(f))
    assert got is not None
    assert got.splitlines() == text.splitlines()
    assert ("[guardlint.rules]" in got) == ("[guardlint.rules]" in text)


def test_entry_points_that_cannot_be_read(tmp_path: Path) -> None:
    assert _read_entry_points(str(tmp_path / "missing.txt")) is None
    (tmp_path / "entry_points.txt").mkdir()
    assert _read_entry_points(str(tmp_path / "entry_points.txt")) is None  # ``open`` refuses a folder too
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"[guardlint.rules]\nx = \xff\n")
    with pytest.raises(UnicodeDecodeError):
        _read_entry_points(str(bad))


def test_the_entry_point_scan_finds_a_plugin_with_crlf_lines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                                             ) -> None:
    info = tmp_path / "acme_rules-1.0.dist-info"
    info.mkdir()
    (info / "entry_points.txt").write_bytes(b"[console_scripts]\r\nx = y:z\r\n[guardlint.rules]\r\nacme = a.b:R\r\n")
    (tmp_path / "nothing-2.0.dist-info").mkdir()
    monkeypatch.setattr("sys.path", [str(tmp_path)])
    assert list(_iter_entry_points("guardlint.rules")) == [("acme_rules", "acme", "a.b:R")]


# --- the chart / kustomize walk ---------------------------------------------------------------------------------

def _plain_is_repo_root(d: str) -> bool:
    return os.path.lexists(os.path.join(d, ".git"))


def _plain_chart_root(d: str) -> str | None:
    """The module's documented rule, with ``isfile``/``lexists`` of ``join``: the outermost folder at or above
    ``d``, up to the repository root, holding a ``Chart.yaml`` file."""
    found = None
    while True:
        if os.path.isfile(os.path.join(d, "Chart.yaml")):
            found = d
        parent = os.path.dirname(d)
        if _plain_is_repo_root(d) or parent == d:
            return found
        d = parent


def _plain_kustomize_dir(d: str) -> str | None:
    while True:
        if any(os.path.isfile(os.path.join(d, n)) for n in KUSTOMIZATION_NAMES):
            return d
        parent = os.path.dirname(d)
        if _plain_is_repo_root(d) or parent == d:
            return None
        d = parent


def _layout(tmp_path: Path) -> list[Path]:
    """Nested repositories, charts and kustomizations, and names that are not what they seem."""
    top = tmp_path / "top"
    for d in ("outer/chart/charts/sub/templates", "outer/chart/charts/sub/deep", "outer/inner/app/x",
              "outer/inner/app/chart/templates", "outer/k/base/y", "outer/k/overlay/z", "outer/plain/q",
              "outer/links/a", "outer/links/b", "outer/links/c", "outer/links/d", "wt/w", "above"):
        (top / d).mkdir(parents=True)
    (top / "Chart.yaml").write_text("name: above-every-checkout\n")  # above the checkouts: never picked up
    (top / "outer" / ".git").mkdir()
    (top / "outer" / "chart" / "Chart.yaml").write_text("name: parent\n")
    (top / "outer" / "chart" / "charts" / "sub" / "Chart.yaml").write_text("name: sub\n")  # rendered with parent
    (top / "outer" / "inner" / ".git").write_text("gitdir: ../.git/modules/inner\n")  # a submodule: stops here
    (top / "outer" / "Chart.yaml").mkdir()  # a folder, not a chart file
    (top / "outer" / "inner" / "app" / "chart" / "Chart.yaml").write_text("name: inner\n")
    (top / "outer" / "k" / "kustomization.yml").write_text("resources: []\n")
    (top / "outer" / "k" / "base" / "Kustomization").write_text("resources: []\n")
    (top / "outer" / "k" / "overlay" / "kustomization.yaml").symlink_to(top / "outer" / "k" / "kustomization.yml")
    (top / "outer" / "links" / "a" / "Chart.yaml").symlink_to(top / "outer" / "chart")  # a link to a folder
    (top / "outer" / "links" / "b" / "Chart.yaml").symlink_to(top / "nowhere")  # dangling: no chart
    (top / "outer" / "links" / "c" / "kustomization.yaml").symlink_to(top / "nowhere")
    (top / "outer" / "links" / "d" / "Kustomization").symlink_to(top / "outer" / "k" / "kustomization.yml")
    (top / "wt" / ".git").symlink_to(top / "nowhere")  # a dangling link named .git still marks a root
    (top / "wt" / "Chart.yaml").write_text("name: wt\n")
    return [p / "m.yaml" for p in top.rglob("*") if p.is_dir() and not p.is_symlink() and p.name != "Chart.yaml"]


def test_the_walk_answers_as_the_plain_definitions(tmp_path: Path) -> None:
    files = _layout(tmp_path)
    assert len(files) > 20
    trees = Trees()
    for f in sorted(files, key=lambda p: (len(p.parts), str(p))):  # parents first, then children: memo hits
        d = str(f.parent)
        assert trees.chart_root(d) == _plain_chart_root(d), d
        assert trees.kustomize_dir(d) == _plain_kustomize_dir(d), d
    trees = Trees()
    for f in sorted(files, key=lambda p: (-len(p.parts), str(p))):  # children first
        d = str(f.parent)
        assert trees.kustomize_dir(d) == _plain_kustomize_dir(d), d
        assert trees.chart_root(d) == _plain_chart_root(d), d
    top = tmp_path / "top"
    assert _plain_chart_root(str(top / "outer" / "chart" / "charts" / "sub" / "deep")) == str(top / "outer" / "chart")
    assert _plain_chart_root(str(top / "outer" / "inner" / "app" / "x")) is None  # not the one above the checkout
    assert _plain_kustomize_dir(str(top / "outer" / "links" / "d")) == str(top / "outer" / "links" / "d")
    assert _plain_chart_root(str(top / "wt" / "w")) == str(top / "wt")


def test_partition_asks_each_name_of_a_folder_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The walk asks each of the five names (``.git``, ``Chart.yaml`` and the three kustomization names) at most
    once per folder, however many files share it: each probe is one system call (``stat`` only follows an
    ``access`` that found the name)."""
    files = _layout(tmp_path)
    files += [f.with_name("n.yaml") for f in files]
    probes: collections.Counter[str] = collections.Counter()
    for name in ("access", "stat", "lstat"):
        real = getattr(os, name)

        def counted(path: Any, *args: Any, _real: Any = real, _name: str = name, **kwargs: Any) -> Any:
            probes[f"{_name} {path}"] += 1
            return _real(path, *args, **kwargs)

        monkeypatch.setattr(os, name, counted)
    parts = partition([Input(str(f), str(f)) for f in files])
    assert probes and max(probes.values()) == 1
    folders = {str(f.parent) for f in files}
    walked = {p.split(" ", 1)[1].rsplit(os.sep, 1)[0] or os.sep for p in probes}
    assert len([p for p in probes if p.startswith("access")]) <= 5 * len(walked)
    assert folders <= walked
    plain: dict[str, list[str]] = {}
    for f in files:
        d = str(f.parent)
        chart = _plain_chart_root(d)
        plain.setdefault(f"chart {chart}" if chart else (
            f"kustomize {k}" if (k := _plain_kustomize_dir(d)) else "raw"), []).append(str(f))
    got = {f"chart {k}": [i.path for i in v] for k, v in parts.charts.items()}
    got.update({f"kustomize {k}": [i.path for i in v] for k, v in parts.kustomize.items()})
    if parts.raw:
        got["raw"] = [i.path for i in parts.raw]
    assert got == plain


# --- the sizes discovery reads, for the --jobs decision -----------------------------------------------------------

def test_discovery_sizes_are_the_sizes_the_jobs_decision_would_stat(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """``discover_all(sizes=...)`` records each regular input's size from the ``lstat``/``stat`` discovery makes:
    named files, files found in folders, files reached through a link; never a link's own size, a FIFO or a
    folder. ``input_sizes`` then asks the system for none of them, and answers what ``os.stat`` would."""
    from guardlint import _jobs
    from guardlint.source.files import discover_all

    (tmp_path / "d" / "e").mkdir(parents=True)
    (tmp_path / "a.yaml").write_text("kind: A\n" * 3)
    (tmp_path / "d" / "b.yaml").write_text("kind: B\n" * 50)
    (tmp_path / "d" / "e" / "c.json").write_text("{}")
    (tmp_path / "d" / "link.yaml").symlink_to(tmp_path / "a.yaml")
    (tmp_path / "named-link.yaml").symlink_to(tmp_path / "d" / "b.yaml")
    if hasattr(os, "mkfifo"):
        os.mkfifo(tmp_path / "fifo.yaml")
    monkeypatch.chdir(tmp_path)
    sizes: dict[str, int] = {}
    named = ["a.yaml", "d", "named-link.yaml", "./a.yaml", str(tmp_path / "d" / "e" / "c.json")]
    if hasattr(os, "mkfifo"):
        named.append("fifo.yaml")
    found = discover_all(named, sizes=sizes)
    paths = [i.path for i in found.inputs]
    assert {"a.yaml", os.path.join("d", "b.yaml"), os.path.join("d", "e", "c.json")} <= set(sizes)
    assert "named-link.yaml" not in sizes and "fifo.yaml" not in sizes  # asked again, as before
    assert os.path.join("d", "link.yaml") in sizes  # found in a folder through a link: its target's size
    for path, size in sizes.items():
        assert size == os.stat(path).st_size, path
    stats: list[str] = []
    real_stat = os.stat

    def counted(path: Any, *args: Any, **kwargs: Any) -> Any:
        stats.append(str(path))
        return real_stat(path, *args, **kwargs)

    monkeypatch.setattr(os, "stat", counted)
    assert _jobs.input_sizes(found.inputs, sizes) == _jobs.input_sizes(found.inputs)
    stats.clear()
    _jobs.input_sizes(found.inputs, sizes)
    assert sorted(stats) == sorted(p for p in paths if p not in sizes)
    assert stats  # the link named on the command line (and the FIFO) are asked, as before


# --- the text report's per-rendering memo ---------------------------------------------------------------------------

def test_text_lines_with_the_rendering_memo_are_the_lines_without_it() -> None:
    """``render_text`` shares one memo (printable texts, dotted paths, object names) across its findings: each
    finding's lines equal those worked out for it alone, hostile texts and look-alike paths included (a key
    ``True`` and an index ``1`` are equal in Python but print differently)."""
    from guardlint.findings import Finding, Location, ResourceRef, Severity
    from guardlint.report.text import _finding_lines, _Memo

    def finding(file: str, path: tuple[Any, ...], name: str | None, rule: str = "r-1", sev: Severity = Severity.ERROR
                ) -> Finding:
        return Finding(rule=rule, code="X001", severity=sev, message="m\x1b[2J", file=file,
                       location=Location(3, 4, 3, 9), path=path, resource=ResourceRef("v1", "Pod", name, "n\rs"),
                       remediation="fix\nit")

    findings = [
        finding("a.yaml", ("spec", 1), "p"), finding("a.yaml", ("spec", True), "p"),
        finding("a\u202eb.yaml", ("spec", 1), "p"), finding("a.yaml", (), None, sev=Severity.INFO),
        finding("a.yaml", ("metadata", "labels", "x.y/z"), "q\u2028", rule="r\t2", sev=Severity.WARNING),
        finding("a.yaml", ("spec", 1), "p"),
        finding("a.yaml", ("x.y/z", "spec", "containers", 0), "p"), finding("a.yaml", ("containers", "x.y/z"), "p"),
    ]
    findings.append(findings[-1]._replace(rule="r-3"))  # one path shared by two findings, as the engine shares them
    for color in (True, False):
        memo = _Memo()
        shared = [_finding_lines(f, color, memo) for f in findings]
        assert shared == [_finding_lines(f, color) for f in findings]
    assert shared[0] != shared[1]  # [1] and [True]
    assert all(line.isprintable() for lines in shared for line in lines)  # every hostile character escaped
