from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT / "src") not in sys.path:  # running the tests from a checkout without installing
    sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("NO_COLOR", "1")
