from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from suppliers.selectors import periods_reported, periods_to_report, supplier_for_user


@login_required
def period_history(request: HttpRequest) -> HttpResponse:
    """Every period of the supplier, newest first: those to report, then the others. The dashboard
    (reports.views.dashboard) shows the same periods to report and the newest of the others."""
    supplier = supplier_for_user(request.user)
    context = {
        "supplier": supplier,
        "to_report": periods_to_report(supplier),
        "reported": periods_reported(supplier),
        "today": timezone.localdate(),
    }
    return render(request, "suppliers/period_history.html", context)
