"""`python -m wijkmonitor …` is the same as the `wijkmonitor` command."""

import sys

from wijkmonitor.cli import main

sys.exit(main())
