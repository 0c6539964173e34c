"""Run the command line: ``python -m yantai_policy``."""

import sys

from yantai_policy.cli import main

sys.exit(main())
