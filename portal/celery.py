import os

from celery import Celery, Task
from celery.signals import task_prerun
from django.db import InterfaceError, OperationalError
from kombu.exceptions import OperationalError as BrokerError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.development")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# A job that meets a database or broker that is briefly away is retried, backing off; every app's
# jobs that may be retried take these options.
TRANSIENT = (OperationalError, InterfaceError, BrokerError)
RETRY = {
    "autoretry_for": TRANSIENT,
    "retry_backoff": 2,
    "retry_backoff_max": 120,
    "retry_jitter": True,
    "max_retries": 6,
    "acks_late": True,
    "reject_on_worker_lost": True,
}


@task_prerun.connect
def _record_attempt(task: Task, **kwargs: object) -> None:
    """Keeps how often a job was retried in its stored result (django-celery-results' `meta`), so
    staff see it beside a failure in the admin (reports.admin.TaskResultAdmin)."""
    task.request.meta = {**(getattr(task.request, "meta", None) or {}), "retries": task.request.retries}


def task_named(name: str) -> Task:
    """The registered task `name`: a service that queues a task names it instead of importing the
    tasks module, which imports that service (no import circle). The apps' tasks modules are
    imported on first use (Celery's autodiscovery, as a worker does at its start)."""
    if name not in app.tasks:
        app.loader.import_default_modules()
    return app.tasks[name]
