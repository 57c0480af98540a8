"""Redis hands an unacknowledged task to another worker after the visibility timeout: were that
shorter than a task may run, a slow task would run twice at once."""

from django.conf import settings

from portal.celery import app


def test_every_portal_task_has_a_time_limit_shorter_than_the_visibility_timeout() -> None:
    app.loader.import_default_modules()
    portal_tasks = {name: task for name, task in app.tasks.items() if name.startswith("reports.")}
    assert {"reports.rollup", "reports.rollup_all_years", "reports.monthly_report"} <= portal_tasks.keys()
    for name, task in portal_tasks.items():
        assert task.time_limit, f"{name} has no hard time limit"
        assert task.time_limit < settings.BROKER_VISIBILITY_TIMEOUT, name
