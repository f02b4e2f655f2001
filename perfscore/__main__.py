"""``python -m perfscore``: the ``perfscore`` command, as the installed script runs it."""

import sys

from .cli import main

sys.exit(main())
