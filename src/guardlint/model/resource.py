"""Kubernetes objects found in documents (``kind: List`` items become objects of their own)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from types import MappingProxyType

from guardlint._record import NamedTuple
from guardlint.findings import ResourceRef
from guardlint.model.paths import FieldPath
from guardlint.source.loader import Document

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


class Resource(NamedTuple):
    """One Kubernetes object. ``data`` is read-only by contract: rules never change it."""

    api_version: str
    kind: str
    name: str | None
    namespace: str | None
    data: Mapping[str, Any]
    document: Document
    prefix: FieldPath = ()
    """Where the object sits in its document: ``()``, or ``("items", i)`` inside a ``kind: List``."""
    group: str = ""
    """The API group: ``apps`` for ``apps/v1``, ``""`` for the core group (derived from ``api_version``)."""
    version: str = ""
    """The API version within the group: ``v1`` for ``apps/v1``."""

    @property
    def ref(self) -> ResourceRef:
        return ResourceRef(self.api_version, self.kind, self.name, self.namespace)

    @property
    def file(self) -> str:
        return self.document.file

    @property
    def labels(self) -> Mapping[str, Any]:
        return _sub_map(self.data, "labels")

    @property
    def annotations(self) -> Mapping[str, Any]:
        return _sub_map(self.data, "annotations")

    def display(self) -> str:
        """``Deployment prod/web``: kind, namespace and name, for listings."""
        return self.ref.display()

    def describe(self) -> str:
        """``Deployment 'web'`` (``Deployment <unnamed>`` without a name): how messages name the object."""
        return f"{self.kind} {self.name!r}" if self.name else f"{self.kind} <unnamed>"


def _sub_map(data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    meta = data.get("metadata")
    if isinstance(meta, dict):
        value = meta.get(key)
        if isinstance(value, dict):
            return value
    return {}


TOOL_FILES: Mapping[tuple[str, str], str] = MappingProxyType({
    ("v1", "Config"): "a kubeconfig file (client configuration)",
    ("v1", "Policy"): "a kube-scheduler policy file (scheduler configuration before Kubernetes 1.23)",
})
"""(apiVersion, kind) of files that tools read with ``apiVersion: v1`` but that no API server serves: they are
configuration, not Kubernetes objects (the core API group has no such kinds)."""


def _is_object(data: Any) -> bool:
    if not isinstance(data, dict):
        return False
    api_version, kind = data.get("apiVersion"), data.get("kind")
    return (isinstance(api_version, str) and bool(api_version) and isinstance(kind, str) and bool(kind)
            and (api_version, kind) not in TOOL_FILES and not (kind.startswith("ENC[") and _encrypted_kind(kind)))


def _encrypted_kind(kind: str) -> bool:
    """Whether SOPS encrypted the object's kind (``guardlint.model.sops``; its default encrypts every value): which
    object the file holds is known only once it is decrypted. (Asked of a kind that starts like SOPS's values:
    the module is imported only for such a file.)"""
    from guardlint.model.sops import is_ciphertext

    return is_ciphertext(kind)


def _make(data: Mapping[str, Any], document: Document, prefix: FieldPath) -> Resource:
    meta = data.get("metadata")
    name = namespace = None
    if isinstance(meta, dict):
        raw_name, raw_ns = meta.get("name"), meta.get("namespace")
        name = raw_name if isinstance(raw_name, str) else (str(raw_name) if raw_name is not None else None)
        if name is None and isinstance(meta.get("generateName"), str):
            name = str(meta["generateName"]) + "*"
        namespace = raw_ns if isinstance(raw_ns, str) and raw_ns else None
    if namespace is None and document.embedded is not None:
        namespace = document.embedded.namespace  # an Argo workflow makes the object in its own namespace
    api_version = str(data["apiVersion"])
    group, _, version = api_version.rpartition("/")
    return Resource(api_version, str(data["kind"]), name, namespace, data, document, prefix, group, version)


def resources_of(document: Document) -> Iterator[Resource]:
    """The Kubernetes objects in a document: the document itself, or each item of a ``kind: List``."""
    data = document.data
    if not _is_object(data):
        return
    kind = data["kind"]
    items = data.get("items")
    # kubectl applies the items of any list, whatever its apiVersion (a RoleList of rbac.authorization.k8s.io/v1
    # too): its decoder reads an object with an ``items`` list as a list and sends each item on its own.
    if kind.endswith("List") and isinstance(items, list):
        for i, item in enumerate(items):
            if _is_object(item):
                yield _make(item, document, ("items", i))
        return
    yield _make(data, document, ())


def skip_reason(document: Document) -> str | None:
    """Why a document is not linted (None when it holds a Kubernetes object)."""
    data = document.data
    if data is None:
        return "empty document"
    if not isinstance(data, dict):
        return f"not a mapping (a {type(data).__name__})"
    missing = [k for k in ("apiVersion", "kind") if not (isinstance(data.get(k), str) and data.get(k))]
    if missing:
        return "no " + " or ".join(missing) + " (not a Kubernetes object)"
    tool = TOOL_FILES.get((data["apiVersion"], data["kind"]))
    if tool is not None:
        return f"{tool}, not a Kubernetes object"
    if data["kind"].startswith("ENC[") and _encrypted_kind(data["kind"]):
        return "its kind is encrypted by SOPS (ENC[...]): lint the decrypted object"
    return None


_SCALAR_WORDS = {str: "a string", bool: "a boolean", int: "a number", float: "a number", list: "a list"}


def stray_documents(documents: Sequence[Document]) -> dict[Document, str]:
    """The documents of one stream (a file, standard input, a chart's output) that are neither empty nor a
    mapping, with what each is (``a string``), when the stream also holds a Kubernetes object: kubectl fails on
    such a document (``invalid object to validate``), so the stream cannot be applied. A stream with no object
    is not a manifest (a list of pre-commit hooks, a playbook) and has none."""
    found = {
        doc: _SCALAR_WORDS.get(type(doc.data), f"a {type(doc.data).__name__}")
        for doc in documents
        if doc.data is not None and not isinstance(doc.data, dict) and doc.embedded is None
    }
    if found and any(_is_object(doc.data) for doc in documents):
        return found
    return {}


_OBJECT_METADATA_KEYS = ("name", "generateName", "namespace", "labels", "annotations")

_NOT_API_OBJECTS = frozenset({"Kustomization", "Component"})
"""Kinds of files that tools read without the API server: kustomize accepts a kustomization without its
``apiVersion``."""


def incomplete_object(data: Any) -> tuple[str, FieldPath] | None:
    """Why a mapping meant to be a Kubernetes object is not one, and the path of the field that is there.

    A document is *meant* to be an object when it has object metadata (``metadata`` with a name, namespace,
    labels or annotations) and ``kind`` or ``apiVersion``; such a document with only one of the two is
    rejected by the API server and by ``kubectl``. Documents without object metadata are not Kubernetes
    objects whatever keys they have: a Helm ``Chart.yaml`` (``apiVersion: v2``, no kind), a chart's values
    (``kind: DaemonSet`` as a setting), compose files, CI workflows and tools' own configuration.
    """
    if not isinstance(data, dict):
        return None
    meta = data.get("metadata")
    if not isinstance(meta, dict) or not any(meta.get(k) is not None for k in _OBJECT_METADATA_KEYS):
        return None
    has_version = isinstance(data.get("apiVersion"), str) and bool(data["apiVersion"])
    has_kind = isinstance(data.get("kind"), str) and bool(data["kind"])
    if has_version == has_kind:
        return None
    if has_kind:
        if data["kind"] in _NOT_API_OBJECTS:
            return None
        what = "no apiVersion" if data.get("apiVersion") is None else "an apiVersion that is not a non-empty string"
        return f"object of kind {data['kind']!r} has {what}", ("kind",)
    what = "no kind" if data.get("kind") is None else "a kind that is not a non-empty string"
    return f"object of apiVersion {data['apiVersion']!r} has {what}", ("apiVersion",)


def incomplete_objects(document: Document) -> Iterator[tuple[str, FieldPath]]:
    """Objects of the document (itself, or the items of a ``kind: List``) that lack apiVersion or kind."""
    data = document.data
    found = incomplete_object(data)
    if found is not None:
        yield found
        return
    if _is_object(data) and data["kind"].endswith("List") and isinstance(data.get("items"), list):
        for i, item in enumerate(data["items"]):
            found = incomplete_object(item)
            if found is not None:
                yield f"{found[0]} (item {i} of the list)", ("items", i, *found[1])
