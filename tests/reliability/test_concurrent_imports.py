"""Two imports of overlapping files at the same moment, on real PostgreSQL: the second waits for
the first and is applied whole after it, so the data that remains is the two files applied whole
one after the other, never a mix of them; and when two imports do collide in the database (new
suppliers given each other's USCC), the loser is refused with a clear conflict, never an error."""

import threading
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.db import connection, connections

from suppliers.models import CertificateClaim, Line, Site, Supplier
from suppliers.services.imports import COLUMNS, submissions_import
from suppliers.services.spreadsheets import FileRefused
from suppliers.uscc import uscc_check_character

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks and concurrent writers need PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]
ROUNDS = 4
CONFLICT = "Another import changed the same suppliers at the same time; nothing was saved. Try again."


def _uscc(n: int) -> str:
    first17 = f"91440300MA{n:07d}"
    return first17 + uscc_check_character(first17)


def _row(supplier: str, site: str, total: int, *, new_supplier: bool = True, gec: int = 0) -> dict[str, str]:
    """A row of `supplier`'s `site` for 2024, given as on first sight (names, USCC, province)."""
    return {
        "supplier_code": supplier,
        "supplier_name": f"Supplier {supplier} Ltd" if new_supplier else "",
        "uscc": _uscc(int(supplier.removeprefix("CN-"))) if new_supplier else "",
        "site_code": site,
        "site_name": f"Hall {site} ({total})",
        "province": "Guangdong",
        "period": "2024",
        "unit": "MWh",
        "total_electricity": str(total),
        "gec": str(gec) if gec else "",
        "bmw_share_percent": str(total % 100),
        "certificate_ids": f"GEC-{supplier}-{site}-{total}" if gec else "",
    }


def _csv(rows: list[dict[str, str]]) -> bytes:
    lines = [",".join(COLUMNS), *(",".join(row.get(column, "") for column in COLUMNS) for row in rows)]
    return ("\n".join(lines) + "\n").encode()


# Each scenario gives, for a round number, the two files' rows.
Scenario = Callable[[int], tuple[list[dict[str, str]], list[dict[str, str]]]]


def _existing_supplier(r: int) -> tuple[list, list]:
    """Both files report for supplier CN-E..., which exists: sites E1, E2 and E2, E3 (new)."""
    code = f"CN-E{r:04d}"
    Supplier.objects.create(code=code, name_en="Existing Ltd", uscc=_uscc(5000 + r))
    Site.objects.create(supplier=Supplier.objects.get(code=code), code="E1", name="Hall E1", province="440000")
    Site.objects.create(supplier=Supplier.objects.get(code=code), code="E2", name="Hall E2", province="440000")
    a = [_row(code, "E1", 1001, new_supplier=False), _row(code, "E2", 1002, new_supplier=False, gec=100)]
    b = [_row(code, "E2", 2002, new_supplier=False), _row(code, "E3", 2003, new_supplier=False)]
    return a, b


def _same_new_supplier(r: int) -> tuple[list, list]:
    """Both files bring the same new supplier (same code, same USCC), with overlapping sites."""
    code = f"CN-{100 + r:04d}"
    a = [_row(code, "N1", 1001, gec=10), _row(code, "N2", 1002)]
    b = [_row(code, "N1", 2001), _row(code, "N3", 2003, gec=20)]
    return a, b


def _two_new_suppliers_crossed(r: int) -> tuple[list, list]:
    """Both files bring the same two new suppliers, in opposite orders."""
    first, second = f"CN-{200 + 2 * r:04d}", f"CN-{201 + 2 * r:04d}"
    a = [_row(first, "S1", 1001), _row(second, "S1", 1002)]
    b = [_row(second, "S1", 2002), _row(first, "S1", 2001)]
    return a, b


def _state(codes: set[str]) -> dict[str, object]:
    """What the round's suppliers hold: suppliers, sites, lines and certificate claims."""
    return {
        "suppliers": {s.code: (s.uscc, s.name_en) for s in Supplier.objects.filter(code__in=codes)},
        "sites": {
            (s.supplier.code, s.code): (s.name, s.province)
            for s in Site.objects.filter(supplier__code__in=codes).select_related("supplier")
        },
        "lines": {
            (line.site.supplier.code, line.site.code, line.submission.period.code): (
                line.total_electricity_mwh,
                line.gec_mwh,
                line.bmw_share_percent,
            )
            for line in Line.objects.filter(site__supplier__code__in=codes).select_related(
                "site__supplier", "submission__period"
            )
        },
        "claims": sorted(
            CertificateClaim.objects.filter(line__site__supplier__code__in=codes).values_list("batch_id", flat=True)
        ),
    }


def _apply(state: dict, rows: list[dict[str, str]]) -> dict:
    """The state after importing `rows` whole: what the spec says an import does."""
    state = {key: dict(value) if isinstance(value, dict) else list(value) for key, value in state.items()}
    replaced = set()
    for row in rows:
        code, site = row["supplier_code"], row["site_code"]
        if row["uscc"] and code not in state["suppliers"]:
            state["suppliers"][code] = (row["uscc"], row["supplier_name"])
        elif row["supplier_name"]:
            state["suppliers"][code] = (state["suppliers"][code][0], row["supplier_name"])
        state["sites"][(code, site)] = (row["site_name"], "440000")
        key = (code, site, row["period"])
        replaced.add(key)
        state["lines"][key] = (
            Decimal(row["total_electricity"]), Decimal(row["gec"] or 0), Decimal(row["bmw_share_percent"]),
        )  # fmt: skip
    # A replaced line's claims are those of the new row.
    old_claims = [c for c in state["claims"] if not any(c.startswith(f"GEC-{k[0]}-{k[1]}-") for k in replaced)]
    state["claims"] = sorted(old_claims + [row["certificate_ids"] for row in rows if row["certificate_ids"]])
    return state


def _race(files: dict[str, bytes]) -> dict[str, object]:
    """Runs the imports in threads released together; returns each one's outcome."""
    barrier = threading.Barrier(len(files))
    outcomes: dict[str, object] = {}

    def run(name: str, content: bytes) -> None:
        try:
            barrier.wait(timeout=30)
            submissions_import(content=content, filename=f"{name}.csv")
            outcomes[name] = "imported"
        except FileRefused as refused:
            outcomes[name] = [problem.message for problem in refused.problems]
        except Exception as error:  # any other exception is the failure this test looks for
            outcomes[name] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=item) for item in files.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "an import is stuck"
    return outcomes


@pytest.mark.parametrize(
    "scenario", [_existing_supplier, _same_new_supplier, _two_new_suppliers_crossed], ids=lambda s: s.__name__[1:]
)
def test_two_overlapping_imports_at_once_are_applied_whole_one_after_the_other(scenario: Scenario) -> None:
    for r in range(ROUNDS):
        a, b = scenario(r)
        codes = {row["supplier_code"] for row in a + b}
        start = _state(codes)
        outcomes = _race({"a": _csv(a), "b": _csv(b)})
        # The second import waits for the first (a lock per supplier, new ones included), then is
        # checked against what the first saved and applied whole after it.
        assert outcomes == {"a": "imported", "b": "imported"}, f"round {r}: {outcomes}"
        end = _state(codes)
        assert end in (_apply(_apply(start, a), b), _apply(_apply(start, b), a)), f"round {r}: a mix"


def test_a_refused_file_racing_a_good_one_changes_nothing() -> None:
    """The bad file of the pair is refused whole (its problem named), the good one is imported."""
    good = [_row("CN-0900", "G1", 1001), _row("CN-0900", "G2", 1002)]
    bad = [_row("CN-0900", "G1", 2001), {**_row("CN-0900", "G3", 2003), "bmw_share_percent": "101"}]
    outcomes = _race({"good": _csv(good), "bad": _csv(bad)})
    assert outcomes == {"good": "imported", "bad": ["must be between 0 and 100"]}
    assert _state({"CN-0900"}) == _apply(_state(set()), good)


def test_new_suppliers_given_each_others_uscc_at_once_end_in_a_clear_conflict_not_an_error() -> None:
    """Different supplier codes, so no lock orders the two imports: the database's unique USCC does.
    Whichever way PostgreSQL resolves it (a unique violation, or a deadlock it breaks), the loser is
    refused whole with the conflict message, and the winner's file is there whole."""
    for r in range(ROUNDS):
        first, second = _uscc(7000 + 2 * r), _uscc(7001 + 2 * r)
        a = [{**_row(f"CN-{3000 + 2 * r}", "X1", 1001), "uscc": first},
             {**_row(f"CN-{3001 + 2 * r}", "X1", 1002), "uscc": second}]  # fmt: skip
        b = [{**_row(f"CN-{4001 + 2 * r}", "Y1", 2002), "uscc": second},
             {**_row(f"CN-{4000 + 2 * r}", "Y1", 2001), "uscc": first}]  # fmt: skip
        codes = {row["supplier_code"] for row in a + b}
        start = _state(codes)
        outcomes = _race({"a": _csv(a), "b": _csv(b)})
        assert list(outcomes.values()).count("imported") == 1, f"round {r}: {outcomes}"
        winner, loser = (a, "b") if outcomes["a"] == "imported" else (b, "a")
        # Refused as a conflict if the two met in the database; if the loser started after the
        # winner had committed, its check names the USCC the winner took.
        refused = outcomes[loser]
        assert refused == [CONFLICT] or (
            refused and all(message.startswith("is already the USCC of supplier CN-") for message in refused)
        ), f"round {r}: {outcomes}"
        assert _state(codes) == _apply(start, winner), f"round {r}: not the winning file whole"
