"""What the API reads and writes. Figures are checked by the period page's own form
(suppliers.forms.submissions.LineForm), so the API and the page accept and refuse the same values
with the same messages, and hand the same LineInput to the same service."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from reports.models import RollupFlag, RollupRun, RollupSupplierResult
from suppliers.forms.submissions import QUANTITY_COLUMNS, LineForm, SubmissionForm, line_serials_text
from suppliers.models import EvidenceFile, Line, ReportingPeriod, Site, Submission
from suppliers.periods import PeriodKind
from suppliers.services.submissions import LineInput
from suppliers.units import EnergyUnit

MAX_LINES = 1000
MAX_NUMBER_LENGTH = 40  # the page's limit (suppliers.forms.submissions)

# --- Reading --------------------------------------------------------------------------------


class SiteSerializer(serializers.ModelSerializer):
    class Meta:
        model = Site
        fields = ["code", "name", "province", "region"]


class SubmissionSummarySerializer(serializers.ModelSerializer):
    line_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Submission
        fields = ["status", "version", "line_count", "submitted_at", "updated_at"]


class PeriodSerializer(serializers.ModelSerializer):
    code = serializers.CharField(read_only=True)
    kind = serializers.ChoiceField(choices=PeriodKind.choices, read_only=True)
    submission = serializers.SerializerMethodField()

    class Meta:
        model = ReportingPeriod
        fields = ["id", "code", "year", "kind", "number", "due_date", "is_open", "submission"]

    @extend_schema_field(SubmissionSummarySerializer(allow_null=True))
    def get_submission(self, period: ReportingPeriod) -> dict | None:
        own = next(iter(period.own_submissions), None)
        return SubmissionSummarySerializer(own).data if own is not None else None


class LineSerializer(serializers.ModelSerializer):
    site = serializers.CharField(source="site.code", read_only=True)
    unit = serializers.CharField(source="entered_unit", read_only=True)
    entered = serializers.DictField(
        source="entered_values", child=serializers.CharField(), read_only=True,
        help_text="The quantities exactly as sent, in their unit.",
    )  # fmt: skip
    certificate_ids = serializers.SerializerMethodField()
    gec_serials = serializers.SerializerMethodField(
        help_text="The GEC serials and ranges FIRST~LAST claimed, ;-separated."
    )
    irec_serials = serializers.SerializerMethodField(help_text="The I-REC serials and ranges claimed, ;-separated.")

    class Meta:
        model = Line
        fields = [
            "site", "unit", "entered", "total_electricity_mwh", "onsite_renewable_mwh", "green_power_trading_mwh",
            "gec_mwh", "irec_mwh", "bmw_share_percent", "certificate_ids", "gec_serials", "irec_serials", "updated_at",
        ]  # fmt: skip

    def get_certificate_ids(self, line: Line) -> list[str]:
        return [claim.batch_id for claim in line.certificate_claims.all()]

    def get_gec_serials(self, line: Line) -> str:
        return line_serials_text(line).get("gec_serials", "")

    def get_irec_serials(self, line: Line) -> str:
        return line_serials_text(line).get("irec_serials", "")


class EvidenceSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="original_name", read_only=True)
    site = serializers.CharField(
        source="site.code", read_only=True, allow_null=True, default=None,
        help_text="The site whose line (or electricity in the period) the file proves; null for every site.",
    )  # fmt: skip
    attached_to = serializers.ChoiceField(
        choices=["line", "site", "period"], read_only=True,
        help_text="`line`: the site's line of the period; `site`: the site for the period (its line not saved, "
        "or removed, when the file was attached); `period`: every site of the period.",
    )  # fmt: skip
    document_type = serializers.ChoiceField(choices=EvidenceFile.DocumentType.choices, read_only=True)

    class Meta:
        model = EvidenceFile
        fields = [
            "id", "name", "site", "attached_to", "document_type", "content_type", "size_bytes", "sha256", "uploaded_at",
        ]  # fmt: skip


class SubmissionSerializer(serializers.ModelSerializer):
    lines = LineSerializer(many=True, read_only=True)
    evidence = EvidenceSerializer(source="evidence_files", many=True, read_only=True)

    class Meta:
        model = Submission
        fields = ["status", "version", "review_comment", "submitted_at", "updated_at", "lines", "evidence"]


class PeriodDetailSerializer(serializers.Serializer):
    """A period with the supplier's submission (null before anything was saved)."""

    id = serializers.IntegerField(source="period.id")
    code = serializers.CharField(source="period.code")
    year = serializers.IntegerField(source="period.year")
    kind = serializers.ChoiceField(source="period.kind", choices=PeriodKind.choices)
    number = serializers.IntegerField(source="period.number")
    due_date = serializers.DateField(source="period.due_date", allow_null=True)
    is_open = serializers.BooleanField(source="period.is_open")
    version = serializers.IntegerField(help_text="Send it back when writing: 0 while there is no submission.")
    submission = SubmissionSerializer(allow_null=True)


# --- Writing --------------------------------------------------------------------------------


def _number_field(*, required: bool) -> serializers.CharField:
    return serializers.CharField(
        required=required, allow_blank=not required, max_length=MAX_NUMBER_LENGTH,
        help_text="A non-negative decimal in the line's unit, as text (e.g. \"1234.5\").",
    )  # fmt: skip


class LineWriteSerializer(serializers.Serializer):
    """One site's figures in the unit of its bill; the same rules as the period page."""

    site = serializers.CharField(max_length=20, help_text="The site's code.")
    unit = serializers.ChoiceField(choices=EnergyUnit.choices)
    total_electricity = _number_field(required=True)
    onsite_renewable = _number_field(required=False)
    green_power_trading = _number_field(required=False)
    gec = _number_field(required=False)
    irec = _number_field(required=False)
    bmw_share_percent = serializers.CharField(max_length=MAX_NUMBER_LENGTH, help_text="0 to 100.")
    certificate_ids = serializers.ListField(
        child=serializers.CharField(max_length=100), required=False, max_length=500,
        help_text="Batch IDs of the GEC or I-REC certificates claimed.",
    )  # fmt: skip
    gec_serials = serializers.CharField(
        required=False, allow_blank=True, max_length=200_000,
        help_text="GEC serials and ranges FIRST~LAST, separated by ; (their count must equal gec).",
    )  # fmt: skip
    irec_serials = serializers.CharField(
        required=False, allow_blank=True, max_length=200_000,
        help_text="I-REC serials and ranges FIRST~LAST, separated by ; (their count must equal irec).",
    )  # fmt: skip

    def validate(self, attrs: dict) -> LineInput:
        sites: dict[str, Site] = self.context["sites_by_code"]
        site = sites.get(attrs["site"])
        if site is None:
            raise serializers.ValidationError(
                {"site": _("Site %(site)s is not one of your sites.") % {"site": attrs["site"]}}
            )
        certificate_ids = attrs.get("certificate_ids", [])
        for batch_id in certificate_ids:
            if ";" in batch_id or "；" in batch_id:  # the page's separator: one item must be one ID
                raise serializers.ValidationError(
                    {"certificate_ids": _("“%(value)s” is not a certificate batch ID") % {"value": batch_id}}
                )
        data = {
            "site_id": site.pk,
            "unit": attrs["unit"],
            **{column: attrs.get(column, "") for column in QUANTITY_COLUMNS},
            "bmw_share_percent": attrs["bmw_share_percent"],
            "certificate_ids": "; ".join(certificate_ids),
            "gec_serials": attrs.get("gec_serials", ""),
            "irec_serials": attrs.get("irec_serials", ""),
        }
        form = LineForm(data, sites={site.pk: site})
        if not form.is_valid():
            raise serializers.ValidationError(
                {("site" if name == "site_id" else name): list(errors) for name, errors in form.errors.items()}
            )
        return form.line_input()


class LinesWriteSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        min_value=0, max_value=2**31 - 1, help_text="The submission's version as last read; 0 if there is none."
    )
    lines = LineWriteSerializer(many=True, max_length=MAX_LINES, help_text="Every line: a site left out has none.")


class SubmitSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        min_value=0, max_value=2**31 - 1, help_text="The submission's version as last read; 0 if there is none."
    )
    declaration = serializers.BooleanField(
        help_text="true: the figures are correct and complete, from the sites' bills and certificates, and the "
        "certificates listed are not claimed for anything else."
    )
    lines = LineWriteSerializer(
        many=True, required=False, max_length=MAX_LINES,
        help_text="If given, these lines are saved and submitted together (both or neither).",
    )  # fmt: skip

    def validate_declaration(self, declared: bool) -> bool:
        form = SubmissionForm({"version": 0, "declaration": "on" if declared else ""}, submitting=True)
        if not form.is_valid():
            raise serializers.ValidationError(list(form.errors["declaration"]))
        return declared


class EvidenceUploadSerializer(serializers.Serializer):
    """The period page's evidence form: the file, the site whose line it proves, its document type."""

    file = serializers.FileField(help_text="A PDF, a PNG or JPEG image, or an Excel workbook (.xlsx).")
    site = serializers.CharField(
        required=False, max_length=20,
        help_text="The code of the site whose line of the period the file proves (or, before the line is saved, "
        "whose electricity in the period); left out, the file is of every site of the period.",
    )  # fmt: skip
    document_type = serializers.ChoiceField(
        required=False, choices=EvidenceFile.DocumentType.choices, default=EvidenceFile.DocumentType.OTHER,
        help_text="What the file is; `other` when left out.",
    )  # fmt: skip

    def validate_site(self, code: str) -> Site:
        site = Site.objects.filter(supplier=self.context["supplier"], code=code).first()
        if site is None:
            raise serializers.ValidationError(_("Site %(site)s is not one of your sites.") % {"site": code})
        return site


# --- Staff: roll-up runs --------------------------------------------------------------------


class RunSerializer(serializers.ModelSerializer):
    class Meta:
        model = RollupRun
        fields = [
            "id", "year", "baseline_year", "status", "error", "method_version", "input_fingerprint", "line_count",
            "started_at", "finished_at", "trigger",
        ]  # fmt: skip


class RunDetailSerializer(RunSerializer):
    result = serializers.JSONField(read_only=True, help_text="The roll-up JSON of interfaces.md.")
    factors_used = serializers.JSONField(read_only=True)

    class Meta(RunSerializer.Meta):
        fields = [*RunSerializer.Meta.fields, "factors_used", "result"]


class SupplierResultSerializer(serializers.ModelSerializer):
    supplier_code = serializers.CharField(source="supplier.code", read_only=True)
    supplier_name_zh = serializers.CharField(source="supplier.name_zh", read_only=True)
    supplier_name_en = serializers.CharField(source="supplier.name_en", read_only=True)

    class Meta:
        model = RollupSupplierResult
        fields = [
            "supplier_code", "supplier_name_zh", "supplier_name_en", "has_baseline", "attributable_electricity_mwh",
            "attributable_green_mwh", "location_based_tco2e", "market_based_tco2e", "avoided_tco2e",
            "baseline_avoided_tco2e", "green_reduction_tco2e", "absolute_reduction_tco2e", "activity_tco2e",
            "green_share_tco2e", "grid_factor_tco2e",
        ]  # fmt: skip


class FlagSerializer(serializers.ModelSerializer):
    # Null for a flag of the whole roll-up (no_residual_factor).
    supplier_code = serializers.CharField(source="supplier.code", read_only=True, allow_null=True, default=None)
    site_code = serializers.CharField(source="site.code", read_only=True, allow_null=True, default=None)

    class Meta:
        model = RollupFlag
        fields = ["code", "supplier_code", "site_code", "year", "detail"]


# --- Errors (for the schema) ----------------------------------------------------------------


class DetailSerializer(serializers.Serializer):
    detail = serializers.CharField()


class ProblemSerializer(serializers.Serializer):
    line = serializers.IntegerField(allow_null=True, help_text="Index of the line in `lines`, or null.")
    site = serializers.CharField(allow_null=True, help_text="That line's site code, or null.")
    field = serializers.CharField(allow_null=True, help_text="The field, or null for the request as a whole.")
    message = serializers.CharField()


class ProblemsSerializer(serializers.Serializer):
    detail = serializers.CharField()
    errors = ProblemSerializer(many=True)
