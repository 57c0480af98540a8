"""State changes of a submission: submit, approve, return. Each one is a write under a row lock
with an optimistic version check, so two reviewers acting at once cannot both win."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from suppliers.line_rules import QUANTITY_FIELDS, SERIAL_INSTRUMENTS, certificate_instrument
from suppliers.models import CertificateClaim, CertificateRange, Line, ReportingPeriod, Site, Submission, Supplier, User
from suppliers.periods import period_make
from suppliers.selectors import stored_periods_of_sites
from suppliers.serials import SerialRange
from suppliers.signals import approved_lines_changed_after_commit, claims_changed_after_commit

Status = Submission.Status


class StaleSubmission(Exception):
    """Someone else changed the submission since it was read."""


def _locked(submission: Submission, expected_version: int | None) -> Submission:
    # of=("self",): lock the submission only, not its period (that would queue every review of it).
    current = Submission.objects.select_for_update(of=("self",)).select_related("period").get(pk=submission.pk)
    if expected_version is not None and current.version != expected_version:
        raise StaleSubmission(
            _("%(submission)s was changed by someone else (it is now %(status)s); reload it and try again.")
            % {"submission": current, "status": current.get_status_display()}
        )
    return current


def _transition(submission: Submission, allowed_from: tuple[str, ...], target: str) -> None:
    if submission.status not in allowed_from:
        raise ValidationError(
            _("A %(status)s submission cannot be %(action)s.")
            % {"status": submission.get_status_display().lower(), "action": Status(target).label.lower()}
        )


def _after_review_commit(submission: Submission, trigger: str) -> None:
    """An approval or a return changes the approved lines of its year and who claims what."""
    approved_lines_changed_after_commit(years=[submission.period.year], trigger=trigger)
    claims_changed_after_commit()


def submission_submit(*, submission: Submission, user: User, expected_version: int | None = None) -> Submission:
    with transaction.atomic():
        submission = _locked(submission, expected_version)
        _transition(submission, (Status.DRAFT, Status.RETURNED), Status.SUBMITTED)
        if not submission.lines.exists():
            raise ValidationError(_("A submission needs at least one line."))
        submission.status, submission.submitted_at, submission.submitted_by = Status.SUBMITTED, timezone.now(), user
        submission.version += 1
        submission.full_clean()
        submission.save()
        claims_changed_after_commit()  # its lines' certificates are claimed from now on
    return submission


def submission_approve(*, submission: Submission, user: User, expected_version: int | None = None) -> Submission:
    with transaction.atomic():
        submission = _locked(submission, expected_version)
        _transition(submission, (Status.SUBMITTED,), Status.APPROVED)
        submission.status, submission.reviewed_at, submission.reviewed_by = Status.APPROVED, timezone.now(), user
        submission.review_comment = ""
        submission.version += 1
        submission.full_clean()
        submission.save()
        _after_review_commit(submission, f"approved {submission}")
    return submission


def submission_return(
    *, submission: Submission, user: User, comment: str, expected_version: int | None = None
) -> Submission:
    """Sends a submission back to its supplier with a comment they will see. A run is queued:
    an approved submission's lines leave the roll-up, and a returned submission's certificates no
    longer count as claims, which can end another line's double claim."""
    if not comment.strip():
        raise ValidationError({"review_comment": _("Say what the supplier must correct.")})
    with transaction.atomic():
        submission = _locked(submission, expected_version)
        _transition(submission, (Status.SUBMITTED, Status.APPROVED), Status.RETURNED)
        submission.status, submission.reviewed_at, submission.reviewed_by = Status.RETURNED, timezone.now(), user
        submission.review_comment = comment.strip()
        submission.version += 1
        submission.full_clean()
        submission.save()
        _after_review_commit(submission, f"returned {submission}")
    return submission


# --- The supplier's own edits: the period page ----------------------------------------------

# A supplier may change its figures only in these states; submitted and approved ones are read-only.
EDITABLE_STATUSES = (Status.DRAFT, Status.RETURNED)


@dataclass(frozen=True)
class LineInput:
    """One site's figures for a period, already validated and converted to MWh (forms.submissions)."""

    site: Site
    unit: str
    entered: dict[str, str]  # quantity column → the text as typed; blank quantities left out
    quantities_mwh: dict[str, Decimal]  # Line field → MWh; 0 for a blank quantity
    bmw_share_percent: Decimal
    certificate_ids: list[str]
    serials: dict[str, list[SerialRange]] = field(default_factory=dict)  # gec_serials / irec_serials


def _rows_check(supplier: Supplier, period: ReportingPeriod, rows: Sequence[LineInput]) -> None:
    problems = []
    seen: set[int] = set()
    for row in rows:
        if row.site.supplier_id != supplier.pk:
            problems.append(_("Site %(site)s is not one of your sites.") % {"site": row.site.code})
        elif row.site.pk in seen:
            problems.append(_("Site %(site)s has two rows.") % {"site": row.site.code})
        seen.add(row.site.pk)
    # The import's rule: a site's periods must not overlap (the 2024 annual figure and 2024-Q1).
    this = period.period
    for site_code, year, kind, number in stored_periods_of_sites(sorted(seen), this.year):
        other = period_make(year, kind, number)
        if other != this and this.overlaps(other):
            problems.append(
                _("%(period)s overlaps the stored period %(other)s of site %(site)s")
                % {"period": this, "other": other, "site": site_code}
            )
    if problems:
        raise ValidationError(problems)


def _line_write(submission: Submission, line: Line | None, row: LineInput, user: User) -> None:
    fields = {
        "entered_unit": row.unit,
        "entered_values": row.entered,
        **{name: row.quantities_mwh[name] for name in QUANTITY_FIELDS.values()},
        "bmw_share_percent": row.bmw_share_percent,
    }
    created = line is None
    if created:
        line = Line(submission=submission, site=row.site)
    if created or any(getattr(line, name) != value for name, value in fields.items()):
        for name, value in fields.items():
            setattr(line, name, value)
        line._history_user = user
        # The submission is locked and its lines were read under the lock: the row is ours to write.
        line.full_clean(exclude=["submission", "site"], validate_unique=False)
        line.save()
    claims = {} if created else {claim.batch_id: claim for claim in line.certificate_claims.all()}
    for batch_id, claim in claims.items():
        if batch_id not in row.certificate_ids:
            claim.delete()
    for batch_id in row.certificate_ids:
        instrument = certificate_instrument(batch_id, row.quantities_mwh)
        claim = claims.get(batch_id) or CertificateClaim(line=line, batch_id=batch_id)
        if claim.pk is None or claim.instrument != instrument:
            claim.instrument = instrument
            claim.full_clean(exclude=["line"], validate_unique=False)
            claim.save()
    _ranges_write(line, row, created=created)


def _ranges_write(line: Line, row: LineInput, *, created: bool) -> None:
    """The line's claimed serials become those of `row` (unchanged ones are left alone)."""
    wanted = {
        (SERIAL_INSTRUMENTS[column], r.stem, r.width, r.first_text, r.last_text): r
        for column, ranges in row.serials.items()
        for r in ranges
    }
    stored = (
        {} if created else {(c.instrument, c.stem, c.width, c.first, c.last): c for c in line.certificate_ranges.all()}
    )
    for key, claimed in stored.items():
        if key not in wanted:
            claimed.delete()
    for key, serial_range in wanted.items():
        if key not in stored:
            claimed = CertificateRange(
                line=line, instrument=key[0], stem=key[1], width=key[2], first=key[3], last=key[4],
                count=serial_range.count,
            )  # fmt: skip
            claimed.full_clean(exclude=["line"], validate_unique=False)
            claimed.save()


def submission_save_draft(
    *, supplier: Supplier, period: ReportingPeriod, rows: Sequence[LineInput], user: User,
    expected_version: int | None = None,
) -> Submission:  # fmt: skip
    """Makes `rows` the supplier's lines for the period: a site without a row has no line.

    A new submission starts as a draft; a returned one stays returned (with the reviewer's comment)
    until it is submitted again. `expected_version` is the version the user's page showed, 0 if
    there was no submission yet. Raises StaleSubmission if someone saved since, and
    ValidationError if the submission is submitted or approved or a period would overlap.
    """
    with transaction.atomic():
        # Locks the submission's row only (a join would lock the period for every supplier on PostgreSQL).
        submission, created = Submission.objects.select_for_update().get_or_create(
            supplier=supplier, period=period, defaults={"status": Status.DRAFT}
        )
        if submission.status not in EDITABLE_STATUSES:
            raise ValidationError(
                _("A %(status)s submission cannot be changed.") % {"status": submission.get_status_display().lower()}
            )
        if expected_version is not None and expected_version != (0 if created else submission.version):
            raise StaleSubmission(
                _("%(submission)s was changed by someone else (it is now %(status)s); reload it and try again.")
                % {"submission": submission, "status": submission.get_status_display()}
            )
        _rows_check(supplier, period, rows)
        lines = {
            line.site_id: line for line in submission.lines.prefetch_related("certificate_claims", "certificate_ranges")
        }
        for row in rows:
            _line_write(submission, lines.pop(row.site.pk, None), row, user)
        for line in lines.values():
            line._history_user = user
            line.delete()
        submission.version += 1
        submission.full_clean()
        submission.save()
    return submission


def submission_save_and_submit(
    *, supplier: Supplier, period: ReportingPeriod, rows: Sequence[LineInput], user: User,
    expected_version: int | None = None,
) -> Submission:  # fmt: skip
    """Saves the figures and submits them for review, both or neither."""
    with transaction.atomic():
        submission = submission_save_draft(
            supplier=supplier, period=period, rows=rows, user=user, expected_version=expected_version
        )
        return submission_submit(submission=submission, user=user, expected_version=submission.version)
