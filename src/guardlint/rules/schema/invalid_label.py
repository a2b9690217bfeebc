"""invalid-label: a label key or value, or an annotation key, that the API server rejects."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from guardlint.model.paths import FieldPath
from guardlint.model.resourcenames import is_dns_subdomain, is_name_part
from guardlint.model.workloads import iter_pod_specs
from guardlint.rules.api import Reference, Resource, RuleContext, Severity, Violation, rule

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

# The syntax of k8s.io/apimachinery/pkg/util/validation: a qualified name is an optional DNS-1123 subdomain
# prefix and "/" before a name part; a label value is a name part or empty. The character rules are the model's
# (``guardlint.model.resourcenames``); the limits and the messages are this rule's.
NAME_PART_MAX = 63
PREFIX_MAX = 253
ANNOTATIONS_MAX = 256 * 1024
"""The API's limit on the total size of an object's annotations, keys and values, in bytes."""



def name_part_problem(text: str) -> str | None:
    """Why ``text`` is not a valid name part (of a qualified name, or a label value), or None."""
    if len(text) > NAME_PART_MAX:
        return f"it has {len(text)} characters, more than {NAME_PART_MAX}"
    if not is_name_part(text):
        return "it may hold only letters, digits, '-', '_' and '.', and must start and end with a letter or digit"
    return None


def qualified_name_problem(key: str) -> str | None:
    """Why ``key`` is not a qualified name (``[prefix/]name``), or None."""
    prefix, slash, name = key.rpartition("/")
    if not slash:
        return "it is empty" if not key else name_part_problem(key)
    if "/" in prefix:
        return "it has more than one '/'"
    if not prefix:
        return "the prefix before '/' is empty"
    if len(prefix) > PREFIX_MAX:
        return f"the prefix has more than {PREFIX_MAX} characters"
    if not is_dns_subdomain(prefix):
        return f"the prefix {prefix!r} is not a DNS subdomain (lowercase letters, digits, '-' and '.')"
    if not name:
        return "the name after '/' is empty"
    problem = name_part_problem(name)
    return None if problem is None else f"the name {name!r} after the prefix: {problem}"


def _unrendered(text: str) -> bool:
    """A template placeholder that a later step fills in (Helm, envsubst, Argo, kustomize): not judged."""
    return "{{" in text or "${" in text or "$(" in text


class _Seen:
    """The label keys, label values and annotation keys of the run found valid so far: most recur on many
    objects (``app.kubernetes.io/name``), so each distinct text is checked once per run. A text's validity
    depends on the text alone, so the memo is exact."""

    __slots__ = ("annotation_keys", "label_keys", "label_values")

    def __init__(self) -> None:
        self.label_keys: set[str] = set()
        self.label_values: set[str] = {""}
        self.annotation_keys: set[str] = set()


def _label_problems(labels: dict[Any, Any], at: FieldPath, what: str, seen: _Seen) -> Iterator[Violation]:
    for key, value in labels.items():
        if not isinstance(key, str):
            continue
        if key not in seen.label_keys:
            problem = qualified_name_problem(key)
            if problem is None:
                seen.label_keys.add(key)
            elif not _unrendered(key):
                yield Violation((*at, "labels", key), f"the API rejects label key {key!r} of the {what}: {problem}")
        if isinstance(value, str) and value not in seen.label_values:
            problem = name_part_problem(value)
            if problem is None:
                seen.label_values.add(value)
            elif not _unrendered(value):
                yield Violation(
                    (*at, "labels", key),
                    f"the API rejects the value {value!r} of label {key!r} of the {what}: {problem}",
                    at_value=True,
                )


def _annotation_problems(annotations: dict[Any, Any], at: FieldPath, what: str, seen: _Seen) -> Iterator[Violation]:
    chars = 0
    for key, value in annotations.items():
        if not isinstance(key, str):
            continue
        chars += len(key) + (len(value) if isinstance(value, str) else 0)
        if key in seen.annotation_keys:
            continue
        # The API lowercases an annotation key before it checks it: capitals are allowed there.
        problem = qualified_name_problem(key.lower())
        if problem is None:
            seen.annotation_keys.add(key)
        elif not _unrendered(key):
            yield Violation(
                (*at, "annotations", key), f"the API rejects annotation key {key!r} of the {what}: {problem}"
            )
    # A character is 1 to 4 bytes in UTF-8: the exact size is needed only where the count of characters
    # cannot decide.
    if chars * 4 <= ANNOTATIONS_MAX:
        return
    size = sum(len(k.encode()) + (len(v.encode()) if isinstance(v, str) else 0)
               for k, v in annotations.items() if isinstance(k, str))
    if size > ANNOTATIONS_MAX:
        yield Violation(
            (*at, "annotations"),
            f"the annotations of the {what} hold {size:,} bytes, more than the {ANNOTATIONS_MAX:,} the API accepts",
        )


def _known_valid(metadata: Mapping[str, Any], seen: _Seen) -> bool:
    """Whether every label key and value and every annotation key is one the run already found valid, and the
    annotations are too few characters to reach the size limit: then ``_metadata_problems`` yields nothing (a
    shortcut for the common case, exact by construction: it answers True only where every check passed)."""
    labels = metadata.get("labels")
    if labels:
        if not isinstance(labels, dict) or not seen.label_keys.issuperset(labels):
            return False
        try:
            if not seen.label_values.issuperset(labels.values()):
                return False
        except TypeError:  # a list or mapping as a value: not hashable, and not a string
            return False
    annotations = metadata.get("annotations")
    if annotations:
        if not isinstance(annotations, dict) or not seen.annotation_keys.issuperset(annotations):
            return False
        # Every key and value here is a string (the keys are known valid; the values are counted only if they
        # are strings, as _annotation_problems counts them).
        chars = sum(map(len, annotations)) + sum(len(v) for v in annotations.values() if isinstance(v, str))
        if chars * 4 > ANNOTATIONS_MAX:
            return False
    return True


def _metadata_problems(metadata: Mapping[str, Any], at: FieldPath, what: str, seen: _Seen) -> Iterator[Violation]:
    labels = metadata.get("labels")
    if isinstance(labels, dict):
        yield from _label_problems(labels, at, what, seen)
    annotations = metadata.get("annotations")
    if isinstance(annotations, dict):
        yield from _annotation_problems(annotations, at, what, seen)


@rule(
    code="SCH008",
    name="invalid-label",
    title="Label or annotation the API rejects",
    severity=Severity.ERROR,
    pack="schema",
    since="0.3.0",
    status="preview",
    tags=("schema",),
    remediation="Use at most 63 letters, digits, '-', '_' and '.' (starting and ending with a letter or digit) for "
    "a label value and for the name part of a key, and a lowercase DNS subdomain as the key's prefix; put free "
    "text such as versions with '+' or descriptions in an annotation instead.",
    references=(
        Reference("Kubernetes: Labels and Selectors (syntax and character set)",
                  "https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#syntax-and-character-set"),
        Reference("Kubernetes: Annotations (syntax and character set)",
                  "https://kubernetes.io/docs/concepts/overview/working-with-objects/annotations/#syntax-and-character-set"),
    ),
)
def invalid_label(resource: Resource, params: Any, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports, in `metadata` of every object and of every pod template (built-in workloads and the pod
    templates guardlint knows in custom resources), what the API server's validation of object metadata
    rejects:

    - a label key or an annotation key that is not a qualified name: an optional prefix that is a DNS
      subdomain (lowercase letters, digits, `-` and `.`, at most 253 characters) and `/`, then a name of
      at most 63 letters, digits, `-`, `_` and `.` that starts and ends with a letter or digit (the API
      lowercases an annotation key before it checks it, so capitals are accepted there);
    - a label value that is not empty and not such a name (at most 63 characters, no spaces, `/`, `+`,
      `:` or `@`);
    - annotations whose keys and values hold more than 256 KiB in all.

    Values that are not strings are left to `wrong-field-type`; keys and values with an unrendered
    placeholder (`{{ }}`, `${...}`, `$(...)`) are not judged. Selectors (`matchLabels`, a Service's
    `selector`) are not checked.

    ## Why is this bad?
    The API server refuses to create or update an object whose metadata breaks these rules, so `kubectl
    apply`, Helm or Argo CD fails on it; for a pod template inside a custom resource, the operator's pods are
    refused instead. A common cause is a version or a build string in a label (`1.2.0+build.5`), a URL or
    free text in a label value, or a value longer than 63 characters.

    ## Example
    ```yaml
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: settings
      labels:
        app.kubernetes.io/version: 1.2.0+build.5
    data:
      mode: fast
    ```

    ## Use instead
    ```yaml
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: settings
      labels:
        app.kubernetes.io/version: 1.2.0-build.5
      annotations:
        example.com/build: 1.2.0+build.5
    data:
      mode: fast
    ```
    """
    # Texts found valid, per run; validity depends on the text alone, which a --jobs share may memo too.
    seen: _Seen = ctx.index.object_memo("schema.invalid-label.valid", _Seen)
    metadata = resource.data.get("metadata")
    if isinstance(metadata, dict) and not _known_valid(metadata, seen):
        yield from _metadata_problems(metadata, ("metadata",), resource.kind, seen)
    for pod in iter_pod_specs(resource, ctx.workloads):
        # A Pod's own metadata was judged above; a pod that a builder makes from other fields (Tekton,
        # Flink) has no template metadata written in the object.
        if pod.metadata_path is None or pod.metadata_path == ("metadata",) or pod.aliases:
            continue
        if _known_valid(pod.metadata, seen):
            continue
        yield from _metadata_problems(pod.metadata, pod.metadata_path, "pod template", seen)


RULE = invalid_label
