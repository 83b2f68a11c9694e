"""The app in app.py as a WSGI application: ``gunicorn wsgi:app``."""
from microdot.wsgi import wsgi_app

from app import app

app = wsgi_app(app)
