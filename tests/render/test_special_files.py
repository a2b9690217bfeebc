"""A FIFO inside a chart never blocks rendering or the mapping of findings back to templates."""

from __future__ import annotations

import contextlib
import os
import threading
from pathlib import Path
from typing import Any

import pytest

from tests.render.test_helm import VALUES, chart, check  # noqa: F401  (the chart fixture)

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")


def test_a_fifo_among_a_charts_templates_does_not_hang(chart: Path) -> None:  # noqa: F811
    fifo = chart / "templates" / "zz-helpers.tpl"
    os.mkfifo(fifo)
    (chart / "values.yaml").write_text(VALUES.replace(  # a finding mapped through an include helper
        "jobSecurity:\n  allowPrivilegeEscalation: false", "jobSecurity:\n  allowPrivilegeEscalation: true"))
    result: list[Any] = []
    worker = threading.Thread(target=lambda: result.append(check("--select", "privilege-escalation-allowed", ".")),
                              daemon=True)
    worker.start()
    worker.join(60)
    with contextlib.suppress(OSError):  # release a reader that old code left blocked in open()
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
    assert result, "guardlint blocked on a FIFO in the chart"
    code, report, _ = result[0]
    assert code == 1 and report["findings"]
