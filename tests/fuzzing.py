"""Input generators and property checks shared by the property tests (Hypothesis) and ``scripts/fuzz.py``.

Generators take a ``random.Random`` so that a failing input is reproducible from its seed. The properties:

* loading never raises, and neither does linting with every rule selected; no rule crashes (a crash is a
  ``rule-error`` finding); every finding is located (line and column from 1, a rule, a message);
* ``--fix`` (the ``guardlint.fix`` edit layer): the fixed text loads without errors, holds the same
  documents, differs from the old data only at the edited paths, where it holds the intended values (checked
  here independently of ``guardlint.fix.verify``), a JSON input stays JSON, and fixing the fixed text again
  changes nothing.
"""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Iterator, Sequence
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

from guardlint.api import Settings

WRONG_VALUES: tuple[Any, ...] = (
    None, True, False, 0, 1, -1, 2, 2**31, 2**63, -(2**70), 0.5, -0.0, 1.5e300, float("inf"), float("-inf"),
    float("nan"), "", " ", "true", "false", "yes", "0", "-1", "0.5", "1e400", "-1e400", "1e3", "1.0e+3", ".inf",
    "NaN", "1Gi", "500m", "1.5", "-2", "0x10", "0o17", "0755", "+1", "1_000", "99999999999999999999Ei", "${GPU}",
    "<no value>", "ü\u2028x", "a\nb", "\t", "x" * 300, "*", "/", "..", "a:b", "- x", "#", "{}", "[]", [], {},
    [None], [[]], [{}], {"": None}, {"a": []}, {"name": 1}, [1, "a", None, True], {"nvidia.com/gpu": -1},
)
"""Values of every type YAML produces, and strings that look like other types, quantities or paths."""

FIXABLE_RULES = ("privilege-escalation-allowed", "gpu-request-limit-mismatch", "image-pull-policy-not-always",
                 "unrestricted-capabilities", "net-raw-not-dropped", "writable-root-filesystem",
                 "missing-seccomp-profile", "run-as-root-allowed", "service-account-token-automounted",
                 "privileged-container", "shared-host-namespace", "host-port", "missing-memory-limit",
                 "deprecated-service-account-field")
"""Rules whose fixes the fix properties exercise (value replacements, insertions, appends, removals, renames)."""


@cache
def settings(select: tuple[str, ...] = ("all",), partial: bool = True) -> Settings:
    from guardlint.api import resolve_settings

    return resolve_settings(use_config_file=False, select=list(select), partial=partial, entry_points=False)


# --- generators ---------------------------------------------------------------------------------------------


class Kind(NamedTuple):
    api_version: str
    kind: str
    path: tuple[str | int, ...]
    pod_spec: bool
    single: tuple[str, ...]
    """Keys of inline single containers (``model``), when the kind has no containers list."""
    requires: tuple[str, ...]


@cache
def workload_kinds() -> tuple[Kind, ...]:
    """One row per template path of every kind in the workload table."""
    from guardlint.model.workloads import TemplateKind, default_table

    out: list[Kind] = []
    for entry in default_table().entries:
        version = entry.versions[0] if entry.versions else "v1"
        api = f"{entry.group}/{version}" if entry.group else version
        for t in entry.templates:
            singles = tuple(str(c.path[-1]) for c in t.containers if c.single)
            out.append(Kind(api, entry.kind, t.path, t.kind is TemplateKind.POD_SPEC, singles, t.requires))
    return tuple(out)


def container(rng: random.Random, name: str) -> dict[str, Any]:
    c: dict[str, Any] = {"name": name, "image": rng.choice(["nginx:1.27", "nginx", "repo/x@sha256:" + "a" * 64])}
    if rng.random() < 0.6:
        c["imagePullPolicy"] = rng.choice(["IfNotPresent", "Never", "Always", "ifnotpresent"])
    if rng.random() < 0.7:
        c["securityContext"] = {"allowPrivilegeEscalation": rng.choice([True, False, "true", None, 1])}
    if rng.random() < 0.5:
        req, lim = rng.choice([(1, 2), (2, 2), ("1", "2"), (1, -2), (1, 0.5), (1, "1500m"), (0, 1), (1, "2000m")])
        c["resources"] = {"requests": {"nvidia.com/gpu": req, "cpu": "1"}, "limits": {"nvidia.com/gpu": lim}}
    return c


def pod_spec(rng: random.Random, singles: Sequence[str] = (), requires: Sequence[str] = ()) -> dict[str, Any]:
    spec: dict[str, Any] = {}
    if singles:
        for key in singles:
            spec[key] = container(rng, key)
    else:
        spec["containers"] = [container(rng, f"c{i}") for i in range(rng.randint(1, 3))]
        if rng.random() < 0.3:
            spec["initContainers"] = [container(rng, "init")]
    for key in requires:
        spec.setdefault(key, container(rng, key) if key in ("container", "script") else {})
    if rng.random() < 0.4:
        spec["hostNetwork"] = rng.choice([True, False])
    if rng.random() < 0.3:
        spec["securityContext"] = {"runAsNonRoot": rng.choice([True, False])}
    return spec


def workload(rng: random.Random, kind: Kind) -> dict[str, Any]:
    """A minimal object of ``kind`` with a pod at its template path ("*" becomes a list or a map)."""
    spec = pod_spec(rng, kind.single, kind.requires)
    pod: dict[str, Any] = spec if kind.pod_spec else {"metadata": {"labels": {"app": "x"}}, "spec": spec}
    obj: dict[str, Any] = {"apiVersion": kind.api_version, "kind": kind.kind, "metadata": {"name": "x"}}
    if not kind.path:
        obj.update(pod)
        return obj
    node: Any = obj
    parts = list(kind.path)
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        child: Any = pod if last else ([] if parts[i + 1] == "*" and rng.random() < 0.5 else {})
        if part == "*":
            if isinstance(node, list):
                node.append(child)
            else:
                node["w" + str(rng.randint(0, 9))] = child
        else:
            node = node.setdefault(str(part), child) if isinstance(node, dict) else node
            continue
        node = child
    return obj


def _nodes(data: Any) -> list[tuple[Any, Any]]:
    """(container, key or index) of every value in ``data`` (bounded to the first 5,000)."""
    out: list[tuple[Any, Any]] = []
    stack = [data]
    while stack and len(out) < 5000:
        node = stack.pop()
        items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
        for k, v in list(items):
            out.append((node, k))
            if isinstance(v, (dict, list)):
                stack.append(v)
    return out


FIELD_NAMES = ("securityContext", "allowPrivilegeEscalation", "privileged", "resources", "limits", "requests",
               "nvidia.com/gpu", "cpu", "memory", "image", "imagePullPolicy", "containers", "initContainers",
               "hostNetwork", "hostPID", "volumes", "hostPath", "capabilities", "add", "runAsUser", "replicas",
               "template", "spec", "metadata", "annotations", "labels", "selector", "ports", "containerPort",
               "env", "valueFrom", "command", "schedule", "kind", "apiVersion", "name", "namespace", "<<")


def mutate(rng: random.Random, data: Any, rounds: int = 3) -> Any:
    """Structure-aware mutations: a value of another type, a key removed, added or renamed, an item copied."""
    data = copy.deepcopy(data)
    for _ in range(rounds):
        nodes = _nodes(data)
        if not nodes:
            return rng.choice(WRONG_VALUES)
        parent, key = rng.choice(nodes)
        op = rng.random()
        if op < 0.55:
            parent[key] = copy.deepcopy(rng.choice(WRONG_VALUES))
        elif op < 0.65:
            del parent[key]
        elif op < 0.8 and isinstance(parent, dict):
            parent[rng.choice(FIELD_NAMES)] = copy.deepcopy(rng.choice([*WRONG_VALUES, parent[key]]))
        elif op < 0.9 and isinstance(parent, list):
            parent.insert(rng.randint(0, len(parent)), copy.deepcopy(parent[key]))
        elif isinstance(parent, dict):
            parent[rng.choice(FIELD_NAMES)] = parent.pop(key)
        else:
            parent[key] = {rng.choice(FIELD_NAMES): parent[key]}
    return data


def dump(rng: random.Random, docs: Sequence[Any], *, as_json: bool = False) -> str:
    """Documents as YAML (block, flow or mixed, sometimes with anchors and aliases) or as JSON."""
    import yaml

    if as_json:
        return json.dumps(docs[0], indent=rng.choice([None, 2]), ensure_ascii=rng.random() < 0.5)
    flow = rng.choice([False, None, True])
    text = yaml.safe_dump_all(list(docs), default_flow_style=flow, sort_keys=False, allow_unicode=True, width=80)
    if rng.random() < 0.5:
        text = inject_aliases(rng, text)
    if rng.random() < 0.3:
        text = restyle(rng, text)
    return text


def inject_aliases(rng: random.Random, text: str) -> str:
    """Anchor a random plain block scalar and replace a later plain scalar of the same document by its alias."""
    import re

    lines = text.split("\n")
    value_line = re.compile(r"^(\s*(?:- )?[^\s#'\"&*!|>{}\[\]][^:#]*: )([^\s&*!|>{}\[\]'\"#][^#]*)$")
    candidates = [i for i, line in enumerate(lines) if value_line.match(line)]
    for n in range(rng.randint(1, 3)):
        if len(candidates) < 2:
            break
        a, b = sorted(rng.sample(candidates, 2))
        if any(lines[i].startswith(("---", "...")) for i in range(a, b + 1)):
            continue
        ma, mb = value_line.match(lines[a]), value_line.match(lines[b])
        if ma is None or mb is None:
            continue
        lines[a] = f"{ma.group(1)}&s{n} {ma.group(2)}"
        lines[b] = f"{mb.group(1)}*s{n}"
        candidates = [c for c in candidates if c not in (a, b)]
    return "\n".join(lines)


def restyle(rng: random.Random, text: str) -> str:
    """Quote or tag some plain string values of block mappings (the loader reads the same strings)."""
    import re

    def one(m: re.Match[str]) -> str:
        value = m.group(2)
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9.-]*", value) or value in ("true", "false", "yes", "no", "null",
                                                                              "on", "off", "y", "n"):
            return m.group(0)
        choice = rng.random()
        if choice < 0.3:
            return f"{m.group(1)}'{value}'"
        if choice < 0.6:
            return f'{m.group(1)}"{value}"'
        if choice < 0.8:
            return f"{m.group(1)}!!str {value}"
        return m.group(0)

    return re.sub(r"(?m)^(\s*(?:- )?[A-Za-z][\w./-]*: )([^\s'\"&*!#{}\[\]]+)$", one, text)


def fixable_yaml(rng: random.Random) -> str:
    """A hand-written pod whose fixable values are shared through anchors, aliases and merge keys in
    random arrangements, with random quoting, tags and suppression comments."""
    ape = rng.choice(["true", "'true'", "!!str true", "yes", "false", '"true"'])
    pull = rng.choice(["IfNotPresent", "'Never'", '"IfNotPresent"', "!!str Never", "Always"])
    ignore = "  # guardlint: ignore privilege-escalation-allowed -- kept"
    head = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n"
    anchored = rng.random() < 0.5
    lines = [f"  hostNetwork: &flag {ape}" if anchored else f"  hostNetwork: {rng.choice(['true', 'false'])}"]
    shared_sc = rng.random() < 0.4
    merge = rng.random() < 0.3
    if shared_sc or merge:
        lines.append(f"  overhead: &sc\n    allowPrivilegeEscalation: {ape}")
    lines.append("  containers:")
    for i in range(rng.randint(1, 3)):
        lines.append(f"    - name: c{i}\n      image: nginx:1.27\n      imagePullPolicy: {pull}")
        choice = rng.random()
        if shared_sc and choice < 0.3:
            lines.append("      securityContext: *sc")
        elif merge and choice < 0.6:
            lines.append("      securityContext:\n        <<: *sc")
            if rng.random() < 0.4:
                lines.append(f"        allowPrivilegeEscalation: {ape}")
        elif anchored and choice < 0.8:
            lines.append("      securityContext:\n        allowPrivilegeEscalation: *flag")
        else:
            lines.append(f"      securityContext:\n        allowPrivilegeEscalation: {ape}")
        if rng.random() < 0.2:
            lines[-1] += ignore
        if rng.random() < 0.3:
            lim = rng.choice(["2", "'2'", "-1", "0.5", "2000m", "*one"]) if "&one" in "\n".join(lines) else "2"
            req = rng.choice(["1", "&one 1"]) if "&one" not in "\n".join(lines) else rng.choice(["1", "*one"])
            lines.append(f"      resources:\n        requests: {{nvidia.com/gpu: {req}}}\n"
                         f"        limits: {{nvidia.com/gpu: {lim}}}")
    return head + "\n".join(lines) + "\n"


def corpus_documents(corpus: Path, limit: int | None = None) -> list[Any]:
    """Documents (plain data) of the real manifests under ``corpus`` that load without errors."""
    from guardlint.source.loader import load_text

    out: list[Any] = []
    for path in sorted(corpus.rglob("*")):
        if path.suffix not in (".yaml", ".yml", ".json") or not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        loaded = load_text(text, str(path))
        out.extend(d.data for d in loaded.documents if isinstance(d.data, dict))
        if limit is not None and len(out) >= limit:
            break
    return out


# --- properties ---------------------------------------------------------------------------------------------


def check(text: str, file: str = "fuzz.yaml", select: tuple[str, ...] = ("all",),
          stats: dict[str, Any] | None = None) -> list[str]:
    """Every property above for one input; returns the problems found (empty when all hold). ``stats``, when
    given, counts inputs that loaded, that had findings, fixes offered, applied and refused."""
    from guardlint.engine import lint_loaded
    from guardlint.source.loader import load_text

    problems: list[str] = []
    try:
        loaded = load_text(text, file)
    except Exception as exc:  # the property: the loader never raises
        return [f"load_text raised {type(exc).__name__}: {exc}"]
    plan = settings(select).plan
    try:
        report = lint_loaded([loaded], plan)
    except Exception as exc:
        return [f"linting raised {type(exc).__name__}: {exc}"]
    if stats is not None:
        stats["loaded"] = stats.get("loaded", 0) + (not loaded.errors)
        stats["with findings"] = stats.get("with findings", 0) + bool(report.findings)
    for f in report.findings:
        if f.rule == "rule-error":
            problems.append(f"rule crashed: {f.message}")
        if f.location.line < 1 or f.location.column < 1 or not f.message or not f.rule:
            problems.append(f"finding without a proper location or message: {f}")
    problems.extend(check_fix(text, file, report, stats, select))
    return problems


def check_fix(text: str, file: str, report: Any, stats: dict[str, Any] | None = None,
              select: tuple[str, ...] = ("all",)) -> list[str]:
    """The --fix properties for the fixes ``report`` offers on ``text``."""
    from guardlint.fix import edits_for, fix_text, fixable, plan_edits
    from guardlint.source.loader import load_text

    findings = fixable(report).get(file, [])
    if not findings or "\r" in text or text.startswith("\ufeff"):
        return []
    loaded = load_text(text, file)
    try:
        edits, _ = edits_for(loaded, findings)
        plan = plan_edits(text, file, edits, loaded=loaded)
    except Exception as exc:
        return [f"fix planning raised {type(exc).__name__}: {exc}"]
    if stats is not None:
        stats["fixes offered"] = stats.get("fixes offered", 0) + len(findings)
        stats["fixes applied"] = stats.get("fixes applied", 0) + len(plan.applied)
        stats["fixes refused"] = stats.get("fixes refused", 0) + len(findings) - len(plan.applied)
        if plan.failure is not None and plan.failure.endswith("nothing was written"):  # from verify()
            stats["files not verified"] = stats.get("files not verified", 0) + 1
            stats["last refusal"] = plan.failure
        elif plan.failure is not None:
            stats["files refused"] = stats.get("files refused", 0) + 1
    if plan.text is None:
        return []
    problems: list[str] = []
    new = load_text(plan.text, file)
    if new.errors:
        return [f"fixed text does not load: {new.errors[0].message}"]
    if [d.index for d in new.documents] != [d.index for d in loaded.documents]:
        return ["fixed text holds other documents"]
    for old_doc, new_doc in zip(loaded.documents, new.documents, strict=True):
        expected = copy.deepcopy(old_doc.data)
        for e in plan.applied:
            if e.document_index == old_doc.index:
                expected = carry_out(expected, e.op, e.path, e.value)
        for path in diff_paths(expected, new_doc.data):
            got, want = lookup(new_doc.data, path), lookup(expected, path)
            problems.append(f"fix wrote {got!r} at {path} in document {old_doc.index}, not {want!r}")
    if is_json(text) and not is_json(plan.text):
        problems.append("fixed JSON is no longer JSON")
    from guardlint.engine import lint_loaded

    def relint(t: str, name: str) -> Sequence[Any]:
        return lint_loaded([load_text(t, name)], settings(select).plan).active

    once = fix_text(text, file, findings, relint)  # as --fix --unsafe-fixes does it, later rounds included
    if once.text is not None:
        again = lint_loaded([load_text(once.text, file)], settings(select).plan)
        twice = fix_text(once.text, file, fixable(again).get(file, []), relint)
        if twice.text is not None and twice.text != once.text:
            problems.append("a second --fix changed the file again")
    return problems


def carry_out(data: Any, op: str, path: Sequence[str | int], value: Any) -> Any:
    """``data`` (a deep copy, changed in place) with one edit carried out: the oracle for ``guardlint.fix``."""
    if not path:
        return copy.deepcopy(value)
    node = data
    for part in path[:-1]:
        if isinstance(node, dict) and part not in node:
            node[part] = {}
        node = node[part]
    last = path[-1]
    if op == "set":
        node[last] = copy.deepcopy(value)
    elif op == "append":
        items = node.setdefault(last, [])
        if not any(type(v) is type(value) and v == value for v in items):
            items.append(value)
    elif op == "remove":
        del node[last]
    elif op == "rename":
        renamed = {(value if k == last else k): v for k, v in node.items()}
        node.clear()
        node.update(renamed)
    return data


def lookup(data: Any, path: Sequence[str | int]) -> Any:
    for part in path:
        if (isinstance(data, dict) and part in data) or (
                isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data)):
            data = data[part]
        else:
            return "<missing>"
    return data


def is_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def diff_paths(a: Any, b: Any, path: tuple[str | int, ...] = ()) -> Iterator[tuple[str | int, ...]]:
    """Paths where ``a`` and ``b`` differ, compared strictly (types included); a whole subtree when its
    shape differs."""
    if type(a) is not type(b):
        yield path
    elif isinstance(a, dict):
        if set(a) != set(b):
            yield path
        else:
            for k in a:
                yield from diff_paths(a[k], b[k], (*path, k))
    elif isinstance(a, list):
        if len(a) != len(b):
            yield path
        else:
            for i, (x, y) in enumerate(zip(a, b, strict=True)):
                yield from diff_paths(x, y, (*path, i))
    elif a != b and not (isinstance(a, float) and a != a and b != b):  # noqa: PLR0124 - NaN equals NaN here
        yield path
