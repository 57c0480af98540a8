from django.conf import settings
from django.core.management.base import BaseCommand
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from reports.schedule import SCHEDULE


class Command(BaseCommand):
    help = "Installs the beat schedule of reports/schedule.py (new entries only; edits made in the admin stay)."

    def handle(self, *args: object, **options: object) -> None:
        created = 0
        for job in SCHEDULE:
            if PeriodicTask.objects.filter(name=job.name).exists():
                continue
            crontab, _ = CrontabSchedule.objects.get_or_create(
                minute=job.minute,
                hour=job.hour,
                day_of_month=job.day_of_month,
                month_of_year=job.month_of_year,
                day_of_week=job.day_of_week,
                timezone=settings.TIME_ZONE,
            )
            PeriodicTask.objects.create(name=job.name, task=job.task, crontab=crontab, description=job.description)
            created += 1
        self.stdout.write(
            f"Beat schedule: {created} new entr{'y' if created == 1 else 'ies'}, {len(SCHEDULE)} in code."
        )
