"""The staff download of a scheduled report's file (private storage, never a public URL)."""

from django.contrib.auth.decorators import permission_required
from django.http import FileResponse, Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from reports.models import ReportFile


@require_GET
@permission_required("reports.view_report", raise_exception=True)
def report_file_download(request: HttpRequest, file_id: int) -> FileResponse:
    record = get_object_or_404(ReportFile.objects.select_related("report"), pk=file_id)
    try:
        handle = record.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, as_attachment=True, filename=record.filename, content_type=record.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
