"""``python -m sklspec``: the ``sklspec`` command."""

import sys

from sklspec.cli import main

if __name__ == "__main__":
    sys.exit(main())
