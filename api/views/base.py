from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.views import APIView


class ApiView(APIView):
    """A view of the API. A query parameter it does not know is a 400, not ignored: `?yaer=2024`
    would otherwise answer with every year as if it were right."""

    query_parameters: frozenset[str] = frozenset()

    def initial(self, request: Request, *args: object, **kwargs: object) -> None:
        super().initial(request, *args, **kwargs)  # authentication, scope and rate first
        unknown = sorted(set(request.query_params) - self.query_parameters)
        if unknown:
            raise ValidationError({name: [_("This query parameter is not known here.")] for name in unknown})
