"""``python -m minikeras`` is the ``minikeras`` command."""
import sys

from .cli import main

sys.exit(main())
