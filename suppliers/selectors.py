"""Reads for the supplier-facing pages. Every view finds its objects through these helpers, so
another supplier's object is a 404, never a 403 that would confirm it exists."""

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from suppliers.models import EvidenceFile, Line, ReportingPeriod, Site, Submission, Supplier, User


def supplier_for_user(user: User) -> Supplier:
    if not user.is_authenticated or user.supplier_id is None:
        raise Http404
    return user.supplier


def sites_for_supplier(supplier: Supplier) -> QuerySet:
    return Site.objects.filter(supplier=supplier).order_by("code")


def periods_for_dashboard(supplier: Supplier) -> QuerySet:
    """Open periods and any period the supplier has a submission for, each with that submission."""
    own = Submission.objects.filter(supplier=supplier).annotate(line_count=Count("lines"))
    return (
        ReportingPeriod.objects.filter(Q(is_open=True) | Q(submissions__supplier=supplier))
        .distinct()
        .prefetch_related(Prefetch("submissions", queryset=own, to_attr="own_submissions"))
        .order_by("-year", "-first_month", "kind")
    )


def get_period_for_user(user: User, period_id: int) -> ReportingPeriod:
    supplier = supplier_for_user(user)
    return get_object_or_404(
        ReportingPeriod.objects.filter(Q(is_open=True) | Q(submissions__supplier=supplier)).distinct(), pk=period_id
    )


def get_submission_for_user(user: User, period_id: int) -> Submission | None:
    """The user's supplier's submission for the period, or None if there is none yet."""
    supplier = supplier_for_user(user)
    period = get_period_for_user(user, period_id)
    return (
        Submission.objects.filter(supplier=supplier, period=period)
        .select_related("period", "supplier")
        .prefetch_related(
            Prefetch("lines", queryset=Line.objects.select_related("site").prefetch_related("certificate_claims")),
            "evidence_files",
        )
        .first()
    )


def get_evidence_for_user(user: User, evidence_id: int) -> EvidenceFile:
    """Staff see every file; a supplier's user only their supplier's."""
    files = EvidenceFile.objects.select_related("submission__supplier")
    if not user.is_staff:
        files = files.filter(submission__supplier=supplier_for_user(user))
    return get_object_or_404(files, pk=evidence_id)
