"""Run the command line as `python -m chatbot`."""

from __future__ import annotations

import sys

from chatbot.cli import main

if __name__ == "__main__":
    sys.exit(main())
