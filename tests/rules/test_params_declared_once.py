"""Parameters declared once: the JSON Schema is derived from the params NamedTuple, lazily, and validates a
configuration exactly as the hand-written schemas did."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal, NamedTuple

import pytest

from guardlint.findings import Severity
from guardlint.rules.api import rule
from guardlint.rules.params import ParamsSchema, derive_params_schema, param

PARAMS = Path(__file__).resolve().parents[1] / "fixtures" / "params"
BAD = sorted(PARAMS.glob("bad-params-*.yaml"))


@pytest.mark.parametrize("path", BAD, ids=[p.name for p in BAD])
def test_bad_parameter_values_get_the_messages_they_got_before(path: Path) -> None:
    """The ``.expected`` files were written by guardlint with the hand-written schemas (before parameters were
    declared once): every message, location and suggestion must stay the same."""
    run = subprocess.run([sys.executable, "-m", "guardlint", "config", "validate", path.name], cwd=PARAMS,
                         capture_output=True, text=True, check=False)
    assert run.returncode == 2
    assert run.stdout + run.stderr == path.with_suffix(".expected").read_text()


class _Params(NamedTuple):
    count: Annotated[int, param("How many.", minimum=1, maximum=9)] = 2
    ratio: Annotated[float, param("A ratio.", exclusive_minimum=0)] = 0.5
    on: Annotated[bool, param("Switch.")] = True
    mode: Annotated[Literal["a", "b"], param("A mode.")] = "a"
    names: Annotated[tuple[str, ...], param("Names.", unique_items=True, items={"minLength": 1})] = ("x",)
    kinds: Annotated[tuple[Literal["Job", "CronJob"], ...], param("Kinds.", min_items=1)] = ("Job",)
    sizes: Annotated[Mapping[str, int], param("Sizes.", values={"minimum": 1})] = {"gpu": 8}
    bounds: Annotated[Mapping[str, Any], param("Bounds.", values={"type": ["string", "number"]},
                                               keys={"minLength": 1})] = {}
    either: Annotated[str | int, param("Either.")] = 1


def test_the_schema_is_derived_from_the_declaration() -> None:
    schema = derive_params_schema(_Params)
    assert schema == {"type": "object", "additionalProperties": False, "properties": {
        "count": {"type": "integer", "minimum": 1, "maximum": 9, "default": 2, "description": "How many."},
        "ratio": {"type": "number", "exclusiveMinimum": 0, "default": 0.5, "description": "A ratio."},
        "on": {"type": "boolean", "default": True, "description": "Switch."},
        "mode": {"enum": ["a", "b"], "default": "a", "description": "A mode."},
        "names": {"type": "array", "items": {"type": "string", "minLength": 1}, "uniqueItems": True,
                  "default": ["x"], "description": "Names."},
        "kinds": {"type": "array", "items": {"enum": ["Job", "CronJob"]}, "minItems": 1, "default": ["Job"],
                  "description": "Kinds."},
        "sizes": {"type": "object", "additionalProperties": {"type": "integer", "minimum": 1},
                  "default": {"gpu": 8}, "description": "Sizes."},
        "bounds": {"type": "object", "additionalProperties": {"type": ["string", "number"]},
                   "propertyNames": {"minLength": 1}, "default": {}, "description": "Bounds."},
        "either": {"type": ["string", "integer"], "default": 1, "description": "Either."},
    }}
    assert list(schema["properties"]) == [f.replace("_", "-") for f in _Params._fields]


def test_the_schema_is_derived_only_when_read(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[type[Any]] = []
    import guardlint.rules.params as module

    real = module.derive_params_schema
    monkeypatch.setattr(module, "derive_params_schema", lambda t, *ns: calls.append(t) or real(t, *ns))

    @rule(code="ACME001", name="some-rule", title="Something", severity=Severity.INFO, pack="acme",
          remediation="Fix it.", params=_Params)
    def check(resource: Any, params: Any, ctx: Any) -> Any:
        return iter(())

    schema = check.meta.params_schema
    assert isinstance(schema, ParamsSchema) and not calls
    assert schema["properties"]["count"]["maximum"] == 9
    assert dict(schema) == derive_params_schema(_Params) and calls == [_Params]


def test_a_hand_written_schema_is_still_accepted() -> None:
    hand = {"type": "object", "additionalProperties": False, "properties": {"count": {"type": "integer"}}}

    @rule(code="ACME002", name="other-rule", title="Something", severity=Severity.INFO, pack="acme",
          remediation="Fix it.", params=_Params, params_schema=hand)
    def check(resource: Any, params: Any, ctx: Any) -> Any:
        return iter(())

    assert check.meta.params_schema is hand


def test_unknown_constraints_and_types_are_errors() -> None:
    with pytest.raises(TypeError, match="unknown constraint"):
        param("x", minimun=1)

    class Bad(NamedTuple):
        table: Annotated[dict[int, str], param("x")] = {}

    with pytest.raises(TypeError, match="string keys"):
        derive_params_schema(Bad)


def test_optional_parameters_may_be_null() -> None:
    """A plugin's ``int | None`` / ``Optional[int]`` parameter got an internal error (exit 3) on every command:
    ``None`` had no JSON Schema. A union of plain types is a type list; any other union an ``anyOf``."""
    from typing import Optional

    import jsonschema

    class Opt(NamedTuple):
        limit: Annotated[int | None, param("x")] = None
        old: Annotated[Optional[int], param("x")] = None  # noqa: UP045 - the spelling plugins use
        names: Annotated[tuple[str, ...] | None, param("x")] = None

    schema = derive_params_schema(Opt)
    props = schema["properties"]
    assert props["limit"] == {"type": ["integer", "null"], "default": None, "description": "x"}
    assert props["old"] == props["limit"]
    assert props["names"]["anyOf"] == [{"type": "array", "items": {"type": "string"}}, {"type": "null"}]
    ok = ({"limit": None, "old": 3, "names": None}, {"limit": 1, "names": ["a"]}, {})
    for value in ok:
        jsonschema.validate(value, schema)
    for bad in ({"limit": "1"}, {"names": "a"}, {"names": [1]}):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(bad, schema)
    from guardlint.docs import _type_of

    assert _type_of(props["limit"]) == "integer or null"
    assert _type_of(props["names"]) == "list of string or null"


def test_a_plugin_parameter_type_without_a_schema_is_the_plugins_load_error() -> None:
    """It was an internal error (exit 3) in whichever command first read the schema."""
    from guardlint.errors import RuleLoadError
    from guardlint.rules.registry import validate_rule

    class Bad(NamedTuple):
        ids: Annotated[set[int], param("x")] = set()

    @rule(code="ACME001", name="acme-bad", title="bad", severity=Severity.WARNING, pack="custom",
          remediation="Fix it.", params=Bad)
    def acme_bad(resource: Any, params: Bad, ctx: Any) -> Any:
        yield from ()

    with pytest.raises(RuleLoadError, match=r"plugin x: rule 'acme-bad': parameters: .*set\[int\]"):
        validate_rule(acme_bad, "plugin x")

    class Good(NamedTuple):
        ids: Annotated[tuple[int, ...] | None, param("x")] = None

    @rule(code="ACME002", name="acme-good", title="good", severity=Severity.WARNING, pack="custom",
          remediation="Fix it.", params=Good)
    def acme_good(resource: Any, params: Good, ctx: Any) -> Any:
        yield from ()

    validate_rule(acme_good, "plugin x")
