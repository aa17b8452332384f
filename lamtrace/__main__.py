import sys

from lamtrace.cli import main

sys.exit(main())
