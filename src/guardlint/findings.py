"""The values that leave the engine: severities, findings, input errors and the report."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from types import MappingProxyType

from guardlint._record import NamedTuple
from guardlint.model.paths import FieldPath, to_dotted

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


class Severity(enum.Enum):
    """How serious a finding is. Ordered: ``ERROR > WARNING > INFO``."""

    INFO = "info"
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return _RANK[self]

    def at_least(self, other: Severity) -> bool:
        return self.rank >= other.rank

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls(text.lower())
        except ValueError:
            raise ValueError(f"unknown severity {text!r} (expected error, warning or info)") from None


_RANK = {Severity.INFO: 1, Severity.WARNING: 2, Severity.ERROR: 3}


class ResourceRef(NamedTuple):
    """The identity of a Kubernetes object."""

    api_version: str
    kind: str
    name: str | None
    namespace: str | None

    def display(self) -> str:
        ns = f"{self.namespace}/" if self.namespace else ""
        return f"{self.kind} {ns}{self.name or '<unnamed>'}"


class Location(NamedTuple):
    """Where a finding is: 1-based line and column of its start, and of its end."""

    line: int
    column: int
    end_line: int
    end_column: int


SAFE = "safe"
UNSAFE = "unsafe"
FIX_SAFETIES = (SAFE, UNSAFE)


class FixEdit(NamedTuple):
    """One change of a structural fix, at a field path relative to the object (like a violation's path).

    ``op`` is one of:

    - ``set``: set the field to ``value`` (a scalar, or a mapping or list of plain data); missing parent
      mappings are created, an existing scalar is replaced in place;
    - ``append``: add ``value`` to the list at the path (the list is created when missing);
    - ``remove``: delete the key (or list item) at the path;
    - ``rename``: give the key at the path the new name ``value``, keeping its place and value.
    """

    op: str
    path: FieldPath
    value: Any = None


class Fix(NamedTuple):
    """A repair a rule offers. Either a value replacement (``value``: the YAML text of a plain scalar that
    replaces the reported field, read as the loader reads one: ``false``, ``2``, ``Always``), or, when
    ``edits`` is not empty, the structural changes listed there (``value`` is then unused and empty).

    ``safety`` says whether applying it can change what the workload does: ``safe`` fixes cannot (renaming a
    deprecated field, writing a default explicitly) and ``--fix`` applies them; ``unsafe`` ones can (dropping
    capabilities, forbidding root) and need ``--unsafe-fixes`` too. ``--fix`` applies fixes through
    ``guardlint.fix``, which keeps comments and formatting and verifies the result; Helm-rendered
    documents are never rewritten."""

    value: str
    description: str
    edits: tuple[FixEdit, ...] = ()
    safety: str = UNSAFE


def structural_fix(description: str, *edits: FixEdit, safety: str = UNSAFE) -> Fix:
    """A fix made of structural edits (see ``FixEdit``)."""
    return Fix("", description, tuple(edits), safety)


class Rendered(NamedTuple):
    """Where a finding on rendered output (a Helm chart or a kustomize overlay) was found and mapped.

    The finding's own file and location are the file a person edits (a template, a values file, a
    kustomize resource or patch); this keeps the place in the rendered output, so nothing is lost when
    the mapping is approximate.
    """

    source: str
    """What was rendered: ``helm chart charts/web`` or ``kustomize overlay overlays/prod``."""
    file: str
    """The rendered output as stored in guardlint's cache (an absolute path)."""
    location: Location
    sets: tuple[str, ...] = ()
    """The values sets whose rendering produced the finding (Helm charts only)."""
    mapped_to: str = "rendered"
    """What the finding's own location is: ``template``, ``values``, ``resource``, ``patch``,
    ``generator`` or ``rendered`` (no mapping could be made)."""
    approximate: bool = False
    """True when the finding's own location is a best guess (a parent the template writes, a helper)."""
    values_path: FieldPath | None = None
    """When ``mapped_to`` is ``values``: the path, in the values file the finding points at, of the entry
    whose value the rendered field holds (Helm charts only)."""
    chart: str = ""
    """The chart folder that was rendered (Helm charts only; as the run named it)."""


class LockedBy(NamedTuple):
    """The policy lock on a finding's rule: the policy file (as displayed) and its ``locked:`` entry."""

    policy: str
    selector: str


class Finding(NamedTuple):
    """A rule's verdict on one field of one object, located in the source."""

    rule: str
    code: str
    severity: Severity
    message: str
    file: str
    location: Location
    path: FieldPath
    resource: ResourceRef | None
    remediation: str
    origin: str | None = None
    document_index: int = 0
    suppressed: bool = False
    suppression_reason: str | None = None
    exact: bool = True
    """False when the field is missing and the location is that of its nearest existing parent."""
    fix: Fix | None = None
    """A repair ``--fix`` can apply (only for fields that exist in a file that is not Helm output)."""
    rendered: Rendered | None = None
    """For findings on objects guardlint rendered itself: the rendered position and the mapping."""
    locked_by: LockedBy | None = None
    """Set when the policy locks the rule for this object: no suppression in the repository can silence it."""

    @property
    def line(self) -> int:
        return self.location.line

    @property
    def column(self) -> int:
        return self.location.column

    @property
    def dotted_path(self) -> str:
        return to_dotted(self.path)

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.file, self.location.line, self.location.column, self.code, self.message)


class ErrorKind(enum.Enum):
    """Why an input could not be read or parsed. Each kind has a stable code for SARIF and JUnit."""

    YAML_SYNTAX = ("yaml-syntax-error", "GL001")
    UNRENDERED_TEMPLATE = ("unrendered-template", "GL002")
    ENCODING = ("invalid-encoding", "GL003")
    BINARY = ("binary-file", "GL004")
    TOO_LARGE = ("file-too-large", "GL005")
    UNREADABLE = ("unreadable-file", "GL006")
    TOO_DEEP = ("nesting-too-deep", "GL007")
    ALIAS_BOMB = ("alias-expansion-limit", "GL008")
    NOT_FOUND = ("path-not-found", "GL009")
    RENDER_FAILED = ("render-failed", "GL010")
    NO_RENDERER = ("renderer-unavailable", "GL011")
    INCOMPLETE_OBJECT = ("incomplete-object", "GL012")
    NOT_AN_OBJECT = ("not-an-object", "GL013")

    @property
    def slug(self) -> str:
        return self.value[0]

    @property
    def code(self) -> str:
        return self.value[1]


class InputError(NamedTuple):
    """An input that could not be read or parsed, with the place where reading stopped."""

    kind: ErrorKind
    file: str
    line: int
    column: int
    message: str
    hint: str = ""


class Summary(NamedTuple):
    files: int
    resources: int
    skipped_documents: int
    counts: Mapping[str, int]
    suppressed: int
    errors: int


class SkippedDocument(NamedTuple):
    """A document that is not a Kubernetes object (no apiVersion or kind), listed by ``--verbose``."""

    file: str
    line: int
    reason: str
    note: bool = False
    """Shown in every text report, not only with ``--verbose`` (an unrendered chart template)."""


EXCLUDED_NOTE = "excluded by the configuration's exclude patterns"
"""The reason of the note for a file named explicitly (as pre-commit does) that the configuration excludes."""


class RuleRun(NamedTuple):
    """A rule that ran, with its effective severity (for report metadata)."""

    name: str
    code: str
    severity: Severity


class DiffSummary(NamedTuple):
    """Pull-request mode (``--diff-base REF``): how the working tree's findings compare with the base's."""

    base: str
    """REF as given (``origin/main``)."""
    commit: str
    """The commit compared with: the merge base of REF and HEAD."""
    new: int
    """Active findings with no counterpart at the base (the report's active findings)."""
    fixed: int
    """Active findings at the base with no counterpart in the working tree, active or suppressed."""
    unchanged: int
    """Active findings present at both revisions (left out of the report)."""
    suppressions_added: int
    """Suppressed findings whose suppression the base did not have (kept in the report, marked suppressed)."""


class Report(NamedTuple):
    """Everything one lint run produced. Findings are sorted; suppressed findings are included and marked."""

    findings: tuple[Finding, ...]
    errors: tuple[InputError, ...]
    files: tuple[str, ...]
    resources: int
    skipped: tuple[SkippedDocument, ...] = ()
    rules: tuple[RuleRun, ...] = ()
    baselined: int = 0
    meta: Mapping[str, str] = MappingProxyType({})
    warnings: tuple[str, ...] = ()
    """Run-level warnings that are not findings (for example a baseline that matches nothing)."""
    diff: DiffSummary | None = None
    """Set in pull-request mode (``--diff-base``): the findings are then only what the change introduced."""

    @property
    def active(self) -> tuple[Finding, ...]:
        """Findings that are not suppressed."""
        return tuple(f for f in self.findings if not f.suppressed)

    @property
    def suppressed(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.suppressed)

    def inputs_with_findings(self) -> int:
        """How many of the inputs checked have active findings: a rendered chart or overlay counts once, however
        many of its templates, values or patch files its findings were mapped to."""
        return len({f.rendered.source if f.rendered is not None else f.file for f in self.active})

    def summary(self) -> Summary:
        counts = {s.value: 0 for s in (Severity.ERROR, Severity.WARNING, Severity.INFO)}
        for f in self.active:  # ``_value_``: what Enum's ``value`` property (Python code, a call a finding) returns
            counts[f.severity._value_] += 1
        return Summary(
            files=len(self.files),
            resources=self.resources,
            skipped_documents=len(self.skipped),
            counts=counts,
            suppressed=len(self.suppressed),
            errors=len(self.errors),
        )

    def exit_code(self, fail_on: Severity | None, *, allow_no_objects: bool = False,
                  allow_input_errors: bool = False) -> int:
        """0: nothing at or above ``fail_on``; 1: something is; 2: an input could not be read or parsed
        (unless ``allow_input_errors``), or no Kubernetes object was found at all (unless ``allow_no_objects``).
        """
        if self.errors and not allow_input_errors:
            return 2
        if self.resources == 0 and not allow_no_objects:
            return 2
        if fail_on is not None and any(f.severity.at_least(fail_on) for f in self.active):
            return 1
        return 0
