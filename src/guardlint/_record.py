"""``NamedTuple`` for guardlint's own value types, at the cost of ``collections.namedtuple``.

Every guardlint module writes ``from guardlint._record import NamedTuple`` and then ``class X(NamedTuple): ...``
exactly as with ``typing.NamedTuple``. For type checkers it *is* ``typing.NamedTuple`` (re-exported under
``TYPE_CHECKING``), so mypy sees real typed NamedTuples: fields, defaults, ``_replace``, wrong field types.

Why: ``typing.NamedTuple`` runs ``typing._type_check`` on every field annotation. With
``from __future__ import annotations`` (every guardlint module) each annotation is a string, which typing turns
into a ``ForwardRef``, and a ``ForwardRef`` compiles its string with ``compile()``: a four-field class costs about
150 us against 60 us for ``collections.namedtuple``. A small-file check defines about 90 of them at start-up.

At run time this module builds the class the way ``typing.NamedTupleMeta`` does (Python 3.11's, step by step)
except for that per-field check: the annotations are kept as the strings the compiler wrote. Nothing is lost:
``typing.get_type_hints`` evaluates strings and ``ForwardRef`` objects alike (``rules/params.py`` derives the
parameter schemas that way), and a string annotation written by the compiler is always a valid expression, so
typing's check could never fail on one. A non-string annotation (a module without postponed annotations) is
refused with a TypeError rather than left unchecked. Kept as typing keeps them: field order, defaults and the
"non-default field after default" TypeError, methods, properties, class attributes and docstrings,
``__annotations__`` (also on ``__new__``), ``_field_defaults``, ``__module__`` and ``__qualname__`` (pickling:
``--jobs`` sends values between processes), the attributes a class body may not overwrite, ``Generic``.
``tests/unit/test_record.py`` compares the two on a table of class shapes.

The class itself is the one ``collections.namedtuple`` makes, built here without its one ``eval`` per class
(about 40% of its cost): ``__new__`` is ``lambda _cls, a, b: _tuple_new(_cls, (a, b))`` compiled with the field
names as its parameters, and that code differs between classes only in the parameter names. ``_NEW_CODE`` holds it
compiled once for each number of fields up to 32 (as this module's bytecode); a class's ``__new__`` is that code
with ``co_varnames`` replaced by its field names (``CodeType.replace``, no compilation), in a function whose
globals, name, qualname, docstring and defaults are namedtuple's. A class with more fields compiles its
``__new__`` as namedtuple does. The rest is namedtuple's class, attribute for attribute: the field properties,
``_make``, ``_replace``, ``__repr__``, ``_asdict``, ``__getnewargs__``, ``__match_args__``, their names,
qualnames and docstrings, and the error messages (Python 3.13's ``__replace__`` and ``TypeError`` from
``_replace`` included). The class body's own items (its docstring, methods, constants), which typing sets on the
made class one ``setattr`` at a time, are given to ``type()`` with namedtuple's attributes, in the order those
calls would add them, whenever that makes the same class (it does for the values and names ``_PLAIN_VALUES`` and
``_TYPING_WAY`` allow: every guardlint record but those with a ``property``); other classes are built step by
step as typing builds them (``_typing_record``). ``tests/unit/test_record.py`` compares the classes with
``collections.namedtuple``'s and ``typing.NamedTuple``'s of the running Python, ``__new__``'s code object with the
one namedtuple compiles, for every number of fields, and the two ways of building a class body's items. (What
differs: the methods' code lives in this module, so a traceback through ``_make`` names this file instead of
``collections/__init__.py``.)

Not public API: plugins and the documentation keep ``typing.NamedTuple`` (both work for a rule's ``Params``).
"""

from __future__ import annotations

TYPE_CHECKING = False

__all__ = ["NamedTuple"]

if TYPE_CHECKING:
    from typing import Any, NamedTuple
else:
    import __future__

    import sys
    from collections import _tuplegetter  # type: ignore[attr-defined]  # the field property namedtuple uses
    from keyword import iskeyword, kwlist
    from types import FunctionType

    _tuple_new = tuple.__new__
    _POSTPONED_ANNOTATIONS = __future__.annotations.compiler_flag
    """The flag this module's ``from __future__ import annotations`` puts on its code (namedtuple's has none)."""

    # ``__new__``'s code for 0, 1, 2 ... 32 fields: the lambda namedtuple compiles, with placeholder parameters
    # (the parameter names are the only difference between the classes' codes; ``_new_method`` replaces them).
    # One line each: the code's line table then points at line 1, as namedtuple's does.
    _NEW_CODE = tuple(template.__code__ for template in (
        lambda _cls: _tuple_new(_cls, ()),
        lambda _cls, a: _tuple_new(_cls, (a,)),
        lambda _cls, a, b: _tuple_new(_cls, (a, b)),
        lambda _cls, a, b, c: _tuple_new(_cls, (a, b, c)),
        lambda _cls, a, b, c, d: _tuple_new(_cls, (a, b, c, d)),
        lambda _cls, a, b, c, d, e: _tuple_new(_cls, (a, b, c, d, e)),
        lambda _cls, a, b, c, d, e, f: _tuple_new(_cls, (a, b, c, d, e, f)),
        lambda _cls, a, b, c, d, e, f, g: _tuple_new(_cls, (a, b, c, d, e, f, g)),
        lambda _cls, a, b, c, d, e, f, g, h: _tuple_new(_cls, (a, b, c, d, e, f, g, h)),
        lambda _cls, a, b, c, d, e, f, g, h, i: _tuple_new(_cls, (a, b, c, d, e, f, g, h, i)),
        lambda _cls, a, b, c, d, e, f, g, h, i, j: _tuple_new(_cls, (a, b, c, d, e, f, g, h, i, j)),
        lambda _cls, a, b, c, d, e, f, g, h, i, j, k: _tuple_new(_cls, (a, b, c, d, e, f, g, h, i, j, k)),
        lambda _cls, a, b, c, d, e, f, g, h, i, j, k, l: _tuple_new(_cls, (a, b, c, d, e, f, g, h, i, j, k, l)),  # noqa: E741
        lambda _cls, a, b, c, d, e, f, g, h, i, j, k, l, m: _tuple_new(_cls, (a, b, c, d, e, f, g, h, i, j, k, l, m)),  # noqa: E741
        lambda _cls, a, b, c, d, e, f, g, h, i, j, k, l, m, n: _tuple_new(_cls, (a, b, c, d, e, f, g, h, i, j, k, l, m, n)),  # noqa: E741, E501
        lambda _cls, a, b, c, d, e, f, g, h, i, j, k, l, m, n, o: _tuple_new(_cls, (a, b, c, d, e, f, g, h, i, j, k, l, m, n, o)),  # noqa: E741, E501
        lambda _cls, a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p: _tuple_new(_cls, (a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p)),  # noqa: E741, E501
        lambda _cls, a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, q: _tuple_new(_cls, (a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, q)),  # noqa: E741, E501
        lambda _cls, a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, q, r: _tuple_new(_cls, (a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, q, r)),  # noqa: E741, E501
        lambda _cls, a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, q, r, s: _tuple_new(_cls, (a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, q, r, s)),  # noqa: E741, E501
        lambda _cls, a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, q, r, s, t: _tuple_new(_cls, (a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, q, r, s, t)),  # noqa: E741, E501
        lambda _cls, a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, q, r, s, t, u: _tuple_new(_cls, (a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, q, r, s, t, u)),  # noqa: E741, E501
        lambda _cls, a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, q, r, s, t, u, v: _tuple_new(_cls, (a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, q, r, s, t, u, v)),  # noqa: E741, E501
        lambda _cls, a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, q, r, s, t, u, v, w: _tuple_new(_cls, (a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, q, r, s, t, u, v, w)),  # noqa: E741, E501
        lambda _cls, a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, q, r, s, t, u, v, w, x: _tuple_new(_cls, (a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, q, r, s, t, u, v, w, x)),  # noqa: E741, E501
        lambda _cls, a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, q, r, s, t, u, v, w, x, y: _tuple_new(_cls, (a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, q, r, s, t, u, v, w, x, y)),  # noqa: E741, E501
        lambda _cls, a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, q, r, s, t, u, v, w, x, y, z: _tuple_new(_cls, (a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, q, r, s, t, u, v, w, x, y, z)),  # noqa: E741, E501
        lambda _cls, a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, q, r, s, t, u, v, w, x, y, z, aa: _tuple_new(_cls, (a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, q, r, s, t, u, v, w, x, y, z, aa)),  # noqa: E741, E501
        lambda _cls, a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, q, r, s, t, u, v, w, x, y, z, aa, ab: _tuple_new(_cls, (a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, q, r, s, t, u, v, w, x, y, z, aa, ab)),  # noqa: E741, E501
        lambda _cls, a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, q, r, s, t, u, v, w, x, y, z, aa, ab, ac: _tuple_new(_cls, (a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, q, r, s, t, u, v, w, x, y, z, aa, ab, ac)),  # noqa: E741, E501
        lambda _cls, a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, q, r, s, t, u, v, w, x, y, z, aa, ab, ac, ad: _tuple_new(_cls, (a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, q, r, s, t, u, v, w, x, y, z, aa, ab, ac, ad)),  # noqa: E741, E501
        lambda _cls, a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, q, r, s, t, u, v, w, x, y, z, aa, ab, ac, ad, ae: _tuple_new(_cls, (a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, q, r, s, t, u, v, w, x, y, z, aa, ab, ac, ad, ae)),  # noqa: E741, E501
        lambda _cls, a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, q, r, s, t, u, v, w, x, y, z, aa, ab, ac, ad, ae, af: _tuple_new(_cls, (a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, q, r, s, t, u, v, w, x, y, z, aa, ab, ac, ad, ae, af)),  # noqa: E741, E501
    ))

    # Python 3.13 gave namedtuples ``__replace__`` (``copy.replace``) and made ``_replace`` raise TypeError for an
    # unknown field (ValueError before)
    _HAS_REPLACE_PROTOCOL = sys.version_info >= (3, 13)
    _UNKNOWN_FIELD_ERROR = TypeError if _HAS_REPLACE_PROTOCOL else ValueError

    # the field properties' docstrings, interned as namedtuple interns them (made here once, not once per field)
    _ALIAS_DOCS = tuple(map(sys.intern, map("Alias for field number {}".format, range(len(_NEW_CODE)))))
    _KEYWORDS = frozenset(kwlist)

    def _name_error(typename: str, field_names: list[str]) -> None:
        """namedtuple's error for the first bad name (called when the quick test in ``_make_class`` failed)."""
        for name in [typename, *field_names]:
            if not name.isidentifier():
                raise ValueError(f"Type names and field names must be valid identifiers: {name!r}")
            if iskeyword(name):
                raise ValueError(f"Type names and field names cannot be a keyword: {name!r}")
        for name in field_names:  # the names are an annotations dict's keys: never duplicated
            if name.startswith("_"):
                raise ValueError(f"Field names cannot start with an underscore: {name!r}")

    def _make_class(typename: str, field_names: list[str], defaults: tuple[Any, ...], module: str,
                    after: dict[str, Any] | None) -> type:
        """The class ``collections.namedtuple(typename, field_names, defaults=defaults, module=module)`` returns,
        with the items of ``after`` (if any) then set on it in their order, as ``setattr`` would set them
        (``_RecordMeta`` passes only items for which that is the same as having them in the class's namespace)."""
        typename = sys.intern(typename)
        # namedtuple's checks (its error names the first bad name: ``_name_error`` finds it)
        if not typename.isidentifier() or not _KEYWORDS.isdisjoint(field_names) or typename in _KEYWORDS:
            _name_error(typename, field_names)
        for name in field_names:
            if not name.isidentifier() or name[:1] == "_":
                _name_error(typename, field_names)
        if len(defaults) > len(field_names):
            raise TypeError("Got more default values than field names")
        fields = tuple(map(sys.intern, field_names))
        count = len(fields)
        arg_list = ", ".join(fields) + ("," if count == 1 else "")
        repr_format = f"({'=%r, '.join(fields)}=%r)" if count else "()"

        # __new__: namedtuple's function, its code taken from ``_NEW_CODE`` when there is one
        new_globals = {"_tuple_new": _tuple_new, "__builtins__": {}, "__name__": f"namedtuple_{typename}"}
        if count < len(_NEW_CODE):
            template = _NEW_CODE[count]
            code = template.replace(co_varnames=("_cls", *fields), co_filename="<string>", co_firstlineno=1,
                                    co_flags=template.co_flags & ~_POSTPONED_ANNOTATIONS)
            new = FunctionType(code, new_globals, "__new__", defaults)
        else:  # compiled without this module's ``from __future__`` flag, as namedtuple's ``eval`` compiles it
            source = f"lambda _cls, {arg_list}: _tuple_new(_cls, ({arg_list}))"
            new = eval(compile(source, "<string>", "eval", dont_inherit=True), new_globals)
            new.__name__ = "__new__"
            new.__defaults__ = defaults
        new.__doc__ = f"Create new instance of {typename}({arg_list})"

        # the methods are namedtuple's, without annotations as there (``__annotations__`` is part of the likeness;
        # mypy reads the ``TYPE_CHECKING`` branch and never this one)
        def _make(cls, iterable):
            result = _tuple_new(cls, iterable)
            if len(result) != count:
                raise TypeError(f"Expected {count} arguments, got {len(result)}")
            return result

        def _replace(self, /, **kwds):
            result = self._make(map(kwds.pop, fields, self))
            if kwds:
                raise _UNKNOWN_FIELD_ERROR(f"Got unexpected field names: {list(kwds)!r}")
            return result

        def __repr__(self):
            "Return a nicely formatted representation string"
            return self.__class__.__name__ + repr_format % self

        def _asdict(self):
            "Return a new dict which maps field names to their values."
            return dict(zip(self._fields, self, strict=False))  # as namedtuple: no length check

        def __getnewargs__(self):
            "Return self as a plain tuple.  Used by copy and pickle."
            return tuple(self)

        _make.__doc__ = f"Make a new {typename} object from a sequence or iterable"
        _replace.__doc__ = f"Return a new {typename} object replacing specified fields with new values"
        new.__qualname__ = typename + ".__new__"
        _make.__qualname__ = typename + "._make"
        _replace.__qualname__ = typename + "._replace"
        __repr__.__qualname__ = typename + ".__repr__"
        _asdict.__qualname__ = typename + "._asdict"
        __getnewargs__.__qualname__ = typename + ".__getnewargs__"

        namespace: dict[str, Any] = {
            "__doc__": f"{typename}({arg_list})",
            "__slots__": (),
            "_fields": fields,
            # as long as ``defaults`` (checked above): zip's ``strict`` would only add the cost of its keyword
            "_field_defaults": dict(zip(fields[count - len(defaults):], defaults)) if defaults else {},  # noqa: B905
            "__new__": new,
            "_make": classmethod(_make),
        }
        if _HAS_REPLACE_PROTOCOL:
            namespace["__replace__"] = _replace
        namespace.update(_replace=_replace, __repr__=__repr__, _asdict=_asdict, __getnewargs__=__getnewargs__,
                         __match_args__=fields)
        docs = _ALIAS_DOCS if count <= len(_ALIAS_DOCS) else (
            *_ALIAS_DOCS, *(sys.intern(f"Alias for field number {i}") for i in range(len(_ALIAS_DOCS), count)))
        for index, name in enumerate(fields):
            namespace[name] = _tuplegetter(index, docs[index])
        # namedtuple sets ``__module__`` once the class is made, which adds it last to the class's dictionary
        # (``type`` adds the caller's module there); named in the namespace, it is in the same place
        namespace["__module__"] = module
        if after:
            namespace.update(after)
        return type(typename, (tuple,), namespace)

    def _record_class(typename: str, field_names: list[str], defaults: tuple[Any, ...], module: str) -> type:
        """The class ``collections.namedtuple(typename, field_names, defaults=defaults, module=module)`` returns."""
        return _make_class(typename, field_names, defaults, module, None)

    # typing's two sets (``typing._prohibited`` and ``typing._special``), spelled out: the class body may not
    # define the first; the second are kept from what namedtuple made.
    _PROHIBITED = frozenset({
        "__new__", "__init__", "__slots__", "__getnewargs__", "_fields", "_field_defaults", "_make", "_replace",
        "_asdict", "_source",
    })
    _SPECIAL = frozenset({"__module__", "__name__", "__annotations__"})

    # What ``setattr`` on the made class does for a class body's item, the item also does in the namespace
    # ``type()`` is given, unless ``type()`` treats it specially: it calls ``__set_name__`` of each value (the
    # types below have none; ``property`` has one, which names the property in its errors), makes
    # ``__init_subclass__`` and ``__class_getitem__`` class methods, sets a ``__classcell__`` (``super()`` in a
    # method), and with ``__eq__`` but no ``__hash__`` in the namespace sets ``__hash__`` to None where ``setattr``
    # keeps the tuple's hash. A class body with any of these, with a value of another type or with a name typing
    # refuses (``_PROHIBITED``: its error then comes where typing raises it) is built the way ``typing`` builds it
    # (``setattr`` after ``type()``: ``_typing_record``). ``tests/unit/test_record.py`` compares both ways.
    _PLAIN_VALUES = frozenset({str, FunctionType, classmethod, staticmethod, int, float, bool, type(None), tuple,
                               frozenset, bytes, type})
    _TYPING_WAY = _PROHIBITED | {"__init_subclass__", "__class_getitem__", "__classcell__", "__eq__"}
    _STRINGS = frozenset({str})
    """The type of every annotation the compiler writes under postponed annotations."""

    def _typing_generic() -> Any:
        """``typing.Generic``, or None while ``typing`` is not imported: guardlint's modules import it for type
        checkers only (``if TYPE_CHECKING:``), and a class body that names ``Generic`` among its bases imported it
        (so this module never imports typing itself: about 2 ms of every start-up)."""
        typing = sys.modules.get("typing")
        return typing.Generic if typing is not None else None

    def _annotation_error(typename: str, ns: dict[str, Any], annotations: dict[str, Any]) -> None:
        """typing's error for a class body's fields (called when the quick test in ``_RecordMeta`` failed), or this
        module's for an annotation that is not a string."""
        default_names: list[str] = []
        for field_name, annotation in annotations.items():
            if not isinstance(annotation, str):
                raise TypeError(
                    f"{ns['__module__']}.{typename}.{field_name}: guardlint._record.NamedTuple needs postponed "
                    "annotations (`from __future__ import annotations`); use typing.NamedTuple otherwise"
                )
            if field_name in ns:
                default_names.append(field_name)
            elif default_names:
                raise TypeError(
                    f"Non-default namedtuple field {field_name} cannot follow default field"
                    f"{'s' if len(default_names) > 1 else ''} {', '.join(default_names)}"
                )

    class _RecordMeta(type):
        """Builds ``class X(NamedTuple)`` as ``collections.namedtuple`` would (see the module documentation)."""

        def __new__(mcls, typename: str, bases: tuple[type, ...], ns: dict[str, Any]) -> type:
            if bases != (NamedTuple,) or "__orig_bases__" in ns:
                return _typing_record(typename, bases, ns)
            annotations: dict[str, Any] = dict(ns.get("__annotations__", {}))
            # the class as ``_typing_record`` makes it, its attributes in the order it sets them: given to
            # ``type()`` with namedtuple's own, which only some items allow (``_PLAIN_VALUES``)
            after: dict[str, Any] = {"__annotations__": annotations, "__orig_bases__": bases}
            n_defaults = 0
            for key, value in ns.items():
                if key in annotations:
                    n_defaults += 1
                elif key in _SPECIAL:
                    continue
                elif key in _TYPING_WAY or type(value) not in _PLAIN_VALUES:
                    return _typing_record(typename, bases, ns)
                else:
                    after[key] = value
            field_names = list(annotations)
            # the fields with a default (those the class body assigns) must be the last ones
            default_names = field_names[len(field_names) - n_defaults:]
            for name in default_names:
                if name not in ns:
                    _annotation_error(typename, ns, annotations)
            if not _STRINGS.issuperset(map(type, annotations.values())):
                _annotation_error(typename, ns, annotations)
            record = _make_class(typename, field_names, tuple(map(ns.__getitem__, default_names)),
                                 ns["__module__"], after)
            record.__new__.__annotations__ = annotations
            return record

        def __call__(cls, *args: Any, **kwargs: Any) -> Any:
            raise TypeError("guardlint._record.NamedTuple has only the class syntax: class X(NamedTuple): ...")

    def _typing_record(typename: str, bases: tuple[type, ...], ns: dict[str, Any]) -> type:
        """``class X(NamedTuple)`` built step by step as ``typing.NamedTupleMeta`` builds it: the way for generic
        records and class bodies whose items ``type()`` would treat otherwise than ``setattr``."""
        Generic = _typing_generic()
        for base in bases:
            if base is not NamedTuple and base is not Generic:
                raise TypeError("can only inherit from a NamedTuple type and Generic")
        annotations: dict[str, Any] = dict(ns.get("__annotations__", {}))
        _annotation_error(typename, ns, annotations)
        default_names = [name for name in annotations if name in ns]
        record = _make_class(typename, list(annotations), tuple(ns[n] for n in default_names), ns["__module__"],
                             None)
        record.__annotations__ = record.__new__.__annotations__ = annotations
        if Generic in bases:
            # typing assigns ``__bases__`` always; without Generic they are namedtuple's own ``(tuple,)``
            # already (every base is NamedTuple, checked above), and the assignment costs as much as a
            # third of the namedtuple (the MRO is rebuilt)
            record.__bases__ = tuple(tuple if base is NamedTuple else base for base in bases)
        if "__orig_bases__" not in ns:
            # what typing's classes carry: the bases as written (typing.NamedTuple is replaced through
            # ``__mro_entries__``, which records them); the test that no guardlint class is built by typing
            # reads it
            record.__orig_bases__ = bases
        if Generic in bases:
            record.__class_getitem__ = classmethod(Generic.__class_getitem__.__func__)
        for key, value in ns.items():
            if key in _PROHIBITED:
                raise AttributeError("Cannot overwrite NamedTuple attribute " + key)
            if key not in _SPECIAL and key not in record._fields:
                setattr(record, key, value)
        if Generic in bases:
            record.__init_subclass__()
        return record

    NamedTuple = type.__new__(_RecordMeta, "NamedTuple", (), {"__module__": __name__, "__doc__": __doc__})
