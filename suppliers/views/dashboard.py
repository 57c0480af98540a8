from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from suppliers.selectors import periods_for_dashboard, sites_for_supplier, supplier_for_user


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    if request.user.is_staff:
        return redirect("admin:index")
    supplier = supplier_for_user(request.user)
    context = {
        "supplier": supplier,
        "sites": sites_for_supplier(supplier),
        "periods": periods_for_dashboard(supplier),
    }
    return render(request, "suppliers/dashboard.html", context)
