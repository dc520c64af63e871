"""WSGI entry point: `gunicorn wsgi:app`."""

from hia_service import create_app

app = create_app()
