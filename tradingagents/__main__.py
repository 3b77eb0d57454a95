"""``python -m tradingagents`` is the ``tradingagents`` command."""

import sys

from tradingagents.cli import main

sys.exit(main())
