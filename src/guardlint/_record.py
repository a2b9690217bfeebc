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

Not public API: plugins and the documentation keep ``typing.NamedTuple`` (both work for a rule's ``Params``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

__all__ = ["NamedTuple"]

if TYPE_CHECKING:
    from typing import NamedTuple
else:
    from collections import namedtuple
    from typing import Any, Generic

    # typing's two sets (``typing._prohibited`` and ``typing._special``), spelled out: the class body may not
    # define the first; the second are kept from what namedtuple made.
    _PROHIBITED = frozenset({
        "__new__", "__init__", "__slots__", "__getnewargs__", "_fields", "_field_defaults", "_make", "_replace",
        "_asdict", "_source",
    })
    _SPECIAL = frozenset({"__module__", "__name__", "__annotations__"})

    class _RecordMeta(type):
        """Builds ``class X(NamedTuple)`` with ``collections.namedtuple`` (see the module documentation)."""

        def __new__(mcls, typename: str, bases: tuple[type, ...], ns: dict[str, Any]) -> type:
            for base in bases:
                if base is not NamedTuple and base is not Generic:
                    raise TypeError("can only inherit from a NamedTuple type and Generic")
            annotations: dict[str, Any] = dict(ns.get("__annotations__", {}))
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
            record = namedtuple(
                typename, list(annotations), defaults=[ns[n] for n in default_names], module=ns["__module__"]
            )
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

        def __call__(cls, *args: Any, **kwargs: Any) -> Any:
            raise TypeError("guardlint._record.NamedTuple has only the class syntax: class X(NamedTuple): ...")

    NamedTuple = type.__new__(_RecordMeta, "NamedTuple", (), {"__module__": __name__, "__doc__": __doc__})
