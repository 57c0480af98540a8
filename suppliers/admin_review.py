"""The review queue's pieces of the submission admin (suppliers/admin.py): the state filter that
opens on what waits for a decision, the counts by state above the list, the flags in words with
their effect, the lines' evidence, and last year's figures beside this year's."""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.contrib import admin
from django.db.models import Count, Exists, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from suppliers.cache import submission_flags_kept
from suppliers.forms.submissions import line_serials_text
from suppliers.models import EvidenceFile, Line, Submission
from suppliers.periods import period_make

Status = Submission.Status

# --- Flags in words ------------------------------------------------------------------------------


def flag_sentence(code: str) -> str:
    """What a submission's flag (suppliers.selectors.submission_flags) means and what it does to
    the roll-up, in the active language."""
    if code == "duplicate_certificate":
        return gettext(
            "Certificate claimed twice: another submitted or approved line claims a certificate of this "
            "submission; the roll-up counts those certificates as grid electricity, for both claimants."
        )
    if code == "yoy_outlier":
        return gettext(
            "Year-on-year outlier: a site's electricity is more than 5 times, or under 1/5 of, its newest "
            "approved earlier year (a kWh typed as MWh?); the roll-up counts the figures as reported, so "
            "check them before approving."
        )
    if code == "no_baseline":
        return gettext(
            "No baseline: the supplier has no approved line in the baseline year %(year)d; its avoided "
            "emissions count whole in the headline and not in the absolute reduction."
        ) % {"year": settings.BASELINE_YEAR}
    return code


def flag_sentences(codes: list[str]) -> list[str]:
    return [flag_sentence(code) for code in codes]


# --- The state filter and the counts above the list ----------------------------------------------

QUEUE_STATES = (Status.SUBMITTED, Status.RETURNED, Status.APPROVED, Status.DRAFT)
ALL = "all"


class StateFilter(admin.SimpleListFilter):
    """The queue opens on the submissions waiting for a decision; "All" shows every state.
    Named status__exact, as the plain field filter was, so links written for it keep working."""

    title = _("status")
    parameter_name = "status__exact"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [(state.value, state.label) for state in QUEUE_STATES]

    def state(self) -> str | None:
        """The state shown, or None for all of them."""
        value = self.value()
        if value is None:
            return Status.SUBMITTED
        return value if value in Status.values else None

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        state = self.state()
        return queryset if state is None else queryset.filter(status=state)

    def choices(self, changelist: object):
        state = self.state()
        yield {
            "selected": state is None,
            "query_string": changelist.get_query_string({self.parameter_name: ALL}),
            "display": _("All"),
        }
        for value, label in self.lookup_choices:
            yield {
                "selected": state == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }


@dataclass(frozen=True)
class StateCount:
    state: str
    label: str
    count: int | None  # None for the approved, which are not counted
    selected: bool


def state_counts(queryset: QuerySet, shown: str | None) -> list[StateCount]:
    """How many submissions wait in each state, of those the user may see: one aggregated query
    over the states' index. The approved are the archive, every submission of every year (164k at
    ten times the portfolio): counting them would cost the page more than the rest of it, and
    their number decides nothing, so their tab has none."""
    waiting = [state for state in QUEUE_STATES if state != Submission.Status.APPROVED]
    counts = dict(queryset.filter(status__in=waiting).order_by().values_list("status").annotate(n=Count("pk")))
    return [
        StateCount(state.value, state.label, counts.get(state.value, 0) if state in waiting else None, shown == state)
        for state in QUEUE_STATES
    ]


class FlagsFilter(admin.SimpleListFilter):
    title = _("data-quality flags")
    parameter_name = "flags"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("yes", _("With flags")), ("no", _("Without flags"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() not in ("yes", "no"):
            return queryset
        flags = submission_flags_kept(list(queryset.values_list("pk", flat=True)))
        flagged = [pk for pk, codes in flags.items() if codes]
        return queryset.filter(pk__in=flagged) if self.value() == "yes" else queryset.exclude(pk__in=flagged)


# --- Evidence ------------------------------------------------------------------------------------


class EvidenceFilter(admin.SimpleListFilter):
    title = _("evidence")
    parameter_name = "evidence"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("missing", _("Some lines without evidence")), ("complete", _("Every line with evidence"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "missing":
            return queryset.filter(lines_without_evidence__gt=0)
        if self.value() == "complete":
            return queryset.filter(lines_without_evidence=0)
        return queryset


def lines_without_evidence() -> Coalesce:
    """A submission's lines that no file proves, neither the line nor its site for the period (a
    subquery, evaluated for the listed rows only)."""
    proven = EvidenceFile.objects.filter(submission_id=OuterRef("submission_id"), site_id=OuterRef("site_id"))
    bare = Line.objects.filter(submission=OuterRef("pk")).exclude(Exists(proven)).order_by().values("submission")
    return Coalesce(Subquery(bare.annotate(count=Count("pk")).values("count")), 0)


class LineInline(admin.TabularInline):
    model = Line
    extra = 0
    can_delete = False
    fields = (
        "site", "entered_unit", "entered_values", "total_electricity_mwh", "onsite_renewable_mwh",
        "green_power_trading_mwh", "gec_mwh", "irec_mwh", "bmw_share_percent", "certificates", "evidence",
    )  # fmt: skip
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return (
            super()
            .get_queryset(request)
            .select_related("site__supplier", "submission__period")
            .prefetch_related("certificate_claims", "certificate_ranges", "submission__evidence_files")
        )

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    @admin.display(description=_("evidence"))
    def evidence(self, line: Line) -> str:
        """The files that prove the line or its site for the period; "none" stands out."""
        files = [e for e in line.submission.evidence_files.all() if e.site_id == line.site_id]
        if not files:
            return format_html('<strong class="no-evidence">{}</strong>', _("none"))
        return format_html_join(
            mark_safe("<br>"),
            '<a href="{}">{}</a> ({})',
            (
                (reverse("evidence_download", args=[e.pk]), e.original_name, e.get_document_type_display())
                for e in files
            ),
        )

    @admin.display(description=_("certificates"))
    def certificates(self, line: Line) -> str:
        """The batch IDs, or the GEC and I-REC serials, the line claims."""
        serials = line_serials_text(line)
        return "; ".join(
            [claim.batch_id for claim in line.certificate_claims.all()]
            + [
                f"{label}: {serials[column]}"
                for column, label in (("gec_serials", "GEC"), ("irec_serials", "I-REC"))
                if column in serials
            ]
        )


class EvidenceInline(admin.TabularInline):
    model = EvidenceFile
    extra = 0
    can_delete = False
    fields = (
        "download",
        "proves",
        "document_type",
        "content_type",
        "size_bytes",
        "sha256",
        "uploaded_by",
        "uploaded_at",
    )
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("site", "uploaded_by")

    @admin.display(description=_("it proves"))
    def proves(self, evidence: EvidenceFile) -> str:
        return render_to_string("suppliers/includes/evidence_proves.html", {"evidence": evidence}).strip()

    @admin.display(description=_("file"))
    def download(self, evidence: EvidenceFile) -> str:
        return format_html(
            '<a href="{}">{}</a>', reverse("evidence_download", args=[evidence.pk]), evidence.original_name
        )

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


# --- Last year beside this year ------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    now: Decimal
    before: Decimal | None

    @property
    def difference(self) -> Decimal | None:
        return None if self.before is None else self.now - self.before

    @property
    def percent(self) -> Decimal | None:
        """The change in % of last year's figure; None without last year or when it was zero."""
        if self.before is None or self.before == 0:
            return None
        return (self.now - self.before) * 100 / self.before


@dataclass(frozen=True)
class YearOnYear:
    line: Line
    total: Change
    green: Change
    found: bool  # last year has an approved line for the site

    @property
    def changes(self) -> tuple[Change, Change]:
        return (self.total, self.green)


def year_on_year(submission: Submission) -> list[YearOnYear]:
    """Each line of the submission beside the same site's approved line of the same period a year
    earlier (2024-Q3 beside 2023-Q3), in two queries whatever the number of lines."""
    period = submission.period
    lines = list(Line.objects.filter(submission=submission).select_related("site").order_by("site__code"))
    before = {
        line.site_id: line
        for line in Line.objects.filter(
            site_id__in=[line.site_id for line in lines],
            submission__status=Status.APPROVED,
            submission__period__year=period.year - 1,
            submission__period__kind=period.kind,
            submission__period__number=period.number,
        )
    }
    rows = []
    for line in lines:
        old = before.get(line.site_id)
        rows.append(
            YearOnYear(
                line=line,
                total=Change(line.total_electricity_mwh, old.total_electricity_mwh if old else None),
                green=Change(line.green_mwh, old.green_mwh if old else None),
                found=old is not None,
            )
        )
    return rows


def previous_period_code(submission: Submission) -> str:
    period = submission.period
    return period_make(period.year - 1, period.kind, period.number).code
