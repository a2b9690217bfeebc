"""converted-key: a plain mapping key that kubectl reads as other text (``on`` -> ``"true"``; found by the loader).

The engine produces this rule's findings itself; ``check`` yields nothing.
"""

from __future__ import annotations

from collections.abc import Iterator

from guardlint.rules.api import Reference, Resource, RuleContext, Severity, Violation, rule

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from guardlint.config.model import ActiveRule
    from guardlint.engine import Run
    from guardlint.source.keyreads import ConvertedKey

_READS = {"boolean": "a boolean", "integer": "an integer", "number": "a floating-point number"}


@rule(
    code="GL106",
    name="converted-key",
    title="Plain mapping key that kubectl reads as other text",
    severity=Severity.WARNING,
    pack="core",
    since="0.3.0",
    tags=("yaml",),
    remediation="Quote the key (\"on\": ...) so that every YAML reader keeps it as written.",
    references=(
        Reference("sigs.k8s.io/yaml: how YAML keys become JSON keys (convertToJSONableObject)",
                  "https://github.com/kubernetes-sigs/yaml/blob/master/yaml.go"),
        Reference("YAML 1.1 booleans", "https://yaml.org/type/bool.html"),
    ),
    engine=True,
)
def converted_key(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports a plain (unquoted) mapping key that kubectl, Helm, Argo CD and Flux read as other text than it is
    written: `y`, `yes`, `on` and their other spellings (`Y`, `Yes`, `YES`, `On`, `ON`, `True`, `TRUE`) become
    the key `"true"`; `n`, `no`, `off` (`N`, `No`, `NO`, `Off`, `OFF`, `False`, `FALSE`) become `"false"`; a
    number is written out again in decimal (`010` becomes `"8"`, `0x1F` `"31"`, `1.50` `"1.5"`, `1e3` `"1000"`).

    ## Why is this bad?
    Kubernetes' YAML decoder (sigs.k8s.io/yaml over go-yaml v2) reads YAML 1.1: it reads each plain key as a
    boolean or a number first and only then makes it a JSON key, so the object stored in the cluster has other
    keys than the file. A ConfigMap entry `on:` is mounted as a file named `true`; a label `yes:` is stored as
    `true:`; a selector or a lookup by the written name finds nothing. Other tools that read YAML 1.2 (and
    guardlint's other rules) see the key as written, so the file and the cluster disagree without a word.
    When two keys of one mapping become the same key (`on:` and `yes:`), only one of them survives: that is
    reported as `duplicate-key`.

    ## Example
    ```yaml
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: features
    data:
      on: "dark-mode"
      010: "octal"
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: features
    data:
      "on": "dark-mode"
      "010": "octal"
    ```"""
    return iter(())


def emit(run: Run, active: ActiveRule) -> None:
    """Add a finding to ``run`` for each key of the linted objects that kubectl reads as other text."""
    _emit(run, active, converted=True)


def _emit(run: Run, active: ActiveRule, *, converted: bool) -> None:
    """The findings of ``converted-key`` (``converted``) or of ``unsupported-key`` (not ``converted``)."""
    from guardlint.engine import make_finding
    from guardlint.findings import Location
    from guardlint.rules.core.duplicate_key import owners

    for doc in run.documents:
        reads = doc.key_reads
        owned = run.resources_by_doc.get(doc)
        if reads is None or not owned:
            continue
        owner_of = owners(owned)
        for key in reads.converted:
            if (key.read_as is not None) is not converted:
                continue
            owner = owner_of(key.path)
            rel = key.path[len(owner.prefix):]
            text = str(key.path[-1])
            loc = Location(key.line, key.column, key.line, key.column + (len(text) if key.kind != "collection" else 1))
            message = _message(key, text)
            run.add(make_finding(active, owner, doc, rel, message, location=loc), owner)


def _message(key: ConvertedKey, text: str) -> str:
    if key.read_as is not None:
        return (f"kubectl reads the plain key {text!r} as {_READS[key.kind]} and applies it as the key "
                f"{key.read_as!r}; quote it (\"{text}\") to keep the key as written")
    if key.kind == "collection":
        return ("a list or a mapping is used as a key: kubectl fails on the whole file (go-yaml: 'invalid map "
                "key'); use a string key")
    what = "null" if key.kind == "null" else "an unsigned 64-bit integer (2**63 or more)"
    shown = repr(text) if text else "'' (empty)"
    return (f"kubectl reads the plain key {shown} as {what} and fails on the whole file (sigs.k8s.io/yaml: "
            "'Unsupported map key of type'); name the key, or quote it if that text is its name")


RULE = converted_key
