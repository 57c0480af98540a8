"""The API's JSON parser: a body too large or nested too deeply is a 400 in the API's own error
format, never a RecursionError and an HTML 500 page.

DRF reads a JSON body straight from the request's stream, past DATA_UPLOAD_MAX_MEMORY_SIZE, which
Django applies only to request.body and forms: the parser applies it here.
"""

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


class BoundedJSONParser(JSONParser):
    def parse(self, stream: object, media_type: str | None = None, parser_context: dict | None = None) -> object:
        request = (parser_context or {}).get("request")
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0) if request is not None else 0
        except ValueError:
            length = 0
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and length > limit:
            raise ParseError(_("The request body is larger than %(limit)d bytes.") % {"limit": limit})
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(_("The JSON is nested too deeply.")) from None
