"""The WSGI entry point: gunicorn 'wsgi:app'."""
from egov import create_app

app = create_app()
