"""Every error of the API as JSON: `detail`, and for invalid input `errors`, one entry per problem
naming the line (its index in `lines` and its site), the field and the reason."""

import logging
from collections.abc import Iterator

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import status
from rest_framework.exceptions import APIException, NotFound, ParseError, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView, exception_handler

NON_FIELD = "non_field_errors"
logger = logging.getLogger(__name__)


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = gettext_lazy("Someone else changed this since you read it.")
    default_code = "conflict"


class UnknownEndpointView(APIView):
    """Any other path under /api/v1/: a JSON 404 (Django's would be an HTML page)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    def initial(self, request: Request, *args: object, **kwargs: object) -> None:
        raise NotFound()


def _leaves(detail: object, path: tuple) -> Iterator[tuple[tuple, str]]:
    if isinstance(detail, dict):
        for key, value in detail.items():
            yield from _leaves(value, (*path, key))
    elif isinstance(detail, list):
        if all(not isinstance(item, (dict, list)) for item in detail):
            for item in detail:
                yield path, str(item)
        else:
            for index, item in enumerate(detail):
                yield from _leaves(item, (*path, index))
    else:
        yield path, str(detail)


def problems_list(detail: object, data: object) -> list[dict]:
    """DRF's nested error detail as a flat list of {line, site, field, message}."""
    lines = data.get("lines") if isinstance(data, dict) else None
    problems = []
    for path, message in _leaves(detail, ()):
        line = site = None
        rest = list(path)
        if len(rest) >= 2 and rest[0] == "lines" and isinstance(rest[1], int):
            line, rest = rest[1], rest[2:]
            row = lines[line] if isinstance(lines, list) and line < len(lines) else None
            if isinstance(row, dict) and isinstance(row.get("site"), str):
                site = row["site"]
        names = [str(part) for part in rest if part != NON_FIELD]
        problems.append({"line": line, "site": site, "field": ".".join(names) or None, "message": message})
    return problems


def api_exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, DjangoValidationError):
        # A service's refusal (a period that overlaps, a submission no longer editable, a bad file).
        exc = ValidationError({NON_FIELD: exc.messages})
    if isinstance(exc, RequestDataTooBig):  # Django's limit, met when DRF reads the body
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        exc = ParseError(_("The request body is larger than %(limit)d bytes.") % {"limit": limit})
    response = exception_handler(exc, context)
    if response is None:
        # Not an API exception: a bug. Logged with its traceback; the client gets JSON, not an HTML page.
        logger.error("API error in %s", context.get("view"), exc_info=exc)
        return Response(
            {"detail": _("The server failed to answer this request; it has been logged.")},
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )
    if (
        response is not None
        and response.status_code == status.HTTP_400_BAD_REQUEST
        and not isinstance(exc, ValidationError)
    ):
        # A body that is not JSON, or not multipart: the same shape as any other refused request.
        exc = ValidationError({NON_FIELD: [response.data["detail"]]})
    if response is not None and isinstance(exc, ValidationError):
        request = context.get("request")
        # The parsed body, to name each line's site; not request.data, which re-raises a parse error.
        data = getattr(request, "_full_data", None)
        response.data = {
            "detail": _("The request was refused and nothing was changed; its problems are listed in “errors”."),
            "errors": problems_list(exc.detail, data),
        }
    return response
