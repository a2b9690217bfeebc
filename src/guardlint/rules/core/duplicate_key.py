"""duplicate-key: a key that appears twice in the same YAML mapping (found by the loader).

The engine produces this rule's findings itself; ``check`` yields nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

from guardlint.model.paths import FieldPath
from guardlint.rules.api import Reference, Resource, RuleContext, Severity, Violation, rule

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from guardlint.config.model import ActiveRule
    from guardlint.engine import Run
    from guardlint.source.keyreads import ReadDuplicate
    from guardlint.source.loader import DuplicateKey


@rule(
    code="GL101",
    name="duplicate-key",
    title="Mapping has the same key twice",
    severity=Severity.ERROR,
    pack="core",
    since="0.1.0",
    tags=("yaml",),
    remediation="Delete one of the two keys, keeping the value you meant.",
    references=(Reference("YAML 1.2: mapping keys are unique", "https://yaml.org/spec/1.2.2/#mapping"),),
    engine=True,
)
def duplicate_key(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports a key that appears twice in the same YAML mapping, and two keys of one mapping that kubectl reads
    as the same key: plain `on:` and `yes:` (both the key `"true"`, see `converted-key`), `010:` and `8:`.
    A plain `on:` next to a quoted `"on":` is no duplicate for kubectl (the first is the key `"true"`).

    ## Why is this bad?
    YAML requires unique keys, but Kubernetes' decoder and most tools silently keep the *last* value. A
    duplicated `resources:` or `securityContext:` block therefore discards the first one without a word: the
    reviewer reads one setting and the cluster applies another.

    ## Example
    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: web
      labels: {app: web}
      labels: {app: api}
    spec:
      containers:
        - name: web
          image: nginx:1.27
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: Pod
    metadata:
      name: web
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: nginx:1.27
    ```"""
    return iter(())


def emit(run: Run, active: ActiveRule) -> None:
    """Add a finding to ``run`` for each duplicated key the loader found, on the object that holds it."""
    from guardlint.engine import make_finding
    from guardlint.findings import Location
    from guardlint.model.paths import to_dotted

    for doc in run.documents:
        owned = run.resources_by_doc.get(doc)
        # As kubectl sees them, where it reads a key as other text (``Document.key_reads``): each with the first
        # key's text when it differs, what kubectl reads both as, and whether which one it keeps is random.
        dups: list[tuple[DuplicateKey | ReadDuplicate, str, str, bool]] = (
            [(d, "", "", False) for d in doc.duplicate_keys] if doc.key_reads is None
            else [(d, d.first_key, d.read_as, d.random) for d in doc.key_reads.duplicates])
        if not dups or not owned:
            continue
        owner_of = owners(owned)
        for dup, first_key, read_as, random in dups:
            owner = owner_of(dup.path)
            rel = dup.path[len(owner.prefix):]
            loc = Location(dup.line, dup.column, dup.line, dup.column + len(str(dup.path[-1])))
            kept = ("which of the two kubectl keeps is random (go-yaml reads them as different values, then both "
                    "are spelled the same)" if random else "Kubernetes keeps only this last value")
            if first_key:
                # "(first on line N)" as below: a rendered chart's report names the template line there instead.
                message = (f"key {to_dotted(rel)!r} is the same key as {first_key!r} (first on line "
                           f"{dup.first_line}) for kubectl, which reads both as {read_as!r}; {kept}")
            else:
                message = f"key {to_dotted(rel)!r} is defined twice (first on line {dup.first_line}); {kept}"
            run.add(make_finding(active, owner, doc, rel, message, location=loc), owner)


def owners(owned: Sequence[Resource]) -> Callable[[FieldPath], Resource]:
    """The object of a document that holds a path: the first of ``owned`` whose prefix starts the path (the
    first object when none does). Looked up by prefix, not scanned: a List of N items with a duplicate key
    each costs O(N), not O(N^2). Exact: only the prefix lengths the objects have are tried, and of the
    objects whose prefix matches, the first in ``owned`` wins, as the scan would pick it."""
    first: dict[FieldPath, int] = {}
    for i, r in enumerate(owned):
        first.setdefault(r.prefix, i)
    lengths = sorted({len(prefix) for prefix in first})

    def owner(path: FieldPath) -> Resource:
        found = [i for n in lengths if n <= len(path) for i in (first.get(path[:n]),) if i is not None]
        return owned[min(found)] if found else owned[0]

    return owner


RULE = duplicate_key
