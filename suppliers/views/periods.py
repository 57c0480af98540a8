from collections.abc import Iterable

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from suppliers.models import ReportingPeriod
from suppliers.selectors import period_waits_for_supplier, periods_with_own_submission, supplier_for_user


@login_required
def period_history(request: HttpRequest) -> HttpResponse:
    """Every period of the supplier, newest first: those to report, then the others. The dashboard
    (reports.views.dashboard) shows the periods to report and the newest others."""
    supplier = supplier_for_user(request.user)
    to_report, reported = periods_split(periods_with_own_submission(supplier))
    context = {"supplier": supplier, "to_report": to_report, "reported": reported, "today": timezone.localdate()}
    return render(request, "suppliers/period_history.html", context)


def periods_split(periods: Iterable[ReportingPeriod]) -> tuple[list[ReportingPeriod], list[ReportingPeriod]]:
    """(periods still to report, the others). Each period gets `own_submission`, the supplier's
    submission or None."""
    to_report, reported = [], []
    for period in periods:
        period.own_submission = next(iter(period.own_submissions), None)
        (to_report if period_waits_for_supplier(period, period.own_submission) else reported).append(period)
    return to_report, reported
