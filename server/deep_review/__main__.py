import sys

from deep_review.cli import main

sys.exit(main())
