"""Bulk upload: the Excel template, the upload with its problem report or preview, the confirmation."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from suppliers.forms.uploads import SubmissionUploadForm
from suppliers.selectors import supplier_for_user
from suppliers.services.spreadsheets import FileRefused
from suppliers.services.uploads import get_pending_upload_for_user, supplier_upload_confirm, supplier_upload_preview

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
def upload_template(request: HttpRequest) -> HttpResponse:
    supplier = supplier_for_user(request.user)
    from suppliers.services.templates import submission_template_build  # openpyxl, with the first template

    response = HttpResponse(submission_template_build(supplier=supplier), content_type=XLSX_CONTENT_TYPE)
    # The supplier code is letters, digits, dots, dashes and underscores: safe in the header.
    response["Content-Disposition"] = f'attachment; filename="submission-template-{supplier.code}.xlsx"'
    return response


@login_required
def upload(request: HttpRequest) -> HttpResponse:
    supplier_for_user(request.user)
    form = SubmissionUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        file = form.cleaned_data["file"]
        try:
            preview = supplier_upload_preview(user=request.user, content=file.read(), filename=file.name)
        except FileRefused as refused:
            context = {"form": SubmissionUploadForm(), "problems": refused.problems, "filename": file.name}
            return render(request, "suppliers/upload.html", context)
        return render(request, "suppliers/upload_preview.html", {"preview": preview})
    return render(request, "suppliers/upload.html", {"form": form})


@login_required
@require_POST
def upload_confirm(request: HttpRequest) -> HttpResponse:
    pending = get_pending_upload_for_user(request.user, request.POST.get("token", ""))
    try:
        result = supplier_upload_confirm(user=request.user, upload=pending)
    except FileRefused as refused:
        context = {"form": SubmissionUploadForm(), "problems": refused.problems, "filename": pending.filename}
        return render(request, "suppliers/upload.html", context)
    messages.success(
        request,
        _("%(n)d line(s) saved as drafts: %(new)d new, %(replaced)d replaced. Submit each period when it is complete.")
        % {"n": result.lines, "new": result.lines_created, "replaced": result.lines_replaced},
    )
    return redirect("dashboard")
