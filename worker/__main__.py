"""`python -m worker` is `news-worker`."""

import sys

from worker.cli import main

if __name__ == "__main__":  # not when a spawned child (the NER process) re-imports this module
    sys.exit(main())
