"""unpinned-image: a container image has no tag, uses ``latest``, or (optionally) has no digest."""

from __future__ import annotations

from collections.abc import Iterator

from guardlint._lazyre import lazy
from guardlint._record import NamedTuple
from guardlint.model.workloads import iter_all_containers
from guardlint.rules.api import Reference, Resource, RuleContext, Severity, Violation, rule
from guardlint.rules.params import param

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Annotated

_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
_DOMAIN = rf"{_LABEL}(?:\.{_LABEL})*(?::[0-9]+)?"
REFERENCE_PATTERN = (
    rf"^(?:{_DOMAIN}/)?{_COMPONENT}(?:/{_COMPONENT})*"
    r"(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@[A-Za-z0-9_+.-]+:[A-Za-z0-9=_-]+)?$"
)
"""The grammar of an image reference, as a pattern (``re.match``). ``is_image_reference`` reads it without
compiling it (the pattern is among the dearest of the pack to compile); ``tests/rules/test_secrules_exact.py``
compares the two on generated references."""
_DIGEST = lazy(r"@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$")


class Params(NamedTuple):
    require_digest: Annotated[bool, param(
        "Also report images that are not pinned by digest (`image@sha256:...`).",
    )] = False
    mutable_tags: Annotated[tuple[str, ...], param(
        "Tags that are moved on every release and so do not pin a version (with `latest` listed, its variants "
        "such as `latest-gpu` are moved too).",
        unique_items=True,
        items={"minLength": 1},
    )] = ("latest",)


def is_mutable_tag(tag: str, mutable: frozenset[str]) -> bool:
    """Whether ``tag`` is moved on every release: one of the ``mutable`` tags, or, while ``latest`` is one of
    them, ``latest`` with a variant suffix (``latest-gpu``, ``latest-py3``, ``latest_release``), which image
    publishers move like ``latest`` itself (one such tag per variant). Other tags are not extended this way:
    ``main-3f2a1b9`` names one build of a branch, not the branch."""
    return tag in mutable or ("latest" in mutable and tag.startswith(("latest-", "latest_")))


def pinned_by_digest(digest: str | None) -> bool:
    """Whether the digest part of an image reference (after ``@``) is a well-formed content digest."""
    return digest is not None and bool(_DIGEST.search("@" + digest))


_LOWER_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")
_ALNUM = _LOWER_ALNUM | frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_TAG_START = _ALNUM | {"_"}
_TAG = _ALNUM | {"_", ".", "-"}
_ALGORITHM = _ALNUM | {"_", "+", ".", "-"}
_ENCODED = _ALNUM | {"=", "_", "-"}
_DIGITS = frozenset("0123456789")


def _is_component(text: str) -> bool:
    """``_COMPONENT``: lower-case letters and digits, separated by one '.', one or two '_', or any run of '-'."""
    if not text or text[0] not in _LOWER_ALNUM or text[-1] not in _LOWER_ALNUM:
        return False
    separator = ""
    for ch in text:
        if ch in _LOWER_ALNUM:
            if separator and separator not in (".", "_", "__") and separator.strip("-"):
                return False
            separator = ""
        elif ch in "._-":
            separator += ch
        else:
            return False
    return True


def _is_label(text: str) -> bool:
    """``_LABEL``: letters, digits and '-', starting and ending with a letter or digit."""
    return bool(text) and text[0] in _ALNUM and text[-1] in _ALNUM and all(ch in _ALNUM or ch == "-" for ch in text)


def _is_domain(text: str) -> bool:
    """``_DOMAIN``: labels separated by '.', with an optional ':port'."""
    host, colon, port = text.partition(":")
    if colon and not (port and all(ch in _DIGITS for ch in port)):
        return False
    return all(_is_label(label) for label in host.split("."))


def is_image_reference(image: str) -> bool:
    """Whether ``image`` is a well-formed image reference, not a template placeholder such as ``$IMAGE``,
    ``{{inputs.parameters.image}}``, ``<image>`` or ``REGION-docker.pkg.dev/PROJECT_ID/app``: whether
    ``REFERENCE_PATTERN`` matches it, answered part by part. Neither a name nor a tag holds '@', and only a
    digest's own separator or a tag's (after the last '/') can be a ':' outside the registry's host."""
    if image.endswith("\n"):  # the pattern's `$` matches before a final line break
        image = image[:-1]
    name, at, digest = image.partition("@")
    if at:
        algorithm, separator, encoded = digest.partition(":")
        if not (separator and algorithm and encoded and all(ch in _ALGORITHM for ch in algorithm)
                and all(ch in _ENCODED for ch in encoded)):
            return False
    colon = name.rfind(":")
    if colon > name.rfind("/"):
        tag = name[colon + 1 :]
        if not (0 < len(tag) <= 128 and tag[0] in _TAG_START and all(ch in _TAG for ch in tag)):
            return False
        name = name[:colon]
    first, *rest = name.split("/")
    if not all(_is_component(part) for part in rest):
        return False
    return _is_component(first) or (bool(rest) and _is_domain(first))


def split_image(image: str) -> tuple[str, str | None, str | None]:
    """(repository, tag, digest) of an image reference; a registry port is not a tag."""
    digest = None
    if "@" in image:
        image, _, digest = image.partition("@")
    slash = image.rfind("/")
    colon = image.rfind(":")
    if colon > slash:
        return image[:colon], image[colon + 1 :], digest
    return image, None, digest


@rule(
    code="SEC020",
    name="unpinned-image",
    pods_only=True,
    title="Container image is not pinned to a version",
    severity=Severity.WARNING,
    pack="security",
    since="0.1.0",
    tags=("supply-chain", "images"),
    remediation="Pin the image to a release tag (for example nginx:1.27.3), or better to a digest (image@sha256:...).",
    params=Params,
    references=(
        Reference("Kubernetes: Images", "https://kubernetes.io/docs/concepts/containers/images/#image-names"),
    ),
)
def unpinned_image(resource: Resource, params: Params, ctx: RuleContext) -> Iterator[Violation]:
    """## What it does
    Reports container images with an invalid digest (`@sha256:123456`: the message says the digest is
    invalid rather than that the tag is missing), with no tag (which means `latest`), with a mutable tag
    such as `latest` or one of its variants (`latest-gpu`, `latest-py3`: a publisher moves each of them as
    it moves `latest`; a tag such as `main-3f2a1b9`, one build of a branch, is not extended this way), and,
    when `require-digest` is on, images that are not pinned by digest. Values that are not image references
    but placeholders filled in later (`$IMAGE`, `${IMAGE_URI}`, `{{inputs.parameters.image}}`, `<image>`,
    `REGION-docker.pkg.dev/PROJECT_ID/app`) are not reported, nor is `image: auto` on Istio's `istio-proxy`
    container (Istio's injector replaces it with the proxy image of its injection template), unless the pod
    opts out of injection (`sidecar.istio.io/inject: "false"`) or uses the host's network, which the injector
    skips: `auto` then stays the image.

    ## Why is this bad?
    A moving tag makes the manifest mean different things on different days: two nodes can run different
    code for the same Deployment, a rollback does not roll back, and a compromised upstream image is pulled
    in silently. Images without a tag also get `imagePullPolicy: Always` by default.

    ## Example
    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
    spec:
      selector:
        matchLabels: {app: web}
      template:
        metadata:
          labels: {app: web}
        spec:
          containers:
            - name: web
              image: nginx:latest
    ```

    ## Use instead
    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
    spec:
      selector:
        matchLabels: {app: web}
      template:
        metadata:
          labels: {app: web}
        spec:
          containers:
            - name: web
              image: nginx:1.27.3
    ```
    """
    mutable = frozenset(params.mutable_tags)
    for c in iter_all_containers(resource, ctx.workloads):
        image = c.data.get("image")
        if not isinstance(image, str) or c.completed_by_injector:
            continue  # Istio's `image: auto` names no image: the injector puts its proxy image there
        text = image.strip()
        _, tag, digest = split_image(text)
        if digest is None and tag is not None and not params.require_digest and not is_mutable_tag(tag, mutable):
            # The common image, `name:version`: no branch below yields for it, whatever the reference test says,
            # so that test (a long pattern) is not run. Exact: the test only decides whether to go on.
            continue
        if not is_image_reference(text):
            continue
        path = (*c.path, "image")
        if pinned_by_digest(digest):
            continue
        if digest is not None:
            yield Violation(
                path, f"{c.describe()} uses image {image!r} whose digest {digest!r} is not a valid content digest "
                "(algorithm:hex, sha256 with 64 hex digits): the image cannot be pulled, and it is not pinned",
                at_value=True,
            )
        elif tag is None:
            yield Violation(
                path, f"{c.describe()} uses image {image!r} with no tag, which pulls 'latest'", at_value=True
            )
        elif is_mutable_tag(tag, mutable):
            yield Violation(path, f"{c.describe()} uses image {image!r} with the mutable tag {tag!r}", at_value=True)
        elif params.require_digest:
            yield Violation(path, f"{c.describe()} uses image {image!r}, which is not pinned by digest", at_value=True)


RULE = unpinned_image
