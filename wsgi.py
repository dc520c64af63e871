"""WSGI entry point: `gunicorn wsgi:app`."""

import sys

from hia_service import create_app
from hia_service.domain.framework.source import RulesError

try:
    app = create_app()
except RulesError as error:  # the list of problems is the message: a traceback above it only hides it
    sys.stderr.write(f"The rules are not valid, so the service cannot start.\n{error}\n")
    sys.stderr.write("Correct them and run `hia rules check`, then start the service again.\n")
    raise SystemExit(1) from None
