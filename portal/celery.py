import os

from celery import Celery, Task
from celery.signals import task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.development")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@task_prerun.connect
def _record_attempt(task: Task, **kwargs: object) -> None:
    """Keeps how often a job was retried in its stored result (django-celery-results' `meta`), so
    staff see it beside a failure in the admin (reports.admin.TaskResultAdmin)."""
    task.request.meta = {**(getattr(task.request, "meta", None) or {}), "retries": task.request.retries}
