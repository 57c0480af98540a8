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
    # After the nightly roll-up, before the working day: staff read it on the first morning of the month.
    ScheduledJob(
        name="Monthly status report",
        task="reports.monthly_report",
        minute="0",
        hour="7",
        day_of_month="1",
        description="Coverage of the open periods, what is overdue, open flags and the year so far, for the month "
        "just ended; PDF and XLSX emailed to the report recipients (once per month and recipient).",
    ),
    # A year's reports are due on 31 March of the next year (suppliers need their annual bills and
    # certificates first); two weeks later the late submissions are reviewed and the nightly
    # roll-up has them, and the company's own annual reporting still has time to use the report.
    ScheduledJob(
        name="Annual report",
        task="reports.annual_report",
        minute="0",
        hour="7",
        day_of_month="15",
        month_of_year="4",
        description="The previous year against the published figure, trend, decomposition, breakdowns, method and "
        "factors; PDF and XLSX emailed to the report recipients (once per year and recipient).",
    ),
    # Daily at the start of suppliers' working day (China); each reminder is sent once, so a day
    # missed or run twice changes nothing.
    ScheduledJob(
        name="Reminders to suppliers",
        task="reports.send_reminders",
        minute="0",
        hour="8",
        description="Before the due date, after it, and after a return: each at most once per period, supplier "
        "and user, in the user's language.",
    ),
)
