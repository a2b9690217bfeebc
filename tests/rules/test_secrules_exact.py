"""The shortcuts that make the security and schema packs cheaper (track secrules) are exact.

Each test compares the rule or helper with the plain reading it replaces (an oracle written here) on inputs
built to sit next to the shortcut's edge, so that a shortcut that skipped something it must not would
change an answer. The counting tests pin the structural win itself.
"""

from __future__ import annotations

import json
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import guardlint
from tests.helpers import settings_for

_BUDGET = settings(max_examples=100, deadline=None, database=None, derandomize=True,
                   suppress_health_check=[HealthCheck.too_slow])

# -- unpinned-image: the reference pattern runs only where a branch could yield ------------------------------

IMAGES = [
    "nginx:1.27", "nginx", "nginx:latest", "nginx:stable", "nginx:LATEST", "nginx@sha256:" + "a" * 64,
    "nginx:1.27@sha256:" + "b" * 64, "nginx@sha256:abc", "nginx:1.27@md5:zz", "registry:5000/app",
    "registry:5000/app:1.0", "registry:5000/app:latest", "$IMAGE", "$IMAGE:latest", "${REGISTRY}/app:1.0",
    "<image>:1.0", "REGION-docker.pkg.dev/PROJECT_ID/app:v1",
    "Upper/Case:1.0", "Upper/Case:latest", "app:-bad", "app:" + "x" * 129, "app:" + "x" * 128, "a:b:c", "a:b:latest",
    "  nginx:latest  ", "nginx:latest\n", "tf:latest-gpu", "app:latest_release", "app:latestness-1.0", "app:stable-1",
    ":", "@", "app@", "ghcr.io/org/app:main", "app:1.0@", "a//b:1",
]


def _image_pod(images: list[str]) -> str:
    containers = "".join(f"    - name: c{i}\n      image: {json.dumps(image)}\n" for i, image in enumerate(images))
    return f"apiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\nspec:\n  containers:\n{containers}"


def _unpinned_oracle(images: list[str], require_digest: bool, mutable: tuple[str, ...]) -> list[tuple[int, str]]:
    """The rule's judgement as written before the shortcut: the reference test first, then the branches."""
    from guardlint.rules.security.unpinned_image import (
        is_image_reference,
        is_mutable_tag,
        pinned_by_digest,
        split_image,
    )

    out = []
    for i, image in enumerate(images):
        if not is_image_reference(image.strip()):
            continue
        _, tag, digest = split_image(image.strip())
        if pinned_by_digest(digest):
            continue
        if digest is not None:
            out.append((i, "digest"))
        elif tag is None:
            out.append((i, "no tag"))
        elif is_mutable_tag(tag, frozenset(mutable)):
            out.append((i, "mutable"))
        elif require_digest:
            out.append((i, "not pinned"))
    return out


def _unpinned_found(images: list[str], require_digest: bool, mutable: tuple[str, ...]) -> list[tuple[int, str]]:
    params = {"unpinned-image": {"require_digest": require_digest, "mutable_tags": list(mutable)}}
    report = guardlint.lint_text(_image_pod(images), "p.yaml",
                                 settings=settings_for(["unpinned-image"], params))
    kinds = {"digest": "is not a valid content digest", "no tag": "with no tag", "mutable": "the mutable tag",
             "not pinned": "not pinned by digest"}
    out = []
    for f in report.findings:
        out.append((int(f.path[2]), next(k for k, text in kinds.items() if text in f.message)))
    return sorted(out)


@pytest.mark.parametrize("require_digest", [False, True])
@pytest.mark.parametrize("mutable", [("latest",), ("stable", "main"), ("1.0", "v1")])
def test_unpinned_image_reports_what_the_reference_test_first_reading_does(
    require_digest: bool, mutable: tuple[str, ...]
) -> None:
    assert _unpinned_found(IMAGES, require_digest, mutable) == _unpinned_oracle(IMAGES, require_digest, mutable)


@_BUDGET
@given(st.lists(st.lists(st.sampled_from([*"aZ09:/@._-$ <>", "sha256:", "a" * 32, "latest"]), max_size=10).map(
    "".join), min_size=1, max_size=6),
       st.booleans())
def test_unpinned_image_on_generated_references(images: list[str], require_digest: bool) -> None:
    images = [i for i in images if i.strip()]  # (a container without an image is a partial template)
    if images:
        assert _unpinned_found(images, require_digest, ("latest", "a")) == _unpinned_oracle(
            images, require_digest, ("latest", "a"))


REFERENCE_PIECES = st.sampled_from([
    *"aZz09_.-:/@+=\n $<{é", "__", "--", "._", "sha256:", "localhost:5000/", "ghcr.io/", "a" * 32, "x" * 120, "latest",
])


@settings(max_examples=1500, deadline=None, database=None, derandomize=True)
@given(st.one_of(st.lists(REFERENCE_PIECES, max_size=12).map("".join), st.text(max_size=20)))
def test_an_image_reference_is_read_as_the_pattern_reads_it(image: str) -> None:
    import re

    from guardlint.rules.security.unpinned_image import REFERENCE_PATTERN, is_image_reference

    assert is_image_reference(image) == bool(re.match(REFERENCE_PATTERN, image)), image


@pytest.mark.parametrize("image", [
    *IMAGES, "a", "a.b", "a._b", "a__b", "a___b", "a-b", "a---b", "a.-b", "-a", "a-", "A", "Host.io/a", "host.io:80/a",
    "host.io:/a", "host.io:8a/a", "host-/a", "-host/a", "ho_st/a", "a/b/c:1", "a/b/c:1:2", "a:1/b", "a@sha256:x",
    "a@:x", "a@s:", "a@s:x@y", "a@s:x:y", "a:" + "t" * 128 + "@s:x", "a:.t", "a:_t", "a:", "a\n", "a\n\n", "\na",
    "localhost:5000", "localhost:5000/a", "a:b/c", "é", "a/é",
])
def test_near_miss_references_are_read_as_the_pattern_reads_them(image: str) -> None:
    import re

    from guardlint.rules.security.unpinned_image import REFERENCE_PATTERN, is_image_reference

    assert is_image_reference(image) == bool(re.match(REFERENCE_PATTERN, image)), image


def test_a_tagged_image_is_not_matched_against_the_reference_pattern(monkeypatch: pytest.MonkeyPatch) -> None:
    """The structural win: `name:version` (the common image) never reaches the long pattern."""
    from guardlint.rules.security import unpinned_image

    asked: list[str] = []
    real = unpinned_image.is_image_reference

    def counting(image: str) -> bool:
        asked.append(image)
        return real(image)

    monkeypatch.setattr(unpinned_image, "is_image_reference", counting)
    images = ["nginx:1.27", "busybox:1.36", "nginx:latest", "nginx", "nginx@sha256:abc", "tf:latest-gpu"]
    assert _unpinned_found(images, False, ("latest",)) == [(2, "mutable"), (3, "no tag"), (4, "digest"),
                                                          (5, "mutable")]
    assert asked == ["nginx:latest", "nginx", "nginx@sha256:abc", "tf:latest-gpu"]


# -- credential names: a name that holds no first word is not split ---------------------------------------------

NAME_PIECES = st.sampled_from([
    *"aAbBkKyYtT_-. 0ß", "PASS", "WORD", "pass", "Word", "TOKEN", "token", "Token", "API", "Key", "KEY", "ACCESS",
    "SECRET", "secret", "AUTH", "PRIVATE", "ID", "FILE", "Cred", "ENTIAL", "ﬁ", "İ", "ǅ",
])


@_BUDGET
@given(st.lists(NAME_PIECES, max_size=8).map("".join),
       st.one_of(st.none(), st.lists(st.lists(NAME_PIECES, min_size=1, max_size=3).map("".join), max_size=4)))
def test_credential_names_prefilter_answers_as_the_windows_do(name: str, words: list[str] | None) -> None:
    from guardlint.rules.security._common import DEFAULT_IGNORED_SUFFIXES, DEFAULT_SECRET_WORDS, CredentialNames
    from tests.rules.test_hot_rules_exact import _reference_credential_name

    secret = DEFAULT_SECRET_WORDS if words is None else tuple(words)
    names = CredentialNames(secret, DEFAULT_IGNORED_SUFFIXES)
    assert names(name) == _reference_credential_name(name, secret, DEFAULT_IGNORED_SUFFIXES)


def test_a_name_without_a_secret_word_is_not_split(monkeypatch: pytest.MonkeyPatch) -> None:
    from guardlint.rules.security import _common

    split: list[str] = []
    real = _common.name_words

    def counting(name: str) -> list[str]:
        split.append(name)
        return real(name)

    monkeypatch.setattr(_common, "name_words", counting)
    names = _common.CredentialNames(_common.DEFAULT_SECRET_WORDS, _common.DEFAULT_IGNORED_SUFFIXES)
    verdicts = {n: names(n) for n in ("POD_NAME", "JAVA_OPTS", "dbPassword", "OAUTH_CLIENT", "apiKey", "HOME")}
    assert verdicts == {"POD_NAME": False, "JAVA_OPTS": False, "dbPassword": True, "OAUTH_CLIENT": False,
                        "apiKey": True, "HOME": False}
    assert split == ["dbPassword", "OAUTH_CLIENT", "apiKey"]  # (OAUTH holds AUTH: split, then not a word)


def test_url_credentials_need_a_scheme_separator() -> None:
    from guardlint.rules.security._common import url_with_credentials

    assert url_with_credentials("  postgres://app:s3cr3t@db:5432/app ")
    assert not url_with_credentials("app:s3cr3t@db:5432/app")
    assert not url_with_credentials("postgres:/app:s3cr3t@db")


# -- schema pack: the CRD compiler is imported only for a run that has a CRD or a schema file --------------------

CUSTOM = "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec: {size: 3}\n"
CRD = """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {kind: Widget, plural: widgets, singular: widget, listKind: WidgetList}
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              properties:
                size: {type: integer}
---
"""


def test_a_custom_resource_without_a_crd_does_not_import_the_crd_compiler(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(sys.modules, "guardlint.apischema.crd", raising=False)
    report = guardlint.lint_text(CUSTOM, "w.yaml", select=["schema"])
    assert [f.rule for f in report.findings] == ["unknown-kind"]
    assert "guardlint.apischema.crd" not in sys.modules


def test_a_crd_of_the_run_still_validates_its_custom_resources() -> None:
    report = guardlint.lint_text(CRD + CUSTOM.replace("size: 3", "size: three, colour: red"), "w.yaml",
                                 select=["schema"])
    assert sorted((f.rule, f.path) for f in report.findings) == [
        ("unknown-field", ("spec", "colour")), ("wrong-field-type", ("spec", "size"))]
    served_false = CRD.replace("served: true", "served: false")
    report = guardlint.lint_text(served_false + CUSTOM, "w.yaml", select=["schema"])
    assert [f.rule for f in report.findings] == ["removed-api"]


# -- host paths: each pattern is normalised once per run and parameters ----------------------------------------


def _host_path_oracle(path: str, patterns: list[str]) -> str | None:
    """``host_path_matches`` as written before ``HostPaths``: every pattern normalised on every call."""
    from guardlint.rules.security._common import normalize_host_path

    norm = normalize_host_path(path)
    for pattern in patterns:
        if pattern.endswith("/**"):
            base = normalize_host_path(pattern[:-3] or "/")
            if norm == base or norm.startswith(base.rstrip("/") + "/"):
                return pattern
        elif norm == normalize_host_path(pattern):
            return pattern
    return None


PATH_PIECES = st.sampled_from(["/", "//", "etc", "proc", "sys", "..", ".", " ", "a", "/**", "**", "C:\\", "var/run"])


@_BUDGET
@given(st.lists(PATH_PIECES, max_size=6).map("".join),
       st.lists(st.lists(PATH_PIECES, max_size=5).map("".join), max_size=5))
def test_host_path_patterns_match_as_before(path: str, patterns: list[str]) -> None:
    from guardlint.rules.security._common import HostPaths, host_path_matches

    assert HostPaths(patterns).first_match(path) == _host_path_oracle(path, patterns)
    assert host_path_matches(path, patterns) == _host_path_oracle(path, patterns)


def _host_path_pods(paths: list[str]) -> str:
    return "".join(
        f"---\napiVersion: v1\nkind: Pod\nmetadata: {{name: p{i}}}\nspec:\n  containers:\n    - name: c\n"
        f"      image: busybox:1.36\n      volumeMounts: [{{name: v, mountPath: /m}}]\n"
        f"  volumes:\n    - name: v\n      hostPath: {{path: {json.dumps(path)}}}\n"
        for i, path in enumerate(paths))


def test_host_path_rules_normalise_their_patterns_once_per_run(monkeypatch: pytest.MonkeyPatch) -> None:
    from guardlint.rules.security import _common
    from guardlint.rules.security.sensitive_host_path import Params as Sensitive
    from guardlint.rules.security.writable_host_path import Params as Writable

    normalised: list[str] = []
    real = _common.normalize_host_path

    def counting(path: str) -> str:
        normalised.append(path)
        return real(path)

    monkeypatch.setattr(_common, "normalize_host_path", counting)
    paths = ["/data", "/var/run/docker.sock", "/etc//kubernetes/", "/proc/sys/net", "/srv"] * 4
    report = guardlint.lint_text(_host_path_pods(paths), "p.yaml",
                                 select=["sensitive-host-path", "writable-host-path"])
    found = sorted((f.rule, f.path[3], f.message.split("(")[0]) for f in report.findings)
    assert {(rule, text.split(" mounts host path ")[-1].strip()) for rule, _, text in found
            if rule == "sensitive-host-path"} == {("sensitive-host-path", "'/var/run/docker.sock'"),
                                                  ("sensitive-host-path", "'/etc/kubernetes'"),
                                                  ("sensitive-host-path", "'/proc/sys/net'")}
    assert sum(rule == "writable-host-path" for rule, _, _ in found) == len(paths)
    patterns = len(Sensitive().paths) + len(Sensitive().writable_paths) + len(Writable().allowed_paths)
    # Each pattern once, and each volume's path once per list it is compared with: the sensitive paths, the
    # writable ones (a writable mount), the allowed ones (the old reading: every pattern again on every volume,
    # over 40 per volume).
    assert len(normalised) <= patterns + 3 * len(paths)


def test_host_paths_first_below_is_a_folder_above_an_entry() -> None:
    from guardlint.rules.security._common import HostPaths

    paths = HostPaths(("/var/lib/kubelet", "/run/containerd/**", "\\\\.\\pipe\\docker_engine"))
    assert paths.first_below("/var/lib") == "/var/lib/kubelet"
    assert paths.first_below("/var//lib/") == "/var/lib/kubelet"
    assert paths.first_below("/") == "/var/lib/kubelet"
    assert paths.first_below("/run") == "/run/containerd/**"
    assert paths.first_below("/var/lib/kubelet") is None  # the entry itself: first_match's case
    assert paths.first_below("/var/li") is None  # a name that only starts like the folder
    assert paths.first_below("/var/lib/kubelet/pods") is None  # below, not above
    assert paths.first_below("C:\\var") is None
