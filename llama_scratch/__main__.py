"""``python -m llama_scratch ...``: the command line (llama_scratch.tools.cli)."""

import sys

from .tools.cli import main

if __name__ == "__main__":
    sys.exit(main())
