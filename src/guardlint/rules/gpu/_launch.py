"""How a container starts a model server or a distributed launcher, read from its command, args and env.

A container's process is ``command`` + ``args`` (the image's entrypoint when ``command`` is unset). This module
finds, in that argument list or in a ``sh -c`` script, the invocations of the programs whose parallel size
decides how many accelerators they use (vLLM, SGLang, Hugging Face TGI, torchrun), and the literal values of
their options. Everything is exact or absent: a value that is not a literal integer (a shell variable, an
unresolved ``$(VAR)``, a template) is not read, and a script this module cannot split into words is skipped.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping, Sequence

from guardlint._record import NamedTuple
from guardlint.model.paths import FieldPath

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

SHELLS = frozenset({"sh", "bash", "dash", "ash", "zsh", "ksh"})
SHELL_OPERATORS = frozenset({";", "&&", "||", "|", "&", "(", ")", ";;", "|&"})

VLLM_MODULES = frozenset({"vllm.entrypoints.openai.api_server", "vllm.entrypoints.api_server"})
SGLANG_MODULES = frozenset({"sglang.launch_server"})
TORCHRUN_MODULES = frozenset({"torch.distributed.run", "torch.distributed.launch"})


class Word(NamedTuple):
    """One word of a command line, and where it is written: the ``command`` or ``args`` item that holds it
    (a whole script for ``sh -c``)."""

    text: str
    path: FieldPath


class Invocation(NamedTuple):
    """A program started by the container (``program`` is ``vllm``, ``sglang``, ``tgi`` or ``torchrun``) with
    the words that follow it up to the end of its simple command."""

    program: str
    words: tuple[Word, ...]
    exec_form: bool
    """The program is the container's process itself (no shell around it): nothing else runs beside it."""


def expand_env(text: str, env: Mapping[str, str]) -> str:
    """Kubernetes' expansion of ``$(VAR)`` in ``command`` and ``args`` with the container's literal env values
    (``$$`` escapes a ``$``); a reference to an unknown variable stays as written."""
    if "$" not in text:
        return text
    out: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "$" and text.startswith("$$", i):
            out.append("$")
            i += 2
            continue
        if ch == "$" and text.startswith("$(", i):
            end = text.find(")", i + 2)
            if end != -1:
                name = text[i + 2:end]
                if name in env:
                    out.append(env[name])
                    i = end + 1
                    continue
        out.append(ch)
        i += 1
    return "".join(out)


def literal_env(container: Mapping[str, Any]) -> dict[str, str]:
    """The container's env entries whose value is known: a literal ``value``, with its ``$(VAR)`` references to
    earlier entries expanded as the kubelet does (each value is expanded with the variables defined before it in
    the list; a reference to a later or unknown variable stays as written, so such a value is left out: it may
    name an ``envFrom`` key or a service variable). Later entries win, as in the kubelet."""
    out: dict[str, str] = {}
    for item in container.get("env") or ():
        if isinstance(item, dict):
            name = item.get("name")
            if isinstance(name, str):
                value = item.get("value")
                if isinstance(value, str) and "$" in value:
                    value = expand_env(value, out)
                if isinstance(value, str) and "$(" not in value:
                    out[name] = value
                else:
                    out.pop(name, None)  # from a reference, or with a reference left: unknown here
    return out


def _argv(container: Mapping[str, Any], base: FieldPath, env: Mapping[str, str]) -> list[Word] | None:
    words: list[Word] = []
    for field in ("command", "args"):
        items = container.get(field)
        if items is None:
            continue
        if not isinstance(items, list):
            return None
        for i, item in enumerate(items):
            if not isinstance(item, (str, int, float)) or isinstance(item, bool):
                return None
            words.append(Word(expand_env(str(item), env), (*base, field, i)))
    return words


def image_program(image: Any) -> str | None:
    """The program an image's own entrypoint starts, for the images whose entrypoint is the server itself:
    vLLM's ``vllm/vllm-openai`` (``vllm serve``) and Hugging Face TGI (``text-generation-launcher``; the
    ``huggingface-text-generation-inference-*`` Deep Learning Containers pass their arguments to it)."""
    if not isinstance(image, str):
        return None
    repo = image.split("@", 1)[0]
    last = repo.rsplit("/", 1)[-1]
    if ":" in last:
        repo = repo[: len(repo) - len(last) + last.index(":")]
    if repo == "vllm/vllm-openai" or repo.endswith("/vllm/vllm-openai"):
        return "vllm"
    if repo.endswith("huggingface/text-generation-inference") or last.startswith(
        "huggingface-text-generation-inference"
    ):
        return "tgi"  # Hugging Face's image, and its Deep Learning Containers on Google Cloud (the same launcher)
    return None


def invocations(container: Mapping[str, Any], base: FieldPath, env: Mapping[str, str]) -> list[Invocation] | None:
    """Every start of a known program in the container's process, or None when the command line cannot be
    read exactly (not a list of strings, or a script that does not split into words)."""
    argv = _argv(container, base, env)
    if argv is None:
        return None
    if container.get("command") is None:
        program = image_program(container.get("image"))
        if program is not None:
            return [Invocation(program, tuple(argv), True)]
    if not argv:
        return []
    if posixpath.basename(argv[0].text) in SHELLS:
        script = _shell_script(argv)
        if script is None:
            return [] if not any(w.text == "-c" for w in argv) else None
        return _script_invocations(script)
    found = _program_at(argv, 0)
    return [Invocation(found[0], tuple(argv[found[1]:]), True)] if found else []


def _shell_script(argv: Sequence[Word]) -> Word | None:
    """The script of ``sh -c SCRIPT`` (options such as ``-e``, ``-x`` or ``-ec`` before it)."""
    for i, word in enumerate(argv[1:], start=1):
        text = word.text
        if text.startswith("-") and not text.startswith("--") and "c" in text[1:]:
            return argv[i + 1] if i + 1 < len(argv) else None
        if not text.startswith("-"):
            return None
    return None


def _script_invocations(script: Word) -> list[Invocation] | None:
    import shlex  # only for containers that run a shell script naming a known program

    text = script.text.replace("\\\n", " ")
    out: list[Invocation] = []
    for line in text.splitlines():
        lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        lexer.commenters = "#"
        try:
            tokens = list(lexer)
        except ValueError:  # an unclosed quote: not read
            return None
        command: list[Word] = []
        for token in (*tokens, ";"):
            if token in SHELL_OPERATORS:
                found = _program_at(command, 0)
                if found is not None:
                    out.append(Invocation(found[0], tuple(command[found[1]:]), False))
                command = []
            else:
                command.append(Word(token, script.path))
    return out


def _program_at(words: Sequence[Word], start: int) -> tuple[str, int] | None:
    """(program, index of its first option) of the program a simple command starts: the command itself or
    the interpreter's module, after ``exec``, ``env``, ``VAR=value`` assignments and launchers like ``python``."""
    i = start
    while i < len(words) and (words[i].text in ("exec", "env", "nohup", "time") or _is_assignment(words[i].text)):
        i += 1
    if i >= len(words):
        return None
    name = posixpath.basename(words[i].text)
    if name == "vllm" and i + 1 < len(words) and words[i + 1].text == "serve":
        return "vllm", i + 2
    if name == "text-generation-launcher":
        return "tgi", i + 1
    if name == "torchrun":
        return "torchrun", i + 1
    if name.startswith("python"):
        for j in range(i + 1, len(words) - 1):
            if words[j].text == "-m":
                module = words[j + 1].text
                if module in VLLM_MODULES:
                    return "vllm", j + 2
                if module in SGLANG_MODULES:
                    return "sglang", j + 2
                if module in TORCHRUN_MODULES:
                    return "torchrun", j + 2
                return None
            if not words[j].text.startswith("-"):
                return None
    return None


def _is_assignment(text: str) -> bool:
    name, sep, _ = text.partition("=")
    return bool(sep) and name.isidentifier()


def option(
    words: Sequence[Word], names: frozenset[str], *, underscores: bool, stop_at_script: bool = False
) -> tuple[str, Word] | None:
    """The last value given to one of the option ``names`` (``--name VALUE`` or ``--name=VALUE``), with the word
    that holds the value. ``underscores``: the parser also accepts ``_`` for ``-`` in long names (vLLM,
    SGLang, torchrun). ``stop_at_script``: the options end at the first ``.py`` script or ``-m`` module
    (torchrun's own options come before the training script's)."""
    found: tuple[str, Word] | None = None
    for i, word in enumerate(words):
        text = word.text
        if stop_at_script and (text == "-m" or text.endswith(".py")):
            break
        if not text.startswith("-"):
            continue
        flag, sep, value = text.partition("=")
        if underscores and flag.startswith("--"):
            flag = flag.replace("_", "-")
        if flag not in names:
            continue
        if sep:
            found = (value, word)
        elif i + 1 < len(words):
            found = (words[i + 1].text, words[i + 1])
    return found


def has_option(words: Sequence[Word], prefixes: Sequence[str], *, underscores: bool) -> bool:
    """Some word is an option whose name starts with one of ``prefixes``."""
    for word in words:
        text = word.text
        if not text.startswith("-"):
            continue
        flag = text.partition("=")[0]
        if underscores and flag.startswith("--"):
            flag = flag.replace("_", "-")
        if flag.startswith(tuple(prefixes)):
            return True
    return False


def positive_int(text: str) -> int | None:
    """A literal decimal integer >= 1 (``"4"``), else None (``auto``, ``gpu``, ``${TP}``, ``0``)."""
    text = text.strip()
    if not text.isdigit() or not text.isascii():
        return None
    value = int(text)
    return value if value >= 1 else None




def launcher_options(words: Sequence[Word]) -> tuple[Word, ...]:
    """torchrun's own options: the words before the training script (``train.py``) or module (``-m pkg``)."""
    for i, word in enumerate(words):
        if word.text == "-m" or word.text.endswith(".py"):
            return tuple(words[:i])
    return tuple(words)
