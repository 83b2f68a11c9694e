"""The app in app.py as an ASGI application: ``uvicorn asgi:app``."""
from microdot.asgi import asgi_app

from app import app

app = asgi_app(app)
