"""Certificate serials (suppliers/serials.py): single serials and FIRST~LAST ranges, the line's checks
and the overlap counts. Pure: no database."""

from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from suppliers.serials import (
    MAX_ITEMS,
    SerialRange,
    SerialsInvalid,
    excluded_count,
    overlap_count,
    serials_check,
    serials_parse,
    serials_text,
)

GEC_32 = "12345678901234567890123456789012"


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def problems_of(text: str) -> list[str]:
    with pytest.raises(SerialsInvalid) as raised:
        serials_parse(text)
    return raised.value.problems


def one(text: str) -> SerialRange:
    [serial_range] = serials_parse(text)
    return serial_range


# --- reading items -----------------------------------------------------------------------------------


def test_range_splits_into_stem_width_first_and_last() -> None:
    serial_range = one("GEC-0530-2024-000100~GEC-0530-2024-000199")
    assert serial_range == SerialRange(stem="GEC-0530-2024-", width=6, first=100, last=199)
    assert serial_range.key == ("GEC-0530-2024-", 6)
    assert (serial_range.first_text, serial_range.last_text) == ("000100", "000199")


def test_range_counts_both_ends() -> None:
    assert one("GEC-0530-2024-000100~GEC-0530-2024-000199").count == 100
    assert one("GEC-0210-2025-001001~GEC-0210-2025-004000").count == 3000
    assert one("GEC-0210-2025-003901~GEC-0210-2025-004400").count == 500


def test_single_serial_is_one_certificate() -> None:
    serial_range = one("GEC-0440-2025-000800")
    assert (serial_range.first, serial_range.last, serial_range.count) == (800, 800, 1)
    assert serial_range.text() == "GEC-0440-2025-000800"


def test_range_whose_ends_are_equal_is_one_certificate() -> None:
    assert one("GEC-1-0007~GEC-1-0007").count == 1


def test_list_of_a_range_and_a_single_counts_both() -> None:
    ranges = serials_parse("GEC-0440-2025-000451~GEC-0440-2025-000699;GEC-0440-2025-000800")
    assert [r.count for r in ranges] == [249, 1]
    assert sum(r.count for r in ranges) == 250
    assert serials_check(ranges, Decimal("250")) == []


def test_items_keep_the_order_written() -> None:
    ranges = serials_parse("B-9;A-1~A-3;B-1")
    assert [r.text() for r in ranges] == ["B-9", "A-1~A-3", "B-1"]


def test_final_run_of_digits_is_the_longest_one() -> None:
    serial_range = one("GEC2024000100")
    assert (serial_range.stem, serial_range.width, serial_range.first) == ("GEC", 10, 2024000100)


def test_all_digit_serial_has_an_empty_stem() -> None:
    serial_range = one(GEC_32)
    assert (serial_range.stem, serial_range.width, serial_range.first) == ("", 32, int(GEC_32))


def test_32_digit_range_counts_exactly() -> None:
    serial_range = one("00000000000000000000000000000001~00000000000000000000000000001000")
    assert serial_range.count == 1000
    whole = one("10000000000000000000000000000000 ~ 99999999999999999999999999999999")
    assert whole.count == 9 * 10**31
    assert isinstance(whole.count, int)


def test_arithmetic_is_exact_beyond_64_bits_and_floats() -> None:
    first = "9007199254740993" * 6  # 96 digits; 2**53 + 1 is where floats stop counting
    last = first[:-1] + "4"
    assert one(f"X{first}~X{last}").count == 2
    assert one(f"X{first}~X{last}").text() == f"X{first}~X{last}"


def test_empty_or_blank_text_gives_no_ranges() -> None:
    assert serials_parse("") == []
    assert serials_parse("  \n ; ;；\n\t") == []


def test_empty_items_are_ignored() -> None:
    assert [r.text() for r in serials_parse(";;A-1;; ;A-2;")] == ["A-1", "A-2"]


def test_semicolons_full_width_semicolons_and_newlines_separate_items() -> None:
    ranges = serials_parse("A-1;A-2；A-3\nA-4\r\nA-5~A-6")
    assert [r.text() for r in ranges] == ["A-1", "A-2", "A-3", "A-4", "A-5~A-6"]


def test_spaces_around_the_tilde_and_the_item_are_accepted() -> None:
    assert one("  GEC-1-0100 ~ GEC-1-0199  ").count == 100
    assert one("GEC-1-0100\u3000～\u3000GEC-1-0199").count == 100  # full-width spaces


def test_full_width_input_reads_as_meant() -> None:
    text = "ＧＥＣ－０２１０－２０２５－００１００１～ＧＥＣ－０２１０－２０２５－００４０００；ＧＥＣ－０２１０－２０２５－００５０００"
    ranges = serials_parse(text)
    assert [r.text() for r in ranges] == ["GEC-0210-2025-001001~GEC-0210-2025-004000", "GEC-0210-2025-005000"]
    assert ranges == serials_parse("GEC-0210-2025-001001~GEC-0210-2025-004000;GEC-0210-2025-005000")


def test_letter_case_is_kept() -> None:
    assert one("gec-1-0001").stem == "gec-1-"
    assert serials_parse("gec-1-0001;GEC-1-0001") == [SerialRange("gec-1-", 4, 1, 1), SerialRange("GEC-1-", 4, 1, 1)]


def test_serials_differing_in_leading_zeros_are_different_certificates() -> None:
    ranges = serials_parse("GEC-1-0100;GEC-1-100")
    assert [r.key for r in ranges] == [("GEC-1-", 4), ("GEC-1-", 3)]
    assert overlap_count(*ranges) == 0


# --- bad items ---------------------------------------------------------------------------------------


def test_range_that_runs_backwards_is_an_error() -> None:
    assert problems_of("GEC-1-0199~GEC-1-0100") == ["“GEC-1-0199~GEC-1-0100” runs backwards"]


def test_range_whose_ends_have_different_stems_is_an_error() -> None:
    assert problems_of("GEC-1-0100~GEC-2-0199") == [
        "“GEC-1-0100~GEC-2-0199”: the two ends differ in more than their final digits"
    ]


def test_range_whose_final_digits_differ_in_length_is_an_error() -> None:
    assert problems_of("GEC-1-99~GEC-1-100") == [
        "“GEC-1-99~GEC-1-100”: the two ends differ in more than their final digits"
    ]


def test_range_with_a_shortened_last_end_is_an_error() -> None:
    assert problems_of("GEC-1-0100~0199") == ["“GEC-1-0100~0199”: the two ends differ in more than their final digits"]


def test_serial_that_does_not_end_in_a_digit_is_an_error() -> None:
    assert problems_of("GEC-1-0100A") == ["“GEC-1-0100A” does not end in a number"]
    assert problems_of("GEC-1-0100~GEC-1-0199X") == ["“GEC-1-0199X” does not end in a number"]


def test_range_with_a_missing_end_is_an_error() -> None:
    assert problems_of("GEC-1-0100~") == ["“GEC-1-0100~”: a range needs a serial on both sides of “~”"]
    assert problems_of("~GEC-1-0100") == ["“~GEC-1-0100”: a range needs a serial on both sides of “~”"]


def test_item_with_two_tildes_is_an_error() -> None:
    assert problems_of("A-1~A-2~A-3") == ["“A-1~A-2~A-3” has more than one “~”"]


def test_serial_with_a_space_inside_is_an_error() -> None:
    assert problems_of("GEC-1-0100 GEC-1-0101") == ["“GEC-1-0100 GEC-1-0101” contains a space"]


def test_serial_longer_than_100_characters_is_an_error() -> None:
    assert one("A" * 99 + "1").width == 1
    [problem] = problems_of("A" * 100 + "1")
    assert problem.endswith("is longer than 100 characters")
    assert len(problem) < 120


def test_more_than_10000_items_is_an_error() -> None:
    assert len(serials_parse(";".join(f"A-{n:05}" for n in range(MAX_ITEMS)))) == MAX_ITEMS
    assert problems_of(";".join(f"A-{n:05}" for n in range(MAX_ITEMS + 1))) == [
        "10,001 items on one line: at most 10,000 are allowed"
    ]


def test_every_bad_item_is_listed_in_order() -> None:
    assert problems_of("A-2~A-1;A-5;B;C-1~D-1") == [
        "“A-2~A-1” runs backwards",
        "“B” does not end in a number",
        "“C-1~D-1”: the two ends differ in more than their final digits",
    ]


def test_huge_range_is_counted_not_expanded() -> None:
    serial_range = one("X-" + "0" * 98 + "~X-" + "9" * 98)
    assert serial_range.count == 10**98
    assert serials_parse(serials_text([serial_range])) == [serial_range]


# --- the same certificate twice ----------------------------------------------------------------------


def test_repeated_serial_is_an_error() -> None:
    assert problems_of("GEC-1-0100;GEC-2-0001;GEC-1-0100") == ["certificate GEC-1-0100 is listed twice"]


def test_certificate_listed_three_times_is_reported_once() -> None:
    assert problems_of("A-1;A-1;A-1") == ["certificate A-1 is listed twice"]


def test_overlapping_ranges_are_an_error_naming_the_overlap() -> None:
    text = "GEC-0210-2025-001001~GEC-0210-2025-004000;GEC-0210-2025-003901~GEC-0210-2025-004400"
    assert problems_of(text) == ["certificates GEC-0210-2025-003901~GEC-0210-2025-004000 (100) are listed twice"]


def test_serial_inside_a_range_is_listed_twice() -> None:
    assert problems_of("A-0100~A-0199;A-0150") == ["certificate A-0150 is listed twice"]


def test_range_inside_a_longer_earlier_range_is_found() -> None:
    # The second range ends before the first: the third still overlaps the first, not the second.
    assert problems_of("A-10~A-90;A-20~A-30;A-50~A-60") == [
        "certificates A-20~A-30 (11) are listed twice",
        "certificates A-50~A-60 (11) are listed twice",
    ]


def test_adjacent_ranges_do_not_overlap() -> None:
    assert [r.count for r in serials_parse("A-0100~A-0199;A-0200~A-0299;A-0300")] == [100, 100, 1]


def test_overlap_of_huge_ranges_is_named_briefly() -> None:
    first = "X-" + "0" * 98 + "~X-" + "9" * 98
    second = "X-" + "5" * 98
    [problem] = problems_of(f"{first};{second}")
    assert problem.startswith("certificate X-5555")
    assert "…" in problem
    assert len(problem) < 100
    [problem] = problems_of(f"{first};{first}")
    assert "1.000000E+98" in problem
    assert "~X-999999999999…99999999999999 " in problem
    assert len(problem) < 120


def test_bad_items_and_duplicates_are_all_reported() -> None:
    assert problems_of("A-1;A-9~A-2;A-1") == ["“A-9~A-2” runs backwards", "certificate A-1 is listed twice"]


def test_messages_hold_nothing_like_html() -> None:
    for text in ("A-2~A-1", "A-1~B-2", "A", "A-1;A-1", "A-1~A-5;A-2~A-3", "A-1~", "A-1~A-2~A-3", "A 1"):
        for problem in problems_of(text):
            assert not set(problem) & set("<>&")


# --- the line's checks -------------------------------------------------------------------------------


def test_count_equal_to_the_quantity_passes() -> None:
    ranges = serials_parse("GEC-0210-2025-001001~GEC-0210-2025-004000")
    assert serials_check(ranges, Decimal("3000")) == []
    assert serials_check(ranges, Decimal("3000.000")) == []


def test_count_different_from_the_quantity_is_an_error() -> None:
    ranges = serials_parse("GEC-0210-2025-001001~GEC-0210-2025-004000")
    assert serials_check(ranges, Decimal("2999")) == ["the serials count 3,000 certificates, the quantity is 2,999 MWh"]
    assert serials_check(ranges, Decimal("12000")) == [
        "the serials count 3,000 certificates, the quantity is 12,000 MWh"
    ]


def test_serials_for_a_quantity_of_0_are_an_error() -> None:
    ranges = serials_parse("A-1")
    assert serials_check(ranges, Decimal("0")) == ["serials are given for a quantity of 0"]
    assert serials_check(ranges, Decimal("0.000")) == ["serials are given for a quantity of 0"]


def test_quantity_that_is_not_a_whole_number_with_serials_is_an_error() -> None:
    ranges = serials_parse("A-1~A-3")
    assert serials_check(ranges, Decimal("2.5")) == ["2.5 MWh is not a whole number of certificates"]
    assert serials_check(ranges, Decimal("3.001")) == ["3.001 MWh is not a whole number of certificates"]


def test_no_serials_pass_any_quantity() -> None:
    for quantity in ("0", "2.5", "3000"):
        assert serials_check([], Decimal(quantity)) == []


def test_count_of_several_items_is_their_sum() -> None:
    ranges = serials_parse("GEC-0440-2025-000451~GEC-0440-2025-000699;GEC-0440-2025-000800")
    assert serials_check(ranges, Decimal("249")) == ["the serials count 250 certificates, the quantity is 249 MWh"]


def test_checks_are_exact_for_32_digit_counts() -> None:
    ranges = serials_parse("10000000000000000000000000000000~99999999999999999999999999999999")
    assert serials_check(ranges, Decimal(9 * 10**31)) == []
    [problem] = serials_check(ranges, Decimal(9 * 10**31 - 1))
    assert problem.startswith("the serials count 9.000000E+31 certificates")


def test_messages_about_huge_quantities_stay_short() -> None:
    ranges = serials_parse("A-1")
    for quantity in (Decimal("9" * 10_000), Decimal("1E+10000"), Decimal("0." + "1" * 10_000)):
        [problem] = serials_check(ranges, quantity)
        assert len(problem) < 100


# --- canonical text ----------------------------------------------------------------------------------


def test_canonical_text_writes_singles_and_ranges() -> None:
    ranges = [SerialRange("GEC-1-", 4, 100, 199), SerialRange("GEC-1-", 4, 300, 300), SerialRange("", 3, 7, 9)]
    assert serials_text(ranges) == "GEC-1-0100~GEC-1-0199;GEC-1-0300;007~009"
    assert serials_parse(serials_text(ranges)) == ranges


def test_canonical_text_of_pasted_input_is_tidy() -> None:
    ranges = serials_parse(" ＧＥＣ－1－0100 ～ GEC-1-0199 ；\n\nGEC-1-0300~GEC-1-0300 ")
    assert serials_text(ranges) == "GEC-1-0100~GEC-1-0199;GEC-1-0300"


def test_serial_range_refuses_what_it_could_not_write() -> None:
    for stem, width, first, last in [
        ("A-", 0, 0, 0),
        ("A-", 2, 5, 4),
        ("A-", 2, -1, 4),
        ("A-", 2, 1, 100),
        ("A1", 2, 1, 2),
        ("A;", 2, 1, 2),
        ("A ", 2, 1, 2),
        ("Ａ", 2, 1, 2),
    ]:
        with pytest.raises(ValueError):
            SerialRange(stem, width, first, last)


# --- overlaps with other lines -----------------------------------------------------------------------


def test_worked_ranges_share_100_certificates() -> None:
    a = one("GEC-0210-2025-001001~GEC-0210-2025-004000")
    b = one("GEC-0210-2025-003901~GEC-0210-2025-004400")
    assert overlap_count(a, b) == overlap_count(b, a) == 100
    assert excluded_count([b], [a]) == 100


def test_ranges_with_different_keys_share_nothing() -> None:
    assert overlap_count(SerialRange("A-", 4, 1, 10), SerialRange("B-", 4, 1, 10)) == 0
    assert overlap_count(SerialRange("A-", 4, 1, 10), SerialRange("A-", 3, 1, 10)) == 0
    assert overlap_count(SerialRange("A-", 4, 1, 10), SerialRange("A-", 4, 11, 20)) == 0


def test_excluded_count_counts_a_certificate_in_several_other_lines_once() -> None:
    own = [SerialRange("A-", 4, 1, 100)]
    others = [SerialRange("A-", 4, 50, 149), SerialRange("A-", 4, 90, 95), SerialRange("A-", 4, 51, 60)]
    assert excluded_count(own, others) == 51


def test_excluded_count_sums_over_own_ranges_and_keys() -> None:
    own = [SerialRange("A-", 4, 1, 10), SerialRange("A-", 4, 21, 30), SerialRange("B-", 4, 1, 10)]
    others = [SerialRange("A-", 4, 5, 25), SerialRange("B-", 4, 10, 10), SerialRange("C-", 4, 1, 10)]
    assert excluded_count(own, others) == 6 + 5 + 1


def test_excluded_count_is_0_without_others() -> None:
    assert excluded_count([SerialRange("A-", 4, 1, 10)], []) == 0
    assert excluded_count([], [SerialRange("A-", 4, 1, 10)]) == 0


def test_excluded_count_is_exact_for_huge_ranges() -> None:
    own = [SerialRange("", 32, 0, 10**32 - 1)]
    others = [SerialRange("", 32, 10**31, 10**32 - 1), SerialRange("", 32, 1, 10**31)]
    assert excluded_count(own, others) == 10**32 - 1


# --- properties --------------------------------------------------------------------------------------

STEMS = st.sampled_from(["", "GEC-", "GEC-0530-2024-", "I-REC-", "a/b.", "X1Y"])


@st.composite
def disjoint_ranges(draw: st.DrawFn) -> list[SerialRange]:
    """Ranges that share no certificate, over a few keys, in any order."""
    keys = draw(st.lists(st.tuples(STEMS, st.integers(1, 40)), min_size=1, max_size=4, unique=True))
    ranges: list[SerialRange] = []
    for stem, width in keys:
        cursor = 0
        for gap, length in draw(st.lists(st.tuples(st.integers(0, 10**30), st.integers(1, 10**30)), max_size=6)):
            first = cursor + gap
            last = first + length - 1
            if last >= 10**width:
                break
            ranges.append(SerialRange(stem, width, first, last))
            cursor = last + 1
    return draw(st.permutations(ranges))


@st.composite
def small_ranges(draw: st.DrawFn, key: tuple[str, int] | None = None) -> SerialRange:
    """A range of fewer than 200 certificates in a small space, so that ranges often overlap."""
    stem, width = key or draw(st.sampled_from([("A-", 3), ("A-", 4), ("B-", 3)]))
    first = draw(st.integers(0, 400))
    return SerialRange(stem, width, first, first + draw(st.integers(0, 199)))


def certificates(ranges: list[SerialRange]) -> set[tuple[str, int, int]]:
    return {(r.stem, r.width, n) for r in ranges for n in range(r.first, r.last + 1)}


@given(disjoint_ranges())
def test_canonical_text_parses_back_to_the_same_ranges(ranges: list[SerialRange]) -> None:
    assert serials_parse(serials_text(ranges)) == ranges


@given(
    st.integers(0, 10**40),
    st.lists(st.integers(1, 10**38), min_size=1, max_size=8),
    st.integers(0, 10**40),
    st.integers(0, 10**39),
)
def test_splitting_a_range_keeps_its_count_and_its_overlap_with_another(
    first: int, lengths: list[int], third_first: int, third_length: int
) -> None:
    pieces, cursor = [], first
    for length in lengths:
        pieces.append(SerialRange("GEC-", 42, cursor, cursor + length - 1))
        cursor += length
    whole = SerialRange("GEC-", 42, first, cursor - 1)
    third = SerialRange("GEC-", 42, third_first, third_first + third_length)
    assert sum(piece.count for piece in pieces) == whole.count
    assert serials_parse(serials_text(pieces)) == pieces
    assert excluded_count(pieces, [third]) == excluded_count([whole], [third]) == overlap_count(whole, third)
    assert sum(overlap_count(piece, third) for piece in pieces) == overlap_count(whole, third)


@given(st.lists(small_ranges(), max_size=5), st.lists(small_ranges(), max_size=6))
def test_excluded_count_equals_the_brute_force_count(own: list[SerialRange], others: list[SerialRange]) -> None:
    own_disjoint: list[SerialRange] = []
    for candidate in own:
        if all(overlap_count(candidate, kept) == 0 for kept in own_disjoint):
            own_disjoint.append(candidate)
    assert excluded_count(own_disjoint, others) == len(certificates(own_disjoint) & certificates(others))


@given(small_ranges(), small_ranges())
def test_overlap_count_is_symmetric_and_equals_the_brute_force_count(a: SerialRange, b: SerialRange) -> None:
    assert overlap_count(a, b) == overlap_count(b, a) == len(certificates([a]) & certificates([b]))


@given(st.lists(small_ranges(key=("A-", 3)), min_size=1, max_size=6))
def test_parse_finds_a_duplicate_exactly_when_brute_force_does(ranges: list[SerialRange]) -> None:
    text = serials_text(ranges)
    listed_twice = len(certificates(ranges)) < sum(r.count for r in ranges)
    if listed_twice:
        assert problems_of(text)
    else:
        assert serials_parse(text) == ranges
