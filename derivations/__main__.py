"""``python -m derivations`` is the ``mlp-derivations`` command."""

import sys

from .cli import main

sys.exit(main())
