"""Schemas the configuration adds (``schemas:``): folders or location templates of JSON schema files in the
kubeconform layout (a checked-out CRDs catalog), and files of CustomResourceDefinitions.

A location is untrusted configuration: it is read only from the local file system (never fetched), only
regular files are read, each up to ``MAX_SCHEMA_BYTES``, and only for the kinds the run's objects use.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping

from guardlint._record import NamedTuple
from guardlint.findings import ErrorKind, InputError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

MAX_SCHEMA_BYTES = 8 * 1024 * 1024
DEFAULT_TEMPLATE = "{group}/{kind}_{version}.json"
"""The layout of kubeconform's catalogs (datreeio/CRDs-catalog): ``monitoring.coreos.com/servicemonitor_v1.json``."""


class UserSchema(NamedTuple):
    schema: Any
    structural: bool
    """True for a CRD's openAPIV3Schema (unknown fields are errors unless preserved), False for a JSON
    schema file (unknown fields are errors only where it says ``additionalProperties: false``)."""
    source: str
    preserve_unknown: bool = False
    """A CRD that keeps unknown fields everywhere (``spec.preserveUnknownFields``, see ``crd.py``)."""


def fill(template: str, api_version: str, kind: str) -> str:
    """A location template with the object's group, version and kind: ``{group}``, ``{version}``, ``{kind}``
    (lower case, as catalogs name files) and ``{Kind}`` (as written)."""
    group, _, version = api_version.rpartition("/")
    return (template.replace("{group}", group).replace("{version}", version).replace("{kind}", kind.lower())
            .replace("{Kind}", kind))


def _one_component(*values: str) -> bool:
    """Whether each value of a location template's placeholders (an object's group, version and kind: input
    as untrusted as the configuration) is one name in a path: no separator, not ``.`` or ``..``, no NUL. The
    configuration's own part of a location is checked when it is loaded (it may not leave the checkout); an
    object whose ``apiVersion`` is ``../../../../tmp/x.json/v1`` made a template of ``{group}`` read that file,
    outside the repository, and quote its ``enum`` values in findings. A ``:`` is refused too: on Windows ``C:``
    as a group makes ``{group}/{kind}.json`` a path on a drive (an API group, version or kind never holds one)."""
    return all(v not in (".", "..") and "/" not in v and "\\" not in v and "\0" not in v and ":" not in v
               for v in values)  # "/" and "\\" are both separators (os.sep is one of them)


def _read(path: str) -> tuple[Any, str | None]:
    """The parsed content of a schema file, or the reason it was not read."""
    from guardlint.source.files import NotRegularFile, leaves_repository, read_regular_file

    escape = leaves_repository(path)
    if escape is not None:  # in a checkout but leading out of it: nothing of it may reach a message
        return None, f"it is a symbolic link to a file outside the repository ({escape}), which is not read"
    try:
        raw = read_regular_file(path, MAX_SCHEMA_BYTES)
    except NotRegularFile as exc:
        if exc.too_large:
            return None, f"it is over the {MAX_SCHEMA_BYTES // (1024 * 1024)} MB limit for a schema"
        return None, exc.message
    try:
        text = raw.decode("utf-8")
        if path.endswith((".yaml", ".yml")):
            import yaml

            loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
            return [d for d in yaml.load_all(text, Loader=loader) if d is not None], None
        return json.loads(text), None
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        return None, f"it is not valid {'YAML' if path.endswith(('.yaml', '.yml')) else 'JSON'}: {exc}"
    except Exception as exc:  # a YAML error
        return None, f"it is not valid YAML: {exc}"


def _error(path: str, reason: str) -> InputError:
    return InputError(ErrorKind.UNREADABLE, path, 1, 1, f"cannot use this schema file: {reason}",
                      hint="fix or remove the file, or the 'schemas' entry that leads to it")


def load_user_schemas(
    locations: Iterable[str], keys: Iterable[tuple[str, str]]
) -> tuple[Mapping[str, UserSchema], list[InputError]]:
    """The schemas of ``keys`` (apiVersion, kind) found at ``locations``, by ``apiVersion/kind``; the first
    location that has a kind wins. Files of CustomResourceDefinitions give every kind they define."""
    from guardlint.apischema.crd import crd_versions

    found: dict[str, UserSchema] = {}
    errors: list[InputError] = []
    wanted = sorted(set(keys))
    for location in locations:
        if "{" not in location and os.path.isfile(location):
            data, reason = _read(location)
            if reason is not None:
                errors.append(_error(location, reason))
                continue
            docs = data if isinstance(data, list) else [data]
            for doc in docs:
                if isinstance(doc, dict) and doc.get("kind") == "CustomResourceDefinition":
                    for v in crd_versions(doc):
                        found.setdefault(f"{v.api_version}/{v.kind}",
                                         UserSchema(v.schema, True, location, v.preserve_unknown))
            continue
        template = location if "{" in location else os.path.join(location, DEFAULT_TEMPLATE)
        for api_version, kind in wanted:
            key = f"{api_version}/{kind}"
            if key in found or "/" not in api_version:
                continue
            if not _one_component(api_version.rpartition("/")[0], api_version.rpartition("/")[2], kind):
                continue  # a group that is a path (``../../../etc/x.json/v1``) would lead the template anywhere
            path = fill(template, api_version, kind)
            if not os.path.lexists(path):
                continue
            data, reason = _read(path)
            if reason is not None:
                errors.append(_error(path, reason))
                continue
            if isinstance(data, dict):
                found[key] = UserSchema(data, False, path)
            else:
                errors.append(_error(path, "it does not hold a JSON schema (a mapping)"))
    return found, errors
