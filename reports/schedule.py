"""The beat schedule, as code. `manage.py setup_schedule` installs it into django-celery-beat's
tables, where staff can then change times or switch entries off in the admin."""

from dataclasses import dataclass


@dataclass(frozen=True)
class ScheduledJob:
    name: str
    task: str
    minute: str
    hour: str
    day_of_month: str = "*"
    month_of_year: str = "*"
    day_of_week: str = "*"
    description: str = ""


# Times are Asia/Shanghai (settings.TIME_ZONE).
SCHEDULE: tuple[ScheduledJob, ...] = (
    ScheduledJob(
        name="Nightly roll-up of every year",
        task="reports.rollup_all_years",
        minute="30",
        hour="2",
        description="Recomputes every year from the baseline to the current one; unchanged inputs store nothing new.",
    ),
)
