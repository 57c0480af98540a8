"""Pages of 100 rows (up to 1000 with ?page_size=). A bad page number or size is a 400, not
ignored, so that what the schema allows and what the API accepts are the same."""

from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request

MAX_PAGE_SIZE = 1000


def _number(request: Request, name: str, *, maximum: int | None = None) -> int:
    field = serializers.IntegerField(min_value=1, max_value=maximum)
    try:
        return field.run_validation(request.query_params[name])
    except ValidationError as error:
        raise ValidationError({name: error.detail}) from None


class ApiPagination(PageNumberPagination):
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def get_page_size(self, request: Request) -> int:
        if self.page_size_query_param not in request.query_params:
            return self.page_size
        return _number(request, self.page_size_query_param, maximum=MAX_PAGE_SIZE)

    def get_page_number(self, request: Request, paginator: object) -> int:
        # A number, never "last" or an empty value (which DRF would read as page 1).
        if self.page_query_param not in request.query_params:
            return 1
        return _number(request, self.page_query_param)

    def get_schema_operation_parameters(self, view: object) -> list[dict]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"]["maximum"] = MAX_PAGE_SIZE
        return parameters
