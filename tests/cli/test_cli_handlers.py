"""``cli._ErrorHandler`` and ``cli._CollectorPaused`` are classes (contextlib is not imported by a plain run); they
behave as the ``contextlib.contextmanager`` generators they replaced, which this file keeps as the reference."""

from __future__ import annotations

import gc
import io
import os
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from guardlint import cli
from guardlint.errors import ConfigError, UsageError


@contextmanager
def _reference_error_handler(err: io.StringIO) -> Iterator[None]:
    """The generator ``cli`` had (before it became ``_ErrorHandler``), word for word."""
    from guardlint._printable import printable_lines
    from guardlint.errors import GuardlintError

    try:
        yield
    except GuardlintError as exc:
        err.write(f"guardlint: error: {printable_lines(exc.command_line())}\n")
        raise cli._Exit(cli.EXIT_ERROR) from None
    except KeyboardInterrupt:
        err.write("guardlint: interrupted\n")
        raise cli._Exit(cli.EXIT_INTERRUPTED) from None
    except BrokenPipeError:
        raise cli._Exit(cli.EXIT_OK) from None
    except Exception as exc:
        if os.environ.get("GUARDLINT_DEBUG"):
            raise
        err.write(
            f"guardlint: internal error: {type(exc).__name__}: {exc}\n"
            "  this is a bug; please report it with the input that triggers it (GUARDLINT_DEBUG=1 shows the "
            "traceback)\n"
        )
        raise cli._Exit(cli.EXIT_INTERNAL) from None


RAISED = [
    None, UsageError("bad\x1b[31m flag"), ConfigError("line one\nline two"), KeyboardInterrupt(), BrokenPipeError(),
    ValueError("boom"), StopIteration(), RuntimeError("x"), cli._Exit(5), SystemExit(3), GeneratorExit(),
]


def _outcome(handler: type | object, raised: BaseException | None) -> tuple[object, ...]:
    err = io.StringIO()
    try:
        with handler(err):  # type: ignore[operator]
            if raised is not None:
                raise raised
    except cli._Exit as exit_:
        return ("exit", exit_.code if hasattr(exit_, "code") else exit_.args, exit_.__suppress_context__,
                exit_ is raised, err.getvalue())
    except BaseException as exc:  # what propagates, compared
        return ("raised", exc is raised, err.getvalue())
    return ("none", err.getvalue())


@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize("raised", RAISED, ids=lambda r: type(r).__name__)
def test_the_error_handler_behaves_as_the_generator_did(raised: BaseException | None, debug: bool,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    if debug:
        monkeypatch.setenv("GUARDLINT_DEBUG", "1")
    else:
        monkeypatch.delenv("GUARDLINT_DEBUG", raising=False)
    assert _outcome(cli._ErrorHandler, raised) == _outcome(_reference_error_handler, raised)


@pytest.mark.parametrize("enabled", [True, False])
@pytest.mark.parametrize("fail", [False, True])
def test_the_collector_is_paused_and_restored(enabled: bool, fail: bool) -> None:
    was = gc.isenabled()
    try:
        gc.enable() if enabled else gc.disable()
        with pytest.raises(ValueError) if fail else _nothing(), cli._CollectorPaused():
            assert not gc.isenabled()
            if fail:
                raise ValueError("x")
        assert gc.isenabled() is enabled
    finally:
        gc.enable() if was else gc.disable()


@contextmanager
def _nothing() -> Iterator[None]:
    yield
