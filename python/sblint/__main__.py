"""``python -m sblint ARGS``: runs the sblint binary this package installed."""

import sys

from sblint import _main

if __name__ == "__main__":
    sys.exit(_main())
