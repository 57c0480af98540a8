"""Reads for the supplier-facing pages. Every view finds its objects through these helpers, so
another supplier's object is a 404, never a 403 that would confirm it exists."""

from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Exists, F, FilteredRelation, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from suppliers.models import CertificateClaim, EvidenceFile, Line, ReportingPeriod, Site, Submission, Supplier, User
from suppliers.plausibility import yoy_outlier
from suppliers.roles import audit_years


def supplier_for_user(user: User) -> Supplier:
    if not user.is_authenticated or user.supplier_id is None:
        raise Http404
    return user.supplier


def sites_for_supplier(supplier: Supplier) -> QuerySet:
    return Site.objects.filter(supplier=supplier).order_by("code")


def periods_of_supplier(supplier: Supplier) -> QuerySet:
    """Open periods and any period the supplier has a submission for.

    The supplier's periods are a subquery on its own submissions (an index lookup), not a join with
    every submission followed by DISTINCT, which grows with the whole portfolio."""
    own_periods = Submission.objects.filter(supplier=supplier).values("period_id")
    return ReportingPeriod.objects.filter(Q(is_open=True) | Q(pk__in=own_periods))


def periods_with_own_submission(supplier: Supplier) -> QuerySet:
    """Open periods and any period the supplier has a submission for, each with that submission and
    its line count (`own_submissions`, a list of none or one), newest first: the API's list of
    periods."""
    own = Submission.objects.filter(supplier=supplier).annotate(line_count=Count("lines"))
    return (
        periods_of_supplier(supplier)
        .prefetch_related(Prefetch("submissions", queryset=own, to_attr="own_submissions"))
        .order_by("-year", "-first_month", "kind")
    )


def _own_submissions(supplier: Supplier) -> QuerySet:
    """The supplier's submissions with what a period's row shows of them."""
    return Submission.objects.filter(supplier=supplier).only(
        "pk", "period_id", "supplier_id", "status", "review_comment"
    )


def periods_to_report(supplier: Supplier) -> list[ReportingPeriod]:
    """The periods that wait for the supplier, newest first: open with nothing or a draft, or
    returned to the supplier (even once the period is closed); each with `own_submission` (the supplier's draft or returned submission, or None): one query, the
    period joined to the supplier's submission of it."""
    own = FilteredRelation("submissions", condition=Q(submissions__supplier=supplier))
    waiting = Q(is_open=True) & (Q(own__isnull=True) | Q(own__status=Submission.Status.DRAFT)) | Q(
        own__status=Submission.Status.RETURNED
    )
    periods = list(
        ReportingPeriod.objects.annotate(own=own)
        .filter(waiting)
        .annotate(own_id=F("own__id"), own_status=F("own__status"), own_comment=F("own__review_comment"))
        .order_by("-year", "-first_month", "kind")
    )
    for period in periods:
        period.own_submission = None
        if period.own_id is not None:
            period.own_submission = Submission(
                pk=period.own_id,
                supplier=supplier,
                period=period,
                status=period.own_status,
                review_comment=period.own_comment,
            )
    return periods


def periods_reported(supplier: Supplier, *, limit: int | None = None) -> list[ReportingPeriod]:
    """The supplier's periods that no longer wait for it (submitted, approved, or a draft of a
    closed period): every other period of periods_of_supplier. Newest first, each with
    `own_submission`; one query (each submission with its period)."""
    submissions = (
        _own_submissions(supplier)
        .filter(Q(status__in=Submission.CLAIMING_STATUSES) | Q(status=Submission.Status.DRAFT, period__is_open=False))
        .select_related("period")
        .order_by("-period__year", "-period__first_month", "period__kind")
    )
    periods = []
    for submission in submissions if limit is None else submissions[:limit]:
        submission.period.own_submission = submission
        periods.append(submission.period)
    return periods


def get_period_for_user(user: User, period_id: int) -> ReportingPeriod:
    return get_object_or_404(periods_of_supplier(supplier_for_user(user)), pk=period_id)


def get_submission_for_user(user: User, period_id: int) -> Submission | None:
    """The user's supplier's submission for the period, or None if there is none yet."""
    supplier = supplier_for_user(user)
    period = get_period_for_user(user, period_id)
    return (
        Submission.objects.filter(supplier=supplier, period=period)
        .select_related("period", "supplier")
        .prefetch_related(
            Prefetch(
                "lines",
                queryset=Line.objects.select_related("site").prefetch_related(
                    "certificate_claims", "certificate_ranges"
                ),
            ),
            Prefetch("evidence_files", queryset=EvidenceFile.objects.select_related("site")),
        )
        .first()
    )


def get_evidence_for_user(user: User, evidence_id: int) -> EvidenceFile:
    """Staff whose role may view evidence see every file (an auditor only those of the years
    assigned); a supplier's user only their supplier's. Anyone else gets a 404, never a 403 that
    confirms the file exists."""
    files = EvidenceFile.objects.select_related("submission__supplier")
    if user.is_staff:
        if not user.has_perm("suppliers.view_evidencefile"):
            raise Http404
        years = audit_years(user)
        if years is not None:
            files = files.filter(submission__period__year__in=sorted(years))
    else:
        files = files.filter(submission__supplier=supplier_for_user(user))
    return get_object_or_404(files, pk=evidence_id)


def lines_without_evidence_of(submission_id: int) -> list[Line]:
    """The submission's lines that no file proves, neither the line nor its site for the period."""
    proven = EvidenceFile.objects.filter(submission_id=submission_id, site_id=OuterRef("site_id"))
    return list(
        Line.objects.filter(submission_id=submission_id)
        .exclude(Exists(proven))
        .select_related("site")
        .order_by("site__code")
    )


def get_own_evidence_for_user(user: User, evidence_id: int) -> EvidenceFile:
    """A file of the user's own supplier, for the supplier's actions on it (staff get a 404)."""
    files = EvidenceFile.objects.select_related("submission__period")
    return get_object_or_404(files, pk=evidence_id, submission__supplier=supplier_for_user(user))


def stored_periods_of_sites(site_ids: list[int], year: int) -> QuerySet:
    """(site code, year, kind, number) of every stored line of these sites in that year."""
    return Line.objects.filter(site_id__in=site_ids, submission__period__year=year).values_list(
        "site__code", "submission__period__year", "submission__period__kind", "submission__period__number"
    )


# --- Review: data-quality flags of submissions waiting for a decision --------------------------


def duplicate_batch_ids() -> QuerySet:
    """Batch IDs claimed by more than one line among submitted or approved submissions."""
    return (
        CertificateClaim.objects.filter(line__submission__status__in=Submission.CLAIMING_STATUSES)
        .values("batch_id")
        # A line claims a batch once (a unique constraint), so claims are lines: COUNT(*) is
        # COUNT(DISTINCT line) without the sort that made it the slowest part of a roll-up.
        .annotate(claims=Count("pk"))
        .filter(claims__gt=1)
        .values("batch_id")
    )


def submission_flags(submission_ids: list[int]) -> dict[int, list[str]]:
    """The data-quality problems of each submission, before anyone approves it (calculation.md's
    flags, evaluated with the submission as if approved). A few aggregated queries in all.

    - duplicate_certificate: a batch it claims is claimed by another submitted or approved line;
    - yoy_outlier: a site's E in the year, with this submission, is over 5× or under 1/5 of the
      newest earlier approved year;
    - no_baseline: the supplier has no approved line in the baseline year.
    A factor fallback is a property of the factor table, not of the submission, and is not listed.
    """
    flags: dict[int, list[str]] = {pk: [] for pk in submission_ids}
    if not submission_ids:
        return flags
    # Only the batches these submissions claim are counted across the portfolio (by the batch_id
    # index), not every batch ever claimed.
    claims = CertificateClaim.objects.filter(line__submission_id__in=submission_ids)
    duplicated = set(
        claims.filter(batch_id__in=duplicate_batch_ids().filter(batch_id__in=claims.values("batch_id"))).values_list(
            "line__submission_id", flat=True
        )
    )
    rows = list(
        Line.objects.filter(submission_id__in=submission_ids).values_list(
            "submission_id", "site_id", "submission__period__year", "submission__supplier_id",
            "total_electricity_mwh", "submission__status",
        )
    )  # fmt: skip
    site_ids = {row[1] for row in rows}
    # The sites' lines, then which of their submissions are approved, looked up by key: joined in
    # one query, PostgreSQL scans every approved submission (nearly all of them) to find a few
    # hundred (30 ms at 164k submissions, against 2 ms).
    site_lines = list(
        Line.objects.filter(site_id__in=site_ids)
        .values_list("site_id", "submission_id", "total_electricity_mwh")
        .order_by()
    )
    approved_years = dict(
        Submission.objects.filter(
            pk__in={submission_id for _site, submission_id, _total in site_lines}, status=Submission.Status.APPROVED
        ).values_list("pk", "period__year")
    )
    history: dict[int, dict[int, Decimal]] = {}
    for site_id, submission_id, total in site_lines:
        if submission_id in approved_years:
            years = history.setdefault(site_id, {})
            year = approved_years[submission_id]
            years[year] = years.get(year, Decimal(0)) + total
    with_baseline = set(
        Line.objects.filter(
            submission__status=Submission.Status.APPROVED,
            submission__period__year=settings.BASELINE_YEAR,
            submission__supplier_id__in={row[3] for row in rows},
        ).values_list("submission__supplier_id", flat=True)
    )
    # What each site's year would hold if the submission were approved: an approved submission's
    # lines are in the history already; another's are added to it.
    pending: dict[tuple[int, int, int], object] = {}
    for submission_id, site_id, year, _supplier_id, total, status in rows:
        key = (submission_id, site_id, year)
        added = 0 if status == Submission.Status.APPROVED else total
        pending[key] = pending.get(key, 0) + added
    for (submission_id, site_id, year), added in pending.items():
        years = history.get(site_id, {})
        if yoy_outlier(year, added + years.get(year, 0), years):  # the roll-up's own rule
            flags[submission_id].append("yoy_outlier")
    for submission_id, _site, year, supplier_id, _total, _status in rows:
        if year != settings.BASELINE_YEAR and supplier_id not in with_baseline:
            flags[submission_id].append("no_baseline")
    for submission_id in duplicated:
        flags[submission_id].append("duplicate_certificate")
    return {pk: sorted(set(codes)) for pk, codes in flags.items()}


def approved_lines() -> QuerySet:
    """Every line of an approved submission: what roll-ups, samples and assurance packs read."""
    return Line.objects.filter(submission__status=Submission.Status.APPROVED)
