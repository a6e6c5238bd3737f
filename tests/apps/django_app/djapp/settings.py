"""Single settings module for the Django test app (tests/apps/django_app).

    chdir=tests/apps/django_app  module=djapp.wsgi:application
"""

import os
import tempfile

SECRET_KEY = "berth-integration-tests-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["*"]

ROOT_URLCONF = "djapp.urls"
WSGI_APPLICATION = "djapp.wsgi.application"

INSTALLED_APPS = []
MIDDLEWARE = [
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",  # /echo is csrf_exempt
]

# No models are used; a throwaway SQLite path keeps `manage.py check` and friends happy.
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.path.join(tempfile.gettempdir(), "berth-djapp-%d.sqlite3" % os.getuid()),
    }
}

# /echo must accept arbitrarily large bodies (tests exercise the edge's body buffering).
DATA_UPLOAD_MAX_MEMORY_SIZE = None

USE_TZ = True
APPEND_SLASH = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"stderr": {"class": "logging.StreamHandler"}},
    "loggers": {"django": {"handlers": ["stderr"], "level": "WARNING"}},
}
