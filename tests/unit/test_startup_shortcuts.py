"""The start-up shortcuts answer exactly what the code they skip would have answered.

Patterns compiled on first use (``guardlint._lazyre``), string tests that spare a pattern (and its compiling)
when a text cannot match it, the registry's code-prefix lookup by bisection, and the built-in catalog's rules
registered without being validated again: each is compared here with the plain way on tables of inputs.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guardlint import _printable
from guardlint._lazyre import LazyPattern, lazy
from guardlint.api import make_registry
from guardlint.model import patches
from guardlint.rules.gpu import _support as gpu_support
from guardlint.rules.registry import CODE_PREFIX_RE_MATCH, Registry, validate_rule
from guardlint.source import loader

TEXTS = ["", "a", "abc", "a-b_c.d", "x\ny", "  lead", "tail  ", "Ünïcode", "tab\there", "\x00", "\x7f", "\x9f",
         "\u2028", "\ufeff", "\ud800", "\udcff", "a\u202eb", "${X}", "$(Y)", "{{ .Values.x }}", "<GPU>", "__A_B__",
         "$", "{", "{{", "}}", "<", ">", "_", "__", "___x___", "$x", "<a<b>", "{{a}", "${", "<>", "__a__",
         "patch", "PATCH", "Patch", "x-patch", "x_PATCHES.y", "dispatch", "patchy", "my.patch", "patches-z",
         "p-a-t-c-h", "ＰＡＴＣＨ", "pat\u0441h", "# Source: a/b.yaml", "#Source: x", "  # Source:  y  ", "# source: z",
         "#", "# Source:", "# Source: ", "x # Source: a", "\t# Source: t"]


def test_a_lazy_pattern_behaves_as_the_compiled_one() -> None:
    plain = re.compile(r"(?P<w>[a-z]+)-(\d+)", re.IGNORECASE)
    made = lazy(r"(?P<w>[a-z]+)-(\d+)", re.IGNORECASE)
    text = "ab-12 CD-3 x-y ef-45"
    assert made.search(text).group("w") == plain.search(text).group("w")  # type: ignore[union-attr]
    assert made.match(text).span() == plain.match(text).span()  # type: ignore[union-attr]
    assert made.fullmatch("ab-12") is not None and made.fullmatch(text) is None
    assert [m.span() for m in made.finditer(text)] == [m.span() for m in plain.finditer(text)]
    assert made.findall(text) == plain.findall(text)
    assert made.split(text, 1) == plain.split(text, 1)
    assert made.sub(r"\2", text) == plain.sub(r"\2", text)
    assert made.compiled is plain  # re's cache: the same compiled object


def test_a_lazy_pattern_compiles_on_first_use_and_then_calls_the_compiled_methods(
        monkeypatch: pytest.MonkeyPatch) -> None:
    compiled: list[str] = []
    real = re.compile

    def counting(pattern: Any, flags: int = 0) -> re.Pattern[str]:
        compiled.append(pattern)
        return real(pattern, flags)

    monkeypatch.setattr(re, "compile", counting)
    made = LazyPattern("lazy-test-[0-9]+")
    assert compiled == []
    assert made.match("lazy-test-7") is not None
    assert made.search("x lazy-test-1") is not None
    assert compiled == ["lazy-test-[0-9]+"]
    assert made.search.__self__ is real("lazy-test-[0-9]+")  # type: ignore[attr-defined]
    assert made.groups == 0  # re.Pattern's other attributes are the compiled pattern's (cli._import_yaml)
    with pytest.raises(AttributeError):
        made.not_an_attribute_of_a_pattern  # noqa: B018


def test_printable_skips_the_pattern_exactly_when_nothing_is_unsafe() -> None:
    """Every code point alone and mixed texts: the ASCII test never hides a character the pattern escapes."""
    pattern = re.compile(_printable._UNSAFE.pattern)

    def by_pattern(text: str) -> str:
        return pattern.sub(_printable._escape, text) if pattern.search(text) else text

    for code in range(0x110000):
        char = chr(code)
        assert _printable.printable(char) == by_pattern(char), hex(code)
    for a in TEXTS:
        for b in TEXTS:
            assert _printable.printable(a + b) == by_pattern(a + b)


def test_the_placeholder_test_is_the_pattern() -> None:
    pattern = re.compile(gpu_support._PLACEHOLDER.pattern)
    for a in TEXTS:
        for b in TEXTS:
            assert gpu_support.is_placeholder(a + b) == (pattern.search(a + b) is not None), a + b
    assert not gpu_support.is_placeholder(3) and not gpu_support.is_placeholder(None)


def test_the_patch_file_name_test_is_the_pattern() -> None:
    pattern = re.compile(patches._PATCH_FILE.pattern)
    folders = ["", "base/", "overlays/prod/", "Patches/"]
    for a in TEXTS:
        for b in TEXTS:
            stem = (a + b).replace("/", "_").replace("\\", "_")
            for folder in folders:
                for ext in (".yaml", ".YML", ".json", ".txt"):
                    name = folder + stem + ext
                    parts = name.split("/")
                    expected = ext.lower() in (".yaml", ".yml", ".json") and (
                        pattern.search(parts[-1].rpartition(".")[0]) is not None
                        or any(p.lower() in ("patches", "overlays") for p in parts[:-1]))
                    assert patches.named_as_patch(name) == expected, name


SOURCE_COMMENT = re.compile(r"^#\s*Source:\s*(\S.*?)\s*$")
"""The pattern ``loader._origin`` once ran on every comment line before a document."""


def _origin_by_pattern(body: str, root_line: int) -> str | None:
    for raw in body.split("\n", root_line + 1)[:root_line]:
        m = SOURCE_COMMENT.match(raw.strip())
        if m:
            return m.group(1)
    return None


SOURCE_PIECES = ["#", "Source:", "source:", "Source", ":", " ", "\t", "\r", "\x85", "\xa0", "\u2028", "\u3000",
                 "\x1c", "\ufeff", "\x00", "a/b.yaml", "x", "é", "\n", "--", "#Source:"]


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(SOURCE_PIECES), max_size=8).map("".join), st.integers(0, 3))
def test_a_helm_source_comment_is_found_as_by_the_pattern_on_any_text(body: str, root_line: int) -> None:
    assert loader._origin(body, root_line) == _origin_by_pattern(body, root_line), (body, root_line)


def test_a_helm_source_comment_is_found_as_by_the_pattern() -> None:
    pattern = SOURCE_COMMENT

    def by_pattern(body: str, root_line: int) -> str | None:
        for raw in body.split("\n", root_line + 1)[:root_line]:
            m = pattern.match(raw.strip())
            if m:
                return m.group(1)
        return None

    for a in TEXTS:
        for b in TEXTS:
            body = f"{a}\n{b}\nkind: X\n"
            for root_line in range(4):
                assert loader._origin(body, root_line) == by_pattern(body, root_line), (body, root_line)


def test_code_prefixes_find_what_a_scan_finds() -> None:
    registry = make_registry(entry_points=False)
    codes = {r.code for r in registry.rules}
    prefixes = {code[:end] for code in codes for end in range(1, len(code) + 1)}
    prefixes |= {"Z", "ZZ", "A", "SEC9", "GPU0000", "RES0", "X1"}
    for prefix in sorted(prefixes):
        expected = tuple(r for r in sorted(registry.rules, key=lambda r: r.code) if r.code.startswith(prefix))
        assert registry._with_code_prefix(prefix) == expected, prefix
        found = registry.candidates(prefix)
        if CODE_PREFIX_RE_MATCH(prefix):
            assert set(expected) <= set(found)
    # a registry not built in code order answers the same
    shuffled = Registry(tuple(reversed(registry.rules)))
    for prefix in sorted(prefixes):
        assert shuffled._with_code_prefix(prefix) == registry._with_code_prefix(prefix)


def test_the_catalog_rules_registered_unchecked_all_pass_the_check() -> None:
    """``make_registry`` does not validate the catalog's rules on every run; they are valid."""
    registry = make_registry(entry_points=False)
    assert len(registry.rules) > 100
    for r in registry.rules:
        validate_rule(r, "catalog")


# Texts for the string tests that spare a pattern: pieces of what each pattern needs, case variants, and the
# non-ASCII characters that match ASCII letters case-insensitively (Kelvin sign, long s, dotted and dotless i).
PIECES = ["change", "CHANGE", "ChAnGe", "me", "it", "-", "_", " ", "\n", "\u212a", "\u017f", "\u0130", "\u0131",
          "chan\u212ae", "$", "{{", "{", "<", ">", "__", "A", "9", "+", "-1", ".5", "Gi", "#", "Source:", "source:",
          "x", "é", "\t"]


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=6).map("".join))
def test_the_string_tests_that_spare_patterns_agree_with_them(text: str) -> None:
    from guardlint.model import ports
    from guardlint.rules.security import _common

    change = re.compile(_common._CHANGE_ME.pattern)
    assert _common._says_change(text) == (change.match(text) is not None), repr(text)
    template = re.compile(ports._TEMPLATE.pattern)
    assert ports.is_unrendered(text) == (template.search(text) is not None), repr(text)
    number = re.compile(_common._NUMBER.pattern)
    if number.match(text):  # a number starts as _NUMBER_STARTS says
        assert text.startswith(_common._NUMBER_STARTS), repr(text)
    if SOURCE_COMMENT.match(text):
        assert text.startswith("#") and "Source:" in text, repr(text)


@pytest.mark.parametrize("value", ["12", "+3", "-4.5", "10Gi", "8080", "1e3", "$HF_TOKEN", "abc123", "１２３",
                                   "changeme-now", "PLEASE-CHANGE-IT", "\u212aey-change-me"])
def test_literal_credentials_and_placeholders_as_with_the_patterns_alone(value: str) -> None:
    """``literal_credential`` and ``placeholder_kind`` answer as they did with the patterns run on every text."""
    from guardlint.rules.security import _common

    number = re.compile(_common._NUMBER.pattern)
    change = re.compile(_common._CHANGE_ME.pattern)

    def kind_by_pattern(text: str) -> str | None:
        text = text.strip()
        if not text or _common._REFERENCE.match(text) or _common._PLACEHOLDER.match(text):
            return _common.PLACEHOLDER
        if text.lower() in _common.WELL_KNOWN_DEFAULTS or change.match(text):
            return _common.WELL_KNOWN_DEFAULT
        return None

    assert _common.placeholder_kind(value) == kind_by_pattern(value)
    text = value.strip()
    skipped_as_number = bool(number.match(text))
    assert (text.startswith(_common._NUMBER_STARTS) and bool(_common._NUMBER.match(text))) == skipped_as_number


# The name checks of the model answer as the patterns they replace (each once compiled at first use). The pieces
# hold every character class edge the patterns draw (case, digits, '-', '_', '.', '$', '/'), a final newline
# (Python's '$' matches before one, Go's and so Kubernetes' does not: the names are compared with fullmatch),
# other whitespace and look-alike non-ASCII letters (the Kelvin sign, dotted I, the long s, a fullwidth digit, a
# Cyrillic 'a'), which no ASCII class accepts.
NAME_PIECES = ["a", "z", "A", "Z", "0", "9", "-", "_", ".", "$", "/", "\n", "\n\n", " ", "\t", "\u212a", "\u0130",
               "\u017f", "\uff11", "\u0430", "é", "ab", "a-b", "a.b", "--", "..", ":", "@", "x\ny", "\x00"]
PLAIN_KEY = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$-]*$")
DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
NAME_PART = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
REFERENCE_NAME = re.compile(r"[a-z0-9]([-a-z0-9.]*[a-z0-9])?")
PORT_CHARS = re.compile(r"^[-a-z0-9]*$")


def _name_checks_agree(text: str) -> None:
    from guardlint.model import missing, paths, ports, resourcenames

    assert paths._plain_key(text) == (PLAIN_KEY.match(text) is not None), repr(text)
    assert resourcenames.is_dns_subdomain(text) == (DNS_SUBDOMAIN.fullmatch(text) is not None), repr(text)
    assert resourcenames.is_name_part(text) == (NAME_PART.fullmatch(text) is not None), repr(text)
    by_pattern = len(text) > 253 or REFERENCE_NAME.fullmatch(text) is None
    assert missing.is_placeholder_name(text) == by_pattern, repr(text)
    if text and len(text) <= 15:  # where port_name_problem reaches its character test
        problem = ports.port_name_problem(text)
        has_other_chars = problem is not None and "characters other than" in problem
        assert has_other_chars == (PORT_CHARS.fullmatch(text) is None), repr(text)
        assert ports.is_port_name(text) == (ports.PORT_NAME.match(text) is not None), repr(text)


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(NAME_PIECES), max_size=7).map("".join))
def test_the_name_checks_agree_with_their_patterns(text: str) -> None:
    _name_checks_agree(text)


@settings(max_examples=1000, deadline=None)
@given(st.text(max_size=12))
def test_the_name_checks_agree_with_their_patterns_on_any_text(text: str) -> None:
    _name_checks_agree(text)


PATH_PARTS = st.one_of(st.lists(st.sampled_from(NAME_PIECES), max_size=4).map("".join), st.text(max_size=6),
                      st.integers(-3, 12), st.booleans())


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.lists(PATH_PARTS, max_size=6).map(tuple), max_size=8))
def test_dotted_paths_with_a_memo_of_keys_are_the_plain_rendering(paths: list[tuple[str | int, ...]]) -> None:
    """``to_dotted_memo`` (the text report's, one memo of key texts for every path of a rendering) renders each path
    as ``to_dotted``: a key first in one path and later in another, quoted keys, indexes and ``True``/``1``."""
    from guardlint.model.paths import to_dotted, to_dotted_memo

    keys: dict[str, str] = {}
    for path in [*paths, *paths[::-1]]:
        assert to_dotted_memo(path, keys) == to_dotted(path), path


def test_dotted_paths_with_a_memo_of_keys_on_chosen_paths() -> None:
    from guardlint.model.paths import to_dotted, to_dotted_memo

    paths = [("spec", "containers", 0, "image"), ("containers",), ("x.y/z", "spec"), ("spec", "x.y/z", True),
             ("a\\b", 'q"', 1), ("", "\n", "a\n", "$x", "-x", "_"), ("metadata", "labels", "app"), ()]
    keys: dict[str, str] = {}
    for path in paths + paths:
        assert to_dotted_memo(path, keys) == to_dotted(path)
    assert to_dotted_memo(("containers", "spec"), keys) == "containers.spec"


def test_the_name_checks_agree_with_their_patterns_on_every_character() -> None:
    for code in range(0x3000):
        for text in (chr(code), "a" + chr(code), chr(code) + "a", "a" + chr(code) + "b", "a.b" + chr(code)):
            _name_checks_agree(text)


def test_the_name_checks_on_long_names() -> None:
    """At the length limits (253 for a reference name) the checks answer as the patterns do."""
    for text in ("a" * 253, "a" * 254, "a." * 126 + "a", "a" * 252 + "\n", "-" + "a" * 252):
        _name_checks_agree(text)


SCHEMA_PATTERN_PIECES = ["^", "a", "B", "0", "-", "_", "/", ":", "\\.", ".", "\\", "$", "(", ")", "|", "*", "+",
                         "?", "[a-z]", "{2}", " ", "é", "x.y"]
SCHEMA_TEXT_PIECES = ["a", "B", "0", "-", "_", "/", ":", ".", "\\", "\n", " ", "é", "aB0", "x.y", "a/b"]


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(SCHEMA_PATTERN_PIECES), max_size=6).map("".join),
       st.lists(st.sampled_from(SCHEMA_TEXT_PIECES), max_size=6).map("".join))
def test_a_literal_prefix_pattern_is_searched_as_the_regex_would(pattern: str, text: str) -> None:
    """``schema._search``: a ``^literal`` pattern answered by ``startswith``, any other compiled; both as
    ``re.search``. An invalid pattern is an error either way."""
    from guardlint import schema

    for probe in (text, pattern[1:].replace("\\.", ".") + text):  # also a text that starts with the literal
        try:
            got: bool | type[BaseException] = schema._search(pattern, probe)
        except re.error:
            got = re.error
        try:
            want: bool | type[BaseException] = re.search(pattern, probe) is not None
        except re.error:
            want = re.error
        assert got == want, (pattern, probe)


def test_the_shipped_literal_prefix_patterns_are_never_compiled(monkeypatch: pytest.MonkeyPatch) -> None:
    """The shipped declarative rules' label prefixes take the ``startswith`` path (so a check compiles none of
    them), and the one pattern with an alternation is compiled."""
    from guardlint import schema

    compiled: list[str] = []
    real = schema._regex

    def counting(pattern: str) -> re.Pattern[str]:
        compiled.append(pattern)
        return real(pattern)

    monkeypatch.setattr(schema, "_regex", counting)
    prefix = "^failure-domain\\.beta\\.kubernetes\\.io/"
    assert schema._search(prefix, "failure-domain.beta.kubernetes.io/zone")
    assert not schema._search(prefix, "failure-domainXbeta.kubernetes.io/zone")
    assert not schema._search(prefix, "x-failure-domain.beta.kubernetes.io/zone")
    apparmor = "^container\\.apparmor\\.security\\.beta\\.kubernetes\\.io/"
    assert schema._search(apparmor, "container.apparmor.security.beta.kubernetes.io/c")
    assert compiled == []
    assert schema._search("^(a|b.+)$", "bc")
    assert compiled == ["^(a|b.+)$"]


HELM_PIECES = ["{{", "{{-", "{", "}}", "-", " ", "\t", "\n", "\u2003", "\x1c", "x", "$labels", ".", ".Values",
               ".Values2", ".Release", ".Chart", ".Capabilities", ".Files", ".Template", "include", "toYaml",
               "toYamlx", "tpl", "define", "kubele", "plegduration", "/*", "_", "é", "inputs.parameters.x"]


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.sampled_from(HELM_PIECES), max_size=8).map("".join))
def test_the_helm_action_pre_check_never_hides_a_match(text: str) -> None:
    """``loader._may_hold_action`` is False only where the pattern finds nothing (it spares the pattern there)."""
    pattern = re.compile(loader._HELM_ACTION.pattern)
    if pattern.search(text) is not None:
        assert loader._may_hold_action(text), repr(text)


def test_the_helm_action_pre_check_on_every_space_and_the_sample_s_texts() -> None:
    pattern = re.compile(loader._HELM_ACTION.pattern)
    for code in range(0x3100):
        for word in loader._ACTION_WORDS:
            text = "{{" + chr(code) + word + chr(code)
            if pattern.search(text) is not None:
                assert loader._may_hold_action(text), repr(text)
    # texts with "{{" and no Helm action: the pattern is not needed
    for text in ("runbook: .../kubeletplegduration {{ $labels.instance }}", "value: '{{inputs.parameters.x}}'"):
        assert not loader._may_hold_action(text) and pattern.search(text) is None
    assert loader._may_hold_action("{{- include \"x\" . }}") and loader._may_hold_action("{{ tpl .x . }}")


# The Ingress host check asks the model's DNS test (with ``*.`` before it for a wildcard host) where it compiled
# its own two patterns; both readings agree on every host built from the name pieces and ``*``.
WILDCARD_SUBDOMAIN = re.compile(r"\*\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from([*NAME_PIECES, "*", "*.", "a.b.c"]), max_size=7).map("".join))
def test_the_ingress_host_check_agrees_with_its_patterns(host: str) -> None:
    from guardlint.rules.schema.invalid_ingress_host import HOST_MAX, host_problem

    if len(host) > HOST_MAX:
        return
    pattern = WILDCARD_SUBDOMAIN if "*" in host else DNS_SUBDOMAIN
    assert (host_problem(host, rule_host=False) is None) == (pattern.fullmatch(host) is not None), repr(host)
