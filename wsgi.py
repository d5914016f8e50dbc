"""WSGI entry point: `gunicorn wsgi:app` and `flask --app wsgi ...`.

Without OMBUDSMAN_ENV this is production, and an unsafe configuration refuses to start (the error lists
every unsafe setting). `flask --app wsgi check-deploy` is the one command that loads it anyway, to print
that list and exit non-zero.
"""

import sys

from ombudsman import create_app
from ombudsman.deploy import CHECK_COMMAND

app = create_app(refuse_unsafe=CHECK_COMMAND not in sys.argv[1:])
