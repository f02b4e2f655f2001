"""``python -m perfscore.cli``: the ``perfscore`` command."""

import sys

from .main import main

sys.exit(main())
