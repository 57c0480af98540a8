"""A stored run as CSV or XLSX, streamed: its suppliers, sites or regions."""

from django.contrib.auth.decorators import permission_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404

from reports.documents.exports import csv_stream, xlsx_file
from reports.models import RollupRun
from reports.selectors.runs import run_export_rows, runs_readable

EXPORT_KINDS = ("suppliers", "sites", "regions")


@permission_required("reports.view_rolluprun", raise_exception=True)
def run_export(request: HttpRequest, run_id: int, kind: str, file_format: str) -> HttpResponse:
    """A run's figures by supplier, site or region, as CSV (streamed) or XLSX."""
    if kind not in EXPORT_KINDS or file_format not in ("csv", "xlsx"):
        raise Http404
    run = get_object_or_404(runs_readable(request.user), pk=run_id, status=RollupRun.Status.SUCCEEDED)
    header, rows = run_export_rows(run, kind)
    filename = f"rollup-{run.year}-run{run.pk}-{kind}.{file_format}"
    if file_format == "csv":
        response = StreamingHttpResponse(csv_stream(header, rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    return FileResponse(
        xlsx_file(f"{run.year} {kind}", header, rows),
        as_attachment=True,
        filename=filename,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
