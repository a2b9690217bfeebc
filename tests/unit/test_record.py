"""``guardlint._record.NamedTuple`` builds the same classes as ``typing.NamedTuple`` without typing's per-field
``compile()``; every guardlint value type uses it, so start-up cannot pay typing's cost again unnoticed."""

from __future__ import annotations

import ast
import copy
import importlib
import inspect
import pickle
import pkgutil
import subprocess
import sys
import types
import typing
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

import pytest

import guardlint
from guardlint import _record
from guardlint.rules.api import param_names
from guardlint.rules.params import derive_params_schema

SHAPES = '''\
from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Generic, Literal, TypeVar

T = TypeVar("T")


class Empty(NamedTuple):
    pass


class Plain(NamedTuple):
    a: int
    b: str


class Documented(NamedTuple):
    """A documented record."""

    a: int
    b: tuple[str, ...] = ()
    """A field's docstring: an expression the class body drops."""
    c: Mapping[str, Any] | None = None


class AllDefaults(NamedTuple):
    mode: Literal["a", "b"] = "a"
    count: Annotated[int, "a note"] = 2
    later: Later | None = None


class Members(NamedTuple):
    x: int
    y: int = 2
    LIMIT = 10
    TABLE: tuple[int, ...] = ()

    def total(self) -> int:
        return self.x + self.y

    @property
    def double(self) -> int:
        return 2 * self.x

    @classmethod
    def of(cls, x: int) -> Members:
        return cls(x, x)

    @staticmethod
    def helper() -> str:
        return "h"

    def __repr__(self) -> str:
        return f"Members<{self.x}, {self.y}>"


class Outer(NamedTuple):
    v: int

    class Inner(NamedTuple):
        w: int = 0


class Derived(Plain):
    """A subclass of a record."""

    __slots__ = ()

    def both(self) -> str:
        return f"{self.a}{self.b}"


class Later(NamedTuple):
    z: float


class Box(NamedTuple, Generic[T]):
    item: T
    extra: tuple[T, ...] | None = None
'''

# the instance each shape is probed with (positional arguments)
ARGS: dict[str, tuple[Any, ...]] = {
    "Empty": (),
    "Plain": (1, "b"),
    "Documented": (1, ("x", "y")),
    "AllDefaults": (),
    "Members": (3,),
    "Outer": (4,),
    "Outer.Inner": (5,),
    "Derived": (6, "d"),
    "Later": (1.5,),
    "Box": (1,),
}

NAMEDTUPLE_API = {"_make", "_replace", "_asdict", "_fields", "_field_defaults", "__new__", "__getnewargs__",
                  "__repr__", "__slots__", "__match_args__", "__doc__", "__module__", "__annotations__"}


def _load(name: str, source: str, base: Any, monkeypatch: pytest.MonkeyPatch) -> types.ModuleType:
    """``source`` as the module ``name`` (importable, so that pickle finds its classes), ``base`` as its
    ``NamedTuple``."""
    module = types.ModuleType(name)
    module.NamedTuple = base  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, name, module)
    exec(compile(source, f"<{name}>", "exec", dont_inherit=True), module.__dict__)
    return module


@pytest.fixture
def shapes(monkeypatch: pytest.MonkeyPatch) -> tuple[types.ModuleType, types.ModuleType]:
    return (_load("_nt_typing_shapes", SHAPES, typing.NamedTuple, monkeypatch),
            _load("_nt_record_shapes", SHAPES, _record.NamedTuple, monkeypatch))


def _resolve(module: types.ModuleType, qualname: str) -> Any:
    found: Any = module
    for part in qualname.split("."):
        found = getattr(found, part)
    return found


def _same_text(left: object, right: object) -> None:
    """Equal once each side's module name is taken out (classes of the two modules print their module)."""
    assert str(left).replace("_nt_typing_shapes", "M") == str(right).replace("_nt_record_shapes", "M")


def _raw(annotations: Mapping[str, Any]) -> dict[str, Any]:
    """typing's annotations as the strings they were made from."""
    return {k: v.__forward_arg__ if isinstance(v, typing.ForwardRef) else v for k, v in annotations.items()}


def _members(cls: type) -> Iterator[str]:
    """The names the class body defined (other than the fields and what namedtuple makes)."""
    for name in vars(cls):
        if name not in cls._fields and name not in NAMEDTUPLE_API and not name.startswith("__"):  # type: ignore[attr-defined]
            yield name


def _probe(value: Any) -> Any:
    """What a member gives: a method is called without arguments (or its TypeError), anything else read."""
    if not callable(value) or isinstance(value, type):
        return value
    try:
        return value()
    except TypeError as error:
        return ("TypeError", str(error))


@pytest.mark.parametrize("qualname", sorted(ARGS))
def test_the_class_is_the_one_typing_builds(
    shapes: tuple[types.ModuleType, types.ModuleType], qualname: str
) -> None:
    t_cls, r_cls = (_resolve(m, qualname) for m in shapes)
    assert t_cls is not r_cls
    for attribute in ("__name__", "__qualname__", "__doc__", "_fields", "_field_defaults", "__match_args__",
                      "__slots__"):
        _same_text(getattr(t_cls, attribute), getattr(r_cls, attribute))
    assert t_cls.__module__ == "_nt_typing_shapes" and r_cls.__module__ == "_nt_record_shapes"
    _same_text([c.__qualname__ for c in t_cls.__mro__], [c.__qualname__ for c in r_cls.__mro__])
    assert sorted(vars(t_cls)) == sorted(vars(r_cls))
    for field in t_cls._fields:
        assert getattr(t_cls, field).__doc__ == getattr(r_cls, field).__doc__
    # the annotations: typing's ForwardRefs, the record's strings they were made from; the same hints
    assert _raw(vars(t_cls).get("__annotations__", {})) == vars(r_cls).get("__annotations__", {})
    if "__annotations__" in vars(r_cls):
        assert all(isinstance(v, str) for v in r_cls.__annotations__.values())
        assert r_cls.__new__.__annotations__ is r_cls.__annotations__
        assert _raw(t_cls.__new__.__annotations__) == r_cls.__new__.__annotations__
    for extras in (False, True):
        _same_text(typing.get_type_hints(t_cls, include_extras=extras),
                   typing.get_type_hints(r_cls, include_extras=extras))
    assert [(p.name, p.default, p.kind) for p in inspect.signature(t_cls).parameters.values()] == [
        (p.name, p.default, p.kind) for p in inspect.signature(r_cls).parameters.values()]


@pytest.mark.parametrize("qualname", sorted(ARGS))
def test_values_behave_as_typing_s(shapes: tuple[types.ModuleType, types.ModuleType], qualname: str) -> None:
    t_cls, r_cls = (_resolve(m, qualname) for m in shapes)
    args = ARGS[qualname]
    t_value, r_value = t_cls(*args), r_cls(*args)
    assert type(r_value) is r_cls
    _same_text(repr(t_value), repr(r_value))
    assert tuple(t_value) == tuple(r_value) and t_value == r_value and hash(t_value) == hash(r_value)
    assert t_value._asdict() == r_value._asdict()
    assert r_cls._make(tuple(r_value)) == r_value and type(r_cls._make(tuple(r_value))) is r_cls
    if r_cls._fields:
        first = r_cls._fields[0]
        replaced = r_value._replace(**{first: "new"})
        assert type(replaced) is r_cls and replaced == t_value._replace(**{first: "new"})
        with pytest.raises(TypeError) as t_error:
            t_cls(*args, *range(len(t_cls._fields) + 1))
        with pytest.raises(TypeError) as r_error:
            r_cls(*args, *range(len(r_cls._fields) + 1))
        _same_text(t_error.value, r_error.value)
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        again = pickle.loads(pickle.dumps(r_value, protocol))
        assert type(again) is r_cls and again == r_value
    assert copy.copy(r_value) == r_value and copy.deepcopy(r_value) == r_value
    assert sorted(_members(t_cls)) == sorted(_members(r_cls))
    for name in _members(r_cls):
        _same_text(_probe(getattr(t_value, name)), _probe(getattr(r_value, name)))


def test_defaults_members_and_subclasses_work(shapes: tuple[types.ModuleType, types.ModuleType]) -> None:
    """Spelled out for the record's classes (the comparisons above would pass if both were wrong alike)."""
    record = shapes[1]
    assert record.Documented(1) == (1, (), None) and record.Documented.__doc__ == "A documented record."
    assert record.AllDefaults() == ("a", 2, None)
    assert record.AllDefaults._field_defaults == {"mode": "a", "count": 2, "later": None}
    members = record.Members.of(4)
    assert (members.total(), members.double, members.helper(), repr(members)) == (8, 8, "h", "Members<4, 4>")
    assert record.Members.LIMIT == 10 and record.Members(1, 2, (7,)).TABLE == (7,)
    assert record.Outer.Inner().w == 0 and record.Outer.Inner.__qualname__ == "Outer.Inner"
    derived = record.Derived(1, "x")
    assert derived.both() == "1x" and isinstance(derived, record.Plain) and derived._fields == ("a", "b")
    assert not hasattr(derived, "__dict__")
    hints = typing.get_type_hints(record.AllDefaults, include_extras=True)
    assert hints == {"mode": Literal["a", "b"], "count": Annotated[int, "a note"],
                     "later": record.Later | None}
    assert record.Members.__orig_bases__ == (_record.NamedTuple,)
    assert record.Members.__bases__ == (tuple,)


@pytest.mark.skipif(sys.version_info < (3, 11), reason="generic NamedTuples are Python 3.11's")
def test_a_generic_record_is_generic(shapes: tuple[types.ModuleType, types.ModuleType]) -> None:
    t_box, r_box = shapes[0].Box, shapes[1].Box
    assert r_box.__parameters__ == (shapes[1].T,) and t_box.__parameters__ == (shapes[0].T,)
    _same_text(t_box[int], r_box[int])
    assert r_box[int](1) == (1, None) and r_box.__bases__ == t_box.__bases__
    assert r_box.__orig_bases__ == (_record.NamedTuple, typing.Generic[shapes[1].T])


BAD = {
    "a field without default after one with": "class X(NamedTuple):\n    a: int = 1\n    b: str\n",
    "after two defaults": "class X(NamedTuple):\n    a: int = 1\n    b: int = 2\n    c: str\n",
    "a namedtuple method": "class X(NamedTuple):\n    a: int\n    def _replace(self): ...\n",
    "slots": "class X(NamedTuple):\n    __slots__ = ('a',)\n    a: int\n",
    "init": "class X(NamedTuple):\n    a: int\n    def __init__(self, a): ...\n",
    "another base": "class X(NamedTuple, int):\n    a: int\n",
    "a record as a second base": "class P(NamedTuple):\n    a: int\nclass X(P, NamedTuple):\n    b: int\n",
    "an underscored field": "class X(NamedTuple):\n    _a: int\n",
}


@pytest.mark.parametrize("source", BAD.values(), ids=list(BAD))
def test_mistakes_fail_as_with_typing(source: str, monkeypatch: pytest.MonkeyPatch) -> None:
    errors = []
    for name, base in (("_nt_typing_bad", typing.NamedTuple), ("_nt_record_bad", _record.NamedTuple)):
        with pytest.raises(Exception) as caught:  # each case raises what typing raises
            _load(name, "from __future__ import annotations\n" + source, base, monkeypatch)
        errors.append((type(caught.value), str(caught.value)))
    assert errors[0] == errors[1]


def test_what_the_record_refuses_and_typing_accepts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Evaluated annotations (no ``from __future__ import annotations``) would go unchecked: refused; the
    functional form is not offered."""
    with pytest.raises(TypeError, match="postponed annotations"):
        _load("_nt_record_eager", "class X(NamedTuple):\n    a: int\n", _record.NamedTuple, monkeypatch)
    with pytest.raises(TypeError, match="class syntax"):
        _record.NamedTuple("X", [("a", int)])


def test_a_params_declaration_means_the_same_on_either_base(monkeypatch: pytest.MonkeyPatch) -> None:
    """Plugins keep ``typing.NamedTuple`` for their ``Params`` (the documented way): the schema and the field
    names are the same as for a built-in rule's."""
    source = (
        "from __future__ import annotations\n"
        "from collections.abc import Mapping\n"
        "from typing import Annotated, Literal\n"
        "from guardlint.rules.params import param\n"
        "class Params(NamedTuple):\n"
        "    count: Annotated[int, param('How many.', minimum=1)] = 2\n"
        "    mode: Annotated[Literal['a', 'b'], param('A mode.')] = 'a'\n"
        "    names: Annotated[tuple[str, ...], param('Names.', items={'minLength': 1})] = ('x',)\n"
        "    sizes: Annotated[Mapping[str, int], param('Sizes.', values={'minimum': 1})] = {}\n"
    )
    typed = _load("_nt_typing_params", source, typing.NamedTuple, monkeypatch).Params
    record = _load("_nt_record_params", source, _record.NamedTuple, monkeypatch).Params
    assert derive_params_schema(typed) == derive_params_schema(record)
    assert derive_params_schema(record)["properties"]["count"] == {
        "type": "integer", "minimum": 1, "default": 2, "description": "How many."}
    assert param_names(typed) == param_names(record) == ("count", "mode", "names", "sizes")


def _guardlint_modules() -> Iterator[types.ModuleType]:
    for info in pkgutil.walk_packages(guardlint.__path__, "guardlint."):
        if info.name != "guardlint.__main__":
            yield importlib.import_module(info.name)


def _classes(namespace: Mapping[str, Any], module: str) -> Iterator[type]:
    for value in list(namespace.values()):
        if isinstance(value, type) and value.__module__ == module:
            yield value
            yield from _classes(vars(value), module)


def _built_by_typing(cls: type) -> bool:
    return typing.NamedTuple in cls.__dict__.get("__orig_bases__", ()) or any(
        isinstance(v, typing.ForwardRef) for v in inspect.get_annotations(cls).values())


def test_no_guardlint_class_is_built_by_typing_namedtuple() -> None:
    records: list[type] = []
    for module in _guardlint_modules():
        for cls in _classes(vars(module), module.__name__):
            assert not _built_by_typing(cls), f"{module.__name__}.{cls.__qualname__}: use guardlint._record"
            if issubclass(cls, tuple) and hasattr(cls, "_fields"):
                records.append(cls)
    assert len(records) > 100  # the walk did find guardlint's value types
    assert all(_record.NamedTuple in r.__dict__.get("__orig_bases__", (_record.NamedTuple,)) for r in records)


def _typing_namedtuple_uses(path: Path) -> Iterator[int]:
    """Lines of ``path`` that import ``NamedTuple`` from typing or spell ``typing.NamedTuple``."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        imported = isinstance(node, ast.ImportFrom) and node.module == "typing" and any(
            a.name == "NamedTuple" for a in node.names)
        spelled = isinstance(node, ast.Attribute) and node.attr == "NamedTuple" and isinstance(node.value, ast.Name) \
            and node.value.id == "typing"
        if imported or spelled:
            yield node.lineno


def test_no_guardlint_source_uses_typing_namedtuple() -> None:
    """Also catches classes the module walk cannot see (defined inside functions)."""
    source = Path(guardlint.__file__).parent
    uses = [f"{p.relative_to(source)}:{line}" for p in sorted(source.rglob("*.py")) if p.name != "_record.py"
            for line in _typing_namedtuple_uses(p)]
    assert uses == []


def test_the_scans_find_what_they_look_for() -> None:
    """The two checks above fail on a class typing built and on a source that imports typing's NamedTuple."""

    class Typed(typing.NamedTuple):
        a: int

    assert _built_by_typing(Typed)
    assert list(_typing_namedtuple_uses(Path(__file__))) != []



# --- the class itself: collections.namedtuple's, built without compiling ``__new__`` -----------------------------

# the field counts of guardlint's records reach 27; past len(_NEW_CODE) the code is compiled as namedtuple does
FIELD_COUNTS = [*range(len(_record._NEW_CODE) + 2), 19, 27]
METHODS = ("__new__", "_make", "_replace", "__repr__", "_asdict", "__getnewargs__")
CODE_ATTRIBUTES = ("co_code", "co_consts", "co_names", "co_varnames", "co_argcount", "co_posonlyargcount",
                   "co_kwonlyargcount", "co_flags", "co_nlocals", "co_stacksize", "co_filename", "co_name",
                   "co_firstlineno", "co_freevars", "co_cellvars", "co_qualname")


def _field_names(count: int) -> list[str]:
    words = ["name", "kind", "a", "self", "cls", "result", "value", "path", "index", "count", "x1", "Upper"]
    return [words[i] if i < len(words) else f"field{i}" for i in range(count)]


def _pair(count: int, n_defaults: int) -> tuple[Any, Any]:
    import collections

    fields = _field_names(count)
    defaults = tuple(range(100, 100 + n_defaults))
    reference = collections.namedtuple("Shape", fields, defaults=defaults, module="some.module")
    record = _record._record_class("Shape", fields, defaults, "some.module")
    return reference, record


def _function_facts(function: Any) -> tuple[Any, ...]:
    return (function.__name__, function.__qualname__, function.__doc__, function.__defaults__,
            function.__kwdefaults__, function.__annotations__, inspect.signature(function))


def _outcome(call: Any) -> Any:
    try:
        return ("ok", call())
    except Exception as error:  # the same exception, with the same message
        return (type(error), str(error))


@pytest.mark.parametrize("count", FIELD_COUNTS)
@pytest.mark.parametrize("defaults", ["none", "one", "all"])
def test_the_class_is_the_one_collections_namedtuple_builds(count: int, defaults: str) -> None:
    n_defaults = {"none": 0, "one": min(1, count), "all": count}[defaults]
    reference, record = _pair(count, n_defaults)
    assert list(vars(reference)) == list(vars(record))  # the same attributes, in the same order
    for attribute in ("__name__", "__qualname__", "__module__", "__doc__", "__slots__", "_fields",
                      "_field_defaults", "__match_args__", "__bases__"):
        assert getattr(reference, attribute) == getattr(record, attribute), attribute
    for index, field in enumerate(reference._fields):
        assert type(vars(record)[field]) is type(vars(reference)[field])
        assert vars(record)[field].__doc__ == vars(reference)[field].__doc__ == f"Alias for field number {index}"
    for method in METHODS:
        assert _function_facts(getattr(reference, method)) == _function_facts(getattr(record, method)), method
    if sys.version_info >= (3, 13):
        assert record.__replace__ is vars(record)["_replace"]
    # __new__: namedtuple's function, its code the code namedtuple compiles (but for the line table's columns)
    ref_new, rec_new = reference.__new__, record.__new__
    assert ref_new.__globals__ == rec_new.__globals__ and rec_new.__module__ == ref_new.__module__
    assert rec_new.__globals__ is not ref_new.__globals__
    for attribute in CODE_ATTRIBUTES:
        if hasattr(ref_new.__code__, attribute):
            assert getattr(ref_new.__code__, attribute) == getattr(rec_new.__code__, attribute), attribute
    assert [line for *_, line in ref_new.__code__.co_lines()] == [line for *_, line in rec_new.__code__.co_lines()]


@pytest.mark.parametrize("count", [0, 1, 2, 5, len(_record._NEW_CODE) - 1, len(_record._NEW_CODE), 19])
def test_instances_behave_as_collections_namedtuple_s(count: int) -> None:
    reference, record = _pair(count, min(2, count))
    fields = reference._fields
    values = tuple(f"v{i}" for i in range(count))
    calls: list[tuple[tuple[Any, ...], dict[str, Any]]] = [
        (values, {}), (values[:-1], {}), (values[:-2], {}), ((*values, "extra"), {}), ((), {}),
        ((), dict(zip(fields, values, strict=True))), (values[1:], {fields[0]: "k"} if fields else {}),
        (values, {fields[0]: "twice"} if fields else {}), (values, {"unknown": 1}), (values[:1], {"other": 2}),
    ]
    for args, kwargs in calls:
        made = (_outcome(lambda a=args, k=kwargs: reference(*a, **k)),
                _outcome(lambda a=args, k=kwargs: record(*a, **k)))
        assert str(made[0]).replace("Shape", "S") == str(made[1]).replace("Shape", "S")
        assert made[0][0] == made[1][0]
    ref_value, rec_value = reference(*values), record(*values)
    assert repr(ref_value) == repr(rec_value) and ref_value == rec_value and type(rec_value) is record
    assert ref_value._asdict() == rec_value._asdict() and list(ref_value._asdict()) == list(rec_value._asdict())
    assert rec_value.__getnewargs__() == values and type(rec_value.__getnewargs__()) is tuple
    for make in (lambda: values, lambda: list(values), lambda: iter(values), lambda: (*values, 1),
                 lambda: values[:-1]):
        got = (_outcome(lambda m=make: reference._make(m())), _outcome(lambda m=make: record._make(m())))
        assert got[0] == got[1]  # equal tuples, or the same error
        assert got[1][0] != "ok" or type(got[1][1]) is record
    for kwargs in ({}, {fields[0]: "r"} if fields else {}, {"unknown": 1}, {"unknown": 1, "other": 2}):
        got = (_outcome(lambda k=kwargs: ref_value._replace(**k)), _outcome(lambda k=kwargs: rec_value._replace(**k)))
        assert got[0] == got[1]
    if sys.version_info >= (3, 13):
        assert copy.replace(rec_value, **({fields[0]: "c"} if fields else {})) == copy.replace(
            ref_value, **({fields[0]: "c"} if fields else {}))
    for index, field in enumerate(fields):
        assert getattr(rec_value, field) == values[index]
    if count == 2:
        match rec_value:
            case record(first, second):
                assert (first, second) == values
            case _:
                pytest.fail("__match_args__ did not match")
    assert copy.copy(rec_value) == rec_value and copy.deepcopy(rec_value) == rec_value


def test_a_record_with_no_template_compiles_its_new_as_namedtuple_does() -> None:
    """Only classes with more fields than ``_NEW_CODE`` covers compile their ``__new__`` (counted with an audit
    hook in a subprocess: the hook cannot be removed)."""
    code = (
        "import sys\n"
        "from guardlint import _record\n"
        "compiled = []\n"
        "sys.addaudithook(lambda event, args: compiled.append(event) if event == 'compile' else None)\n"
        "for count in range(len(_record._NEW_CODE) + 3):\n"
        "    _record._record_class('R', [f'f{i}' for i in range(count)], (), 'm')\n"
        "print(compiled.count('compile'))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "3"


@pytest.mark.parametrize(("fields", "defaults"), [
    (["a", "_b"], ()), (["class"], ()), (["not an identifier"], ()), (["a"], (1, 2)), (["a", "b"], (1, 2, 3)),
])
def test_bad_names_and_defaults_fail_as_with_namedtuple(fields: list[str], defaults: tuple[Any, ...]) -> None:
    import collections

    with pytest.raises(Exception) as reference:  # whatever namedtuple raises
        collections.namedtuple("Shape", fields, defaults=defaults)
    with pytest.raises(Exception) as record:
        _record._record_class("Shape", fields, defaults, "m")
    assert (type(reference.value), str(reference.value)) == (type(record.value), str(record.value))


def test_the_new_code_table_holds_each_field_count_in_order() -> None:
    for count, code in enumerate(_record._NEW_CODE):
        assert code.co_argcount == count + 1 and code.co_varnames[0] == "_cls"
        assert code.co_names == ("_tuple_new",)


# --- a class body's items given to ``type()`` (the quick way) or set one by one as typing does ----------------------

# shapes whose items ``type()`` would treat otherwise than ``setattr``: they must take typing's way
TYPING_WAY_SHAPES = '''\
from __future__ import annotations


class Equal(NamedTuple):
    a: int

    def __eq__(self, other: object) -> bool:
        return tuple(self) == tuple(other)  # type: ignore[arg-type]


class WithProperty(NamedTuple):
    a: int

    @property
    def twice(self) -> int:
        return 2 * self.a


class Hook(NamedTuple):
    a: int

    def __init_subclass__(cls) -> None:
        pass
'''


def _facts(value: Any) -> Any:
    """What a class attribute is, as far as two separately built classes can be compared."""
    if isinstance(value, (classmethod, staticmethod)):
        return (type(value), _facts(value.__func__))
    if isinstance(value, types.FunctionType):
        return ("function", value.__name__, value.__qualname__, value.__doc__, value.__defaults__,
                value.__kwdefaults__, value.__annotations__, value.__code__.co_varnames)
    if isinstance(value, property):
        return ("property", _facts(value.fget), value.__doc__)
    if isinstance(value, type):
        return ("class", value.__qualname__, [(k, _facts(v)) for k, v in vars(value).items() if k != "__module__"])
    if type(value).__name__ == "_tuplegetter":
        return ("field", value.__doc__)
    return repr(value)  # the type variables of a generic record are each module's own


def _both_ways(monkeypatch: pytest.MonkeyPatch, source: str) -> tuple[types.ModuleType, types.ModuleType, list[str]]:
    """``source`` built as usual, and again with every class taking typing's way; the classes that took it the
    first time."""
    typing_way: list[str] = []
    step_by_step = _record._typing_record

    def spy(typename: str, bases: tuple[type, ...], ns: dict[str, Any]) -> type:
        typing_way.append(ns["__qualname__"])
        return step_by_step(typename, bases, ns)

    monkeypatch.setattr(_record, "_typing_record", spy)
    quick = _load("_nt_quick", source, _record.NamedTuple, monkeypatch)
    taken = list(typing_way)
    monkeypatch.setattr(_record, "_PLAIN_VALUES", frozenset())  # every class body has a string (``__qualname__``)
    slow = _load("_nt_slow", source, _record.NamedTuple, monkeypatch)
    return quick, slow, taken


@pytest.mark.parametrize("source", [SHAPES, TYPING_WAY_SHAPES], ids=["shapes", "typing-way"])
def test_a_class_body_s_items_given_to_type_make_the_same_class(source: str, monkeypatch: pytest.MonkeyPatch) -> None:
    quick, slow, taken = _both_ways(monkeypatch, source)
    names = [name for name, value in vars(slow).items() if isinstance(value, type) and issubclass(value, tuple)]
    assert len(names) >= 3
    for name in names:
        for q_cls, s_cls in ((getattr(quick, name), getattr(slow, name)),
                             *([(quick.Outer.Inner, slow.Outer.Inner)] if name == "Outer" else [])):
            assert list(vars(q_cls)) == list(vars(s_cls)), name  # the same attributes, in the same order
            for key, value in vars(s_cls).items():
                if key in ("__module__",):
                    continue
                assert _facts(vars(q_cls)[key]) == _facts(value), (name, key)
            assert (q_cls.__qualname__, q_cls.__doc__) == (s_cls.__qualname__, s_cls.__doc__)
            assert [c.__qualname__ for c in q_cls.__mro__] == [c.__qualname__ for c in s_cls.__mro__]
            assert q_cls.__hash__ is s_cls.__hash__
            assert (q_cls.__module__, s_cls.__module__) == ("_nt_quick", "_nt_slow")
    if source is SHAPES:  # only the generic record and the one with a property take typing's way
        assert sorted(taken) == ["Box", "Members"]
    else:
        assert sorted(taken) == ["Equal", "Hook", "WithProperty"]
        assert quick.Equal.__hash__ is tuple.__hash__  # as typing keeps it (``type()`` would have made it None)
        with pytest.raises(AttributeError, match=r"^property of 'WithProperty' object has no setter$"):
            quick.WithProperty(1).twice = 3  # type: ignore[misc]  # typing's message: the property has no name


def test_guardlint_s_records_take_the_quick_way() -> None:
    """Every guardlint record but those with a property has its items given to ``type()`` (the cost this saves is
    counted in docs/performance.md): the classes that take typing's way are counted in a fresh process."""
    code = (
        "import importlib, pkgutil, sys\n"
        "from guardlint import _record\n"
        "made, slow = [], []\n"
        "make, step_by_step = _record._make_class, _record._typing_record\n"
        "_record._make_class = lambda *a: made.append(a[0]) or make(*a)\n"
        "_record._typing_record = lambda t, b, ns: slow.append(ns) or step_by_step(t, b, ns)\n"
        "import guardlint\n"
        "for info in pkgutil.walk_packages(guardlint.__path__, 'guardlint.'):\n"
        "    if info.name != 'guardlint.__main__':\n"
        "        importlib.import_module(info.name)\n"
        "with_property = [ns for ns in slow if any(isinstance(v, property) for v in ns.values())]\n"
        "print(len(made), len(slow), len(with_property))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    made, slow, with_property = map(int, done.stdout.split())
    assert made > 150 and slow == with_property < made // 5
