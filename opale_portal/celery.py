"""Celery application: eager by default, a real worker when CELERY_BROKER_URL is set."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opale_portal.settings")

app = Celery("opale_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
