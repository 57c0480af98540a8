"""The staff's read-only endpoints: roll-up runs, their per-supplier results and their flags."""

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from api.permissions import StaffReadScope
from api.selectors import get_run_for_api, run_flags_for_api, run_supplier_results, runs_for_api
from api.serializers import (
    DetailSerializer,
    FlagSerializer,
    ProblemsSerializer,
    RunDetailSerializer,
    RunSerializer,
    SupplierResultSerializer,
)
from api.views.base import ApiView
from reports.models import RollupFlag, RollupRun

TAGS = ["staff"]
ERRORS = {
    400: ProblemsSerializer,
    401: DetailSerializer,
    403: DetailSerializer,
    404: DetailSerializer,
    429: DetailSerializer,
}


# Filters read from a plain dict, not the QueryDict: DRF reads an empty value in a QueryDict as
# "not given" (an HTML form's habit), and `?status=` would then list every run.
class RunFilterSerializer(serializers.Serializer):
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100)
    status = serializers.ChoiceField(required=False, choices=RollupRun.Status.choices)


class FlagFilterSerializer(serializers.Serializer):
    code = serializers.ChoiceField(required=False, choices=RollupFlag.Code.choices)


PAGES = frozenset({"page", "page_size"})


class StaffApiView(ApiView):
    permission_classes = [IsAuthenticated, StaffReadScope]


class RunListView(StaffApiView, ListAPIView):
    serializer_class = RunSerializer
    query_parameters = PAGES | set(RunFilterSerializer().fields)

    def get_queryset(self) -> QuerySet:
        filters = RunFilterSerializer(data=self.request.query_params.dict())
        filters.is_valid(raise_exception=True)
        return runs_for_api(user=self.request.user, **filters.validated_data)

    @extend_schema(
        operation_id="runs_list", tags=TAGS, parameters=[RunFilterSerializer],
        responses={200: RunSerializer(many=True), **ERRORS},
        description="Roll-up runs, newest year first, and within a year the newest run first.",
    )  # fmt: skip
    def get(self, request: Request) -> Response:
        return super().get(request)


class RunDetailView(StaffApiView):
    @extend_schema(operation_id="run_retrieve", tags=TAGS, responses={200: RunDetailSerializer, **ERRORS})
    def get(self, request: Request, run_id: int) -> Response:
        return Response(RunDetailSerializer(get_run_for_api(request.user, run_id)).data)


class RunSupplierListView(StaffApiView, ListAPIView):
    serializer_class = SupplierResultSerializer
    query_parameters = PAGES

    def get_queryset(self) -> QuerySet:
        return run_supplier_results(get_run_for_api(self.request.user, self.kwargs["run_id"]))

    @extend_schema(
        operation_id="run_suppliers_list", tags=TAGS,
        responses={200: SupplierResultSerializer(many=True), **ERRORS},
    )  # fmt: skip
    def get(self, request: Request, run_id: int) -> Response:
        return super().get(request, run_id)


class RunFlagListView(StaffApiView, ListAPIView):
    serializer_class = FlagSerializer
    query_parameters = PAGES | set(FlagFilterSerializer().fields)

    def get_queryset(self) -> QuerySet:
        filters = FlagFilterSerializer(data=self.request.query_params.dict())
        filters.is_valid(raise_exception=True)
        return run_flags_for_api(get_run_for_api(self.request.user, self.kwargs["run_id"]), **filters.validated_data)

    @extend_schema(
        operation_id="run_flags_list", tags=TAGS, parameters=[FlagFilterSerializer],
        responses={200: FlagSerializer(many=True), **ERRORS},
    )  # fmt: skip
    def get(self, request: Request, run_id: int) -> Response:
        return super().get(request, run_id)
