"""What the suppliers' pages keep in the cache between requests, and what ends it (portal.generations).

- SUBMISSION_FLAGS: each submission's data-quality flags (suppliers.selectors.submission_flags), as
  the review queue lists them: they change with the certificates that other lines claim, the
  approved lines of a site's earlier years and of the baseline year, and the submission's own
  lines. A new generation when claims_changed or approved_lines_changed is sent, and when a
  submission or a line is saved or deleted one at a time (a draft edited on its page; bulk writes
  send claims_changed). A submission's own page, where staff decide, reads its flags
  anew every time.
"""

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save

from portal.generations import generation, generation_ended_by
from suppliers.selectors import submission_flags

SUBMISSION_FLAGS = "submission-flags"
WEEK = 7 * 24 * 3600


def submission_flags_kept(submission_ids: list[int]) -> dict[int, list[str]]:
    """submission_flags, each submission's read from the cache when its generation holds it (one
    round trip for a page of fifty), the others computed together and kept."""
    token = generation(SUBMISSION_FLAGS)  # before computing: a change meanwhile starts a new one
    keys = {pk: f"submission-flags:{token}:{pk}" for pk in submission_ids}
    found = cache.get_many(list(keys.values()))
    flags = {pk: found[key] for pk, key in keys.items() if key in found}
    missing = [pk for pk in submission_ids if pk not in flags]
    if missing:
        computed = submission_flags(missing)
        cache.set_many({keys[pk]: codes for pk, codes in computed.items()}, timeout=WEEK)
        flags.update(computed)
    return flags


def generations_connect() -> None:
    """Connects each change to the generation it ends (suppliers.apps)."""
    from suppliers.models import Line, Submission
    from suppliers.signals import approved_lines_changed, claims_changed

    generation_ended_by(SUBMISSION_FLAGS, claims_changed)
    generation_ended_by(SUBMISSION_FLAGS, approved_lines_changed)
    # Not the claims' and ranges' own signals: a receiver of post_delete makes Django load and
    # delete one by one what an import deletes in one statement. A draft's claims change with a
    # save of its submission (submission_save_draft), its figures with a save of the line.
    for signal in (post_save, post_delete):
        for model in (Submission, Line):
            generation_ended_by(SUBMISSION_FLAGS, signal, model)
