"""Findings on a kustomize build -> the patch that set the field, or the line in the resource file."""

from __future__ import annotations

from collections.abc import Sequence

from yaml.nodes import Node, ScalarNode, SequenceNode

from guardlint.findings import Finding, Location, Rendered
from guardlint.model.resource import Resource, resources_of
from guardlint.render.kustomize import (
    Built,
    Kustomization,
    Patch,
    _get,
    _load,
    json6902_locate,
    patch_applies,
    smp_locate,
)
from guardlint.source.files import display_name
from guardlint.source.loader import Document

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def _value_at(obj: Any, path: Sequence[str | int]) -> Any:
    for part in path:
        if isinstance(part, int):
            obj = obj[part] if isinstance(obj, list) and 0 <= part < len(obj) else None
        else:
            obj = obj.get(part) if isinstance(obj, dict) else None
    return obj


def _span(line_offset: int, node: Node) -> Location:
    s, e = node.start_mark, node.end_mark
    return Location(line_offset + s.line + 1, s.column + 1, line_offset + e.line + 1, e.column + 1)


def _name(obj: Any) -> str:
    meta = obj.get("metadata") if isinstance(obj, dict) else None
    name = meta.get("name") if isinstance(meta, dict) else None
    return name if isinstance(name, str) else ""


class KustomizeMapper:
    """Maps findings on the documents of one overlay's build."""

    def __init__(self, source: str, stored: str, docs: Sequence[Document], built: Built,
                 members: Sequence[Kustomization], max_bytes: int) -> None:
        self.source = source
        self.stored = stored
        self.index = {d.index: i for i, d in enumerate(docs)}
        self.built = built
        self.members = members
        self.max_bytes = max_bytes
        self._files: dict[str, list[Document]] = {}
        self._patches: dict[str | None, list[tuple[int, Patch]]] | None = None
        """The chain's patches by the kind they target (None: any kind), with their place in the order tried."""
        self._applying: dict[tuple[str, tuple[str, ...]], list[Patch]] = {}

    def _applying_to(self, kind: str, names: Sequence[str]) -> list[Patch]:
        """The patches of the overlay's chain that apply to an object (``patch_applies``), in the order they are
        tried (the members outermost first, each one's patches last first). Decided once per object, not per
        finding, and only among the patches for its kind or for any kind (``patch_applies`` refuses the others):
        a chain of N patches and findings on N objects of other kinds cost N + N, not N * N."""
        key = (kind, tuple(names))
        found = self._applying.get(key)
        if found is None:
            if self._patches is None:
                self._patches = {}
                tried_order = (p for k in self.members for p in reversed(k.patches))
                for place, patch in enumerate(tried_order):
                    self._patches.setdefault(patch.kind, []).append((place, patch))
            tried = sorted((*self._patches.get(kind, ()), *self._patches.get(None, ())), key=lambda e: e[0])
            found = self._applying[key] = [patch for _, patch in tried if patch_applies(patch, kind, names)]
        return found

    def _docs(self, path: str) -> list[Document]:
        if path not in self._files:
            docs, _ = _load(path, display_name(path), self.max_bytes)
            self._files[path] = docs
        return self._files[path]

    def _source(self, path: str, kind: str, name: str) -> tuple[Document, Resource] | None:
        best: tuple[int, Document, Resource] | None = None
        for doc in self._docs(path):
            for r in resources_of(doc):
                if r.kind != kind:
                    continue
                src = r.name or ""
                score = 3 if src == name else 2 if src and src in name else 1
                if best is None or score > best[0]:
                    best = (score, doc, r)
        return (best[1], best[2]) if best is not None else None

    def __call__(self, finding: Finding, document: Document) -> Finding:
        i = self.index.get(document.index)
        rendered = Rendered(self.source, self.stored, finding.location)
        if i is None:
            return finding._replace(rendered=rendered)
        obj = self.built.objects[i]
        origin = self.built.origins[i]
        kind = str(obj.get("kind", ""))
        name = _name(obj)
        path = finding.path
        # ``at_value``: was the finding located at the value rather than the key?
        key_loc, _ = document.locate(path)
        at_value = finding.location != key_loc

        src = None
        if isinstance(origin.get("path"), str):
            src = self._source(origin["path"], kind, name)
        names = [name, (src[1].name or "") if src is not None else ""]
        if finding.exact and path:
            for patch in self._applying_to(kind, names):
                loc = json6902_locate(patch, path) if patch.json6902 else smp_locate(patch, obj, path)
                if loc is not None:
                    return finding._replace(file=patch.file, location=loc,
                                            rendered=rendered._replace(mapped_to="patch"))
        if finding.exact and path and path[-1] == "image":
            image = _value_at(obj, path)
            loc_file = self._images_entry(image) if isinstance(image, str) else None
            if loc_file is not None:
                return finding._replace(file=loc_file[0], location=loc_file[1],
                                        rendered=rendered._replace(mapped_to="patch"))
        if src is not None:
            doc, res = src
            loc, exact = doc.locate((*res.prefix, *path), at_value=at_value)
            approximate = finding.exact and not exact
            return finding._replace(file=doc.file, location=loc, document_index=doc.index,
                                    rendered=rendered._replace(mapped_to="resource", approximate=approximate))
        generator = origin.get("configuredIn")
        if isinstance(generator, str):
            for k in self.members:
                if k.file == generator and k.document is not None:
                    where, loc, exact = _generator_entry(k, origin, obj, path, self.members)
                    return finding._replace(file=where.display, location=loc,
                                            rendered=rendered._replace(mapped_to="generator",
                                                                       approximate=not exact))
        return finding._replace(rendered=rendered)

    def _images_entry(self, image: str) -> tuple[str, Location] | None:
        """The ``images`` entry of the chain that wrote the rendered ``image``: the outermost kustomization's entry
        whose resulting name (``newName``, else ``name``) is the image's name and that set its tag or digest
        (located on ``newTag``/``digest``) or, setting neither, its name (on ``newName``). kustomize applies each
        kustomization's ``images`` after those of its bases, so the outermost entry that matches decides.

        An entry that only renames (``newName`` alone) decides the name but not the tag: the kustomizations inside
        it are searched on, under the name it renamed (its ``name``), for the entry that set the tag or digest,
        which is where the finding belongs; the renaming entry is the answer only when none did."""
        rest, _, digest = image.partition("@")
        slash = rest.rfind("/")
        colon = rest.rfind(":")
        name, tag = (rest[:colon], rest[colon + 1:]) if colon > slash else (rest, "")
        renamed: tuple[str, Location] | None = None  # the outermost entry that only renamed the image
        for k in self.members:
            doc = k.document
            images = _get(doc.root, "images") if doc is not None else None
            if doc is None or not isinstance(images, SequenceNode):
                continue
            for item in images.value:
                fields = {f: _get(item, f) for f in ("name", "newName", "newTag", "digest")}
                text = {f: n.value for f, n in fields.items() if isinstance(n, ScalarNode) and isinstance(n.value, str)}
                if text.get("newName", text.get("name")) != name:
                    continue
                if "digest" in text and text["digest"] == digest:
                    node = fields["digest"]
                elif "newTag" in text and text["newTag"] == tag and not digest:
                    node = fields["newTag"]
                elif "newName" in text and "newTag" not in text and "digest" not in text:
                    node = fields["newName"]
                    assert node is not None
                    if renamed is None:
                        renamed = (k.display, _span(doc.line_offset, node))
                    if "name" not in text:
                        return renamed
                    name = text["name"]  # the kustomizations inside saw the image under its old name
                    break
                else:
                    continue
                assert node is not None
                return k.display, _span(doc.line_offset, node)
        return renamed


_GENERATOR_FIELDS = {"ConfigMapGenerator": "configMapGenerator", "SecretGenerator": "secretGenerator"}
_DATA_FIELDS = ("data", "stringData", "binaryData")


def _items(node: Node | None) -> list[Node]:
    return list(node.value) if isinstance(node, SequenceNode) else []


def _declared_keys(entry: Node) -> dict[str, ScalarNode]:
    """The data keys a generator entry declares, each with the item that declares it: a ``literals`` item
    ``KEY=VALUE`` (the key is the text before the first ``=``) and a ``files`` item ``[KEY=]path`` (without a
    key, the file's base name). ``envs`` files declare keys too, but in another file: not read here."""
    out: dict[str, ScalarNode] = {}
    for field in ("literals", "files"):
        for item in _items(_get(entry, field)):
            if not isinstance(item, ScalarNode) or not isinstance(item.value, str):
                continue
            key, eq, rest = item.value.partition("=")
            if field == "files" and not eq:
                key = rest or key.rstrip("/").rsplit("/", 1)[-1]
            if key:
                out.setdefault(key.strip(), item)
    return out


def _generator_entry(k: Kustomization, origin: dict[str, Any], obj: Any, path: Sequence[str | int],
                     members: Sequence[Kustomization] = ()) -> tuple[Kustomization, Location, bool]:
    """Where a generated object's finding belongs, in which kustomization, and whether that place is exact: the
    ``literals`` or ``files`` item that declares the reported data key (exact), else the generator entry that
    made the object, else the generator list (both approximate), in the kustomization that configured the
    generator. A key that entry does not declare may come from an overlay's entry of the same name with
    ``behavior: merge`` or ``replace`` (the origin names the base's generator): the item is looked for in the
    same list of the other kustomizations of the build (``members``, outermost first).

    The entry is the one whose ``name`` is part of the object's name (kustomize adds name prefixes and
    suffixes and a content hash around it); when several are, an entry whose declared keys are all keys of the
    object beats one whose are not, then the longest name (``app-config`` over ``app`` for
    ``prod-app-config-5g2h7c8m9k``)."""
    doc = k.document
    assert doc is not None
    by = origin.get("configuredBy")
    kind = by.get("kind") if isinstance(by, dict) else None
    key = _GENERATOR_FIELDS.get(str(kind))
    node = _get(doc.root, key) if key else None
    name = _name(obj)
    keys: set[str] = set()
    for field in _DATA_FIELDS:
        values = obj.get(field) if isinstance(obj, dict) else None
        if isinstance(values, dict):
            keys.update(str(data_key) for data_key in values)
    best: tuple[bool, int] | None = None
    target: Node | None = node
    for item in _items(node):
        gen_name = _get(item, "name")
        if not isinstance(gen_name, ScalarNode) or not isinstance(gen_name.value, str) or not gen_name.value:
            continue
        if gen_name.value not in name:
            continue
        score = (set(_declared_keys(item)) <= keys, len(gen_name.value))
        if best is None or score > best:
            best, target = score, item
    if target is None:
        return k, Location(doc.content_line, 1, doc.content_line, 1), False
    if target is not node and len(path) == 2 and path[0] in _DATA_FIELDS and isinstance(path[1], str):
        declared = _declared_keys(target).get(path[1])
        if declared is not None:
            return k, _span(doc.line_offset, declared), True
        entry_name = _get(target, "name")
        assert isinstance(entry_name, ScalarNode)
        for other in members:
            if other is k or other.document is None or not key:
                continue
            for item in _items(_get(other.document.root, key)):
                other_name = _get(item, "name")
                if isinstance(other_name, ScalarNode) and other_name.value == entry_name.value:
                    declared = _declared_keys(item).get(path[1])
                    if declared is not None:
                        return other, _span(other.document.line_offset, declared), True
    return k, _span(doc.line_offset, target), False
