"""``python -m optim``: see :mod:`optim.cli`."""

import sys

from optim.cli import main

sys.exit(main())
