"""WSGI entry point: `gunicorn kindstep.web.wsgi` in server mode, `kindstep serve` locally."""

from kindstep import boot

boot.setup(web=True)

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()
