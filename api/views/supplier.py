"""The supplier's endpoints: their sites, periods and lines, evidence, and submitting. Objects are
found through the portal's access helpers, so another supplier's period or file is a 404."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from api.errors import NON_FIELD, Conflict
from api.permissions import SupplierWriteScope
from api.serializers import (
    DetailSerializer,
    EvidenceSerializer,
    EvidenceUploadSerializer,
    LinesWriteSerializer,
    PeriodDetailSerializer,
    PeriodSerializer,
    ProblemsSerializer,
    SiteSerializer,
    SubmitSerializer,
)
from api.views.base import ApiView
from suppliers.models import ReportingPeriod, Supplier, User
from suppliers.selectors import (
    get_own_evidence_for_user,
    get_period_for_user,
    get_submission_for_user,
    periods_with_own_submission,
    sites_for_supplier,
    supplier_for_user,
)
from suppliers.services.evidence import evidence_add, evidence_delete
from suppliers.services.submissions import (
    StaleSubmission,
    submission_save_and_submit,
    submission_save_draft,
    submission_submit,
)

TAGS = ["supplier"]
EXAMPLE_LINE = {
    "site": "A1", "unit": "kWh", "total_electricity": "1,250,000", "onsite_renewable": "180000",
    "green_power_trading": "300000", "gec": "", "irec": "", "bmw_share_percent": "35", "certificate_ids": [],
}  # fmt: skip
LINES_EXAMPLE = OpenApiExample(
    "Two sites", value={"version": 0, "lines": [EXAMPLE_LINE, {**EXAMPLE_LINE, "site": "A2"}]}
)
SUBMIT_EXAMPLE = OpenApiExample("Submit what is saved", value={"version": 2, "declaration": True})
READ_ERRORS = {400: ProblemsSerializer, 401: DetailSerializer, 403: DetailSerializer, 429: DetailSerializer}
ONE_ERRORS = {**READ_ERRORS, 404: DetailSerializer}
WRITE_ERRORS = {**ONE_ERRORS, 409: DetailSerializer, 415: DetailSerializer}


class SupplierApiView(ApiView):
    permission_classes = [IsAuthenticated, SupplierWriteScope]


def period_response(user: User, period_id: int, *, status_code: int = status.HTTP_200_OK) -> Response:
    period = get_period_for_user(user, period_id)
    submission = get_submission_for_user(user, period_id)
    data = {"period": period, "version": submission.version if submission else 0, "submission": submission}
    return Response(PeriodDetailSerializer(data).data, status=status_code)


class SiteListView(SupplierApiView):
    @extend_schema(operation_id="sites_list", tags=TAGS, responses={200: SiteSerializer(many=True), **READ_ERRORS})
    def get(self, request: Request) -> Response:
        sites = sites_for_supplier(supplier_for_user(request.user))
        return Response(SiteSerializer(sites, many=True).data)


class PeriodListView(SupplierApiView):
    @extend_schema(
        operation_id="periods_list", tags=TAGS, responses={200: PeriodSerializer(many=True), **READ_ERRORS},
        description="Open periods, and every period the supplier has a submission for.",
    )  # fmt: skip
    def get(self, request: Request) -> Response:
        periods = periods_with_own_submission(supplier_for_user(request.user))
        return Response(PeriodSerializer(periods, many=True).data)


class PeriodDetailView(SupplierApiView):
    @extend_schema(operation_id="period_retrieve", tags=TAGS, responses={200: PeriodDetailSerializer, **ONE_ERRORS})
    def get(self, request: Request, period_id: int) -> Response:
        return period_response(request.user, period_id)


def lines_request(request: Request, period_id: int, serializer_class: type) -> tuple[Supplier, ReportingPeriod, dict]:
    """The user's supplier, the period (404 if not theirs) and the request's lines checked against the
    supplier's sites by the period page's form; a 400 with every problem otherwise."""
    supplier = supplier_for_user(request.user)
    period = get_period_for_user(request.user, period_id)
    sites = {site.code: site for site in sites_for_supplier(supplier)}
    serializer = serializer_class(data=request.data, context={"sites_by_code": sites})
    serializer.is_valid(raise_exception=True)
    return supplier, period, serializer.validated_data


class PeriodLinesView(SupplierApiView):
    @extend_schema(
        operation_id="period_lines_replace", tags=TAGS, request=LinesWriteSerializer, examples=[LINES_EXAMPLE],
        responses={200: PeriodDetailSerializer, **WRITE_ERRORS},
        description=(
            "Makes `lines` the draft's lines for the period (a site left out has no line), as the period "
            "page's Save draft does. All or nothing: one bad value saves nothing, and every problem is "
            "listed by line, site and field. 409 if the submission's version is no longer `version`."
        ),
    )  # fmt: skip
    def put(self, request: Request, period_id: int) -> Response:
        supplier, period, data = lines_request(request, period_id, LinesWriteSerializer)
        try:
            submission_save_draft(
                supplier=supplier,
                period=period,
                rows=data["lines"],
                user=request.user,
                expected_version=data["version"],
            )
        except StaleSubmission as error:
            raise Conflict(str(error)) from None
        return period_response(request.user, period_id)


class PeriodSubmitView(SupplierApiView):
    @extend_schema(
        operation_id="period_submit", tags=TAGS, request=SubmitSerializer, examples=[SUBMIT_EXAMPLE],
        responses={200: PeriodDetailSerializer, **WRITE_ERRORS},
        description=(
            "Submits the period's figures for review, with the declaration. With `lines`, saves them and "
            "submits them in one step (both or neither), as the period page's Submit does."
        ),
    )  # fmt: skip
    def post(self, request: Request, period_id: int) -> Response:
        supplier, period, data = lines_request(request, period_id, SubmitSerializer)
        version, lines = data["version"], data.get("lines")
        try:
            if lines is not None:
                submission_save_and_submit(
                    supplier=supplier, period=period, rows=lines, user=request.user, expected_version=version
                )
            else:
                submission = get_submission_for_user(request.user, period_id)
                if submission is None:
                    raise ValidationError({NON_FIELD: [_("A submission needs at least one line.")]})
                submission_submit(submission=submission, user=request.user, expected_version=version)
        except StaleSubmission as error:
            raise Conflict(str(error)) from None
        return period_response(request.user, period_id)


class PeriodEvidenceView(SupplierApiView):
    parser_classes = [MultiPartParser]

    @extend_schema(
        operation_id="period_evidence_upload", tags=TAGS, request={"multipart/form-data": EvidenceUploadSerializer},
        responses={201: EvidenceSerializer, **WRITE_ERRORS},
        description="Attaches a file to the period's draft or returned submission (save a draft first), as proof "
        "of a site's line (`site`) or of every site of the period, with its `document_type`. The same file (the "
        "same SHA-256) twice on one period is refused.",
    )  # fmt: skip
    def post(self, request: Request, period_id: int) -> Response:
        submission = get_submission_for_user(request.user, period_id)  # a 404 for a period not the supplier's
        serializer = EvidenceUploadSerializer(data=request.data, context={"supplier": supplier_for_user(request.user)})
        serializer.is_valid(raise_exception=True)
        if submission is None:
            raise ValidationError({NON_FIELD: [_("Save a draft first, then attach its evidence.")]})
        data = serializer.validated_data
        try:
            evidence = evidence_add(
                submission=submission, upload=data["file"], user=request.user, site=data.get("site"),
                document_type=data["document_type"],
            )  # fmt: skip
        except DjangoValidationError as error:
            raise ValidationError({"file": error.messages}) from None
        return Response(EvidenceSerializer(evidence).data, status=status.HTTP_201_CREATED)


class EvidenceDetailView(SupplierApiView):
    @extend_schema(
        operation_id="evidence_delete", tags=TAGS, responses={204: None, **ONE_ERRORS},
        description="Removes a file from a draft or returned submission.",
    )  # fmt: skip
    def delete(self, request: Request, evidence_id: int) -> Response:
        evidence = get_own_evidence_for_user(request.user, evidence_id)
        evidence_delete(evidence=evidence, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
