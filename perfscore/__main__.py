"""``python -m perfscore``: the ``perfscore`` command, where the script is not on PATH (a
Windows user's venv without activation, for example)."""

from __future__ import annotations

import sys

from .cli.main import main

if __name__ == "__main__":
    sys.exit(main())
