"""The rules of one line, shared by the file import, the period page and the API.

Pure: text in, typed values or problems out, no database. Each parse function raises ValueError
with the message shown beside the column or field; line_check returns (column, problem) pairs for
the rules across a line's values. The database's constraints repeat the ones that must never break.
"""

import re
import unicodedata
from decimal import Decimal, localcontext

from django.utils.translation import gettext as _

from suppliers.models import CertificateClaim
from suppliers.serials import SerialRange, SerialsInvalid, serials_check, serials_parse
from suppliers.units import to_mwh

QUANTITY_FIELDS = {
    "total_electricity": "total_electricity_mwh",
    "onsite_renewable": "onsite_renewable_mwh",
    "green_power_trading": "green_power_trading_mwh",
    "gec": "gec_mwh",
    "irec": "irec_mwh",
}
# The certificate serials' column for each instrument, and the quantity they must add up to.
SERIAL_COLUMNS = {"gec_serials": "gec_mwh", "irec_serials": "irec_mwh"}
SERIAL_INSTRUMENTS = {"gec_serials": CertificateClaim.Instrument.GEC, "irec_serials": CertificateClaim.Instrument.IREC}
MWH_QUANTUM = Decimal("0.000001")
MAX_LINE_MWH = Decimal("100000000")  # 100 TWh: far above the largest plant; a bigger figure is a typo
# Thousands grouped by commas or by single spaces (1,234,567 or 1 234 567), or no grouping.
_NUMBER = re.compile(r"^\+?(?:\d{1,3}(?:,\d{3})+|\d{1,3}(?: \d{3})+|\d+)(?:\.\d+)?$")
# Scientific notation as Excel writes a large or small number into a CSV file: 1.25E+06.
_SCIENTIFIC = re.compile(r"^\+?\d+(?:\.\d+)?[eE][+-]?\d{1,3}$")
# A comma or a point that may be the decimal mark: 1,5 and 1.250.000,5 (European) or 12,34.
_AMBIGUOUS = re.compile(r"^[+-]?(?:\d+,\d{1,2}|\d+,\d{4,}|\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d{1,3}(?:[ ,]\d{3})*,\d{1,2})$")
_PLAIN = re.compile(r"[0-9]+(?:\.[0-9]+)?")
_BATCH_ID = re.compile(r"^[A-Z0-9][A-Z0-9._/-]{0,99}$")


def number_parse(text: str) -> Decimal:
    """A non-negative decimal as people type it: thousands separated by commas or spaces,
    full-width digits, Excel's scientific notation (1.25E+06); -0 is 0. Ambiguous decimal marks
    and words are refused with a message saying how to write the number."""
    if _PLAIN.fullmatch(text):  # digits and a point, as most files write a number: nothing to normalise
        return Decimal(text)
    normal = unicodedata.normalize("NFKC", text).strip()
    negative = normal.startswith("-")
    digits = normal[1:] if negative else normal
    if not (_NUMBER.match(digits) or _SCIENTIFIC.match(digits)) or (digits.startswith("+") and negative):
        if _AMBIGUOUS.match(normal):
            raise ValueError(
                _(
                    "“%(value)s” is ambiguous: write the decimal mark as a point and group thousands with "
                    "commas or spaces, such as 1,250,000.5"
                )
                % {"value": text}
            )
        raise ValueError(
            _("“%(value)s” is not a number: write it in digits, such as 1250000, 1,250,000.5 or 1.25E+06")
            % {"value": text}
        )
    number = Decimal(digits.replace(",", "").replace(" ", ""))  # the patterns admit only valid decimals
    if negative and number != 0:
        raise ValueError(_("must not be negative"))
    if number.as_tuple().exponent > 0:
        # 1.25E+06 is 1250000, kept without an exponent as a typed 1250000 is.
        with localcontext(prec=number.adjusted() + 1):
            number = number.quantize(Decimal(1))
    return abs(number) if number == 0 else number  # -0 is 0


def share_text(typed: str) -> str:
    """A share as typed without its percent sign, half-width % or full-width ％, and spaces."""
    text = typed.strip()
    return text[:-1].strip() if text.endswith(("%", "％")) else text


def quantity_parse(text: str, unit: str) -> Decimal:
    """A quantity typed in `unit`, in MWh."""
    amount = number_parse(text)
    # Converted exactly: rounded to the context's 28 digits, 1000.000…0001 would pass as 1000.
    with localcontext(prec=len(amount.as_tuple().digits) + 8):
        mwh = to_mwh(amount, unit)
    # Size first: quantize() of a number with more digits than the context holds raises.
    if mwh > MAX_LINE_MWH:
        shown = f"{mwh:,}" if mwh.adjusted() < 15 else f"{mwh:.3E}"  # not 400 digits in a message
        raise ValueError(_("%(value)s MWh is implausibly large for one site; check the unit") % {"value": shown})
    if mwh != mwh.quantize(MWH_QUANTUM):
        raise ValueError(_("has more decimal places than 0.000001 MWh (1 Wh)"))
    return mwh


def share_parse(text: str) -> Decimal:
    """A BMW share in percent, 0 to 100 with up to 4 decimals (its percent sign removed by share_text)."""
    share = number_parse(text)
    if share > 100:
        raise ValueError(_("must be between 0 and 100"))
    if share != share.quantize(Decimal("0.0001")):
        raise ValueError(_("has more than 4 decimal places"))
    return share


def certificate_ids_parse(text: str) -> tuple[list[str], list[str]]:
    """The batch IDs of a `;`-separated list, upper-cased, and a problem for each bad or repeated one."""
    certificate_ids: list[str] = []
    problems: list[str] = []
    for raw_id in text.replace("；", ";").split(";"):
        batch_id = unicodedata.normalize("NFKC", raw_id).strip().upper()
        if not batch_id:
            continue
        if not _BATCH_ID.match(batch_id):
            problems.append(_("“%(value)s” is not a certificate batch ID") % {"value": raw_id.strip()})
        elif batch_id in certificate_ids:
            problems.append(_("“%(value)s” is listed twice") % {"value": batch_id})
        else:
            certificate_ids.append(batch_id)
    return certificate_ids, problems


def certificate_serials_parse(text: str) -> tuple[list[SerialRange], list[str]]:
    """The serials and ranges of one instrument's column, and every problem of them."""
    try:
        return serials_parse(text), []
    except SerialsInvalid as error:
        return [], list(error.problems)


def line_check(
    quantities_mwh: dict[str, Decimal], certificate_ids: list[str], serials: dict[str, list[SerialRange]]
) -> list[tuple[str, str]]:
    """The rules across a valid line's values, as (column, problem): green ≤ total; the
    certificates named, by serials that add up to each quantity or by batch IDs, never both."""
    problems = []
    total = quantities_mwh["total_electricity_mwh"]
    green = sum((quantities_mwh[f] for f in QUANTITY_FIELDS.values() if f != "total_electricity_mwh"), Decimal(0))
    if green > total:
        problems.append(
            (
                "total_electricity",
                _("the green quantities add up to %(green)s MWh, more than the total of %(total)s MWh")
                % {"green": f"{green.normalize():,f}", "total": f"{total.normalize():,f}"},
            )
        )
    with_serials = any(serials.get(column) for column in SERIAL_COLUMNS)
    if with_serials and certificate_ids:
        problems.append(("certificate_ids", _("give either certificate serials or batch IDs on a line, not both")))
    for column, field in SERIAL_COLUMNS.items():
        ranges = serials.get(column, [])
        problems += [(column, message) for message in serials_check(ranges, quantities_mwh[field])]
        if with_serials and not ranges and quantities_mwh[field] > 0:
            problems.append(
                (column, _("are required for this quantity too, since the line gives serials for the other"))
            )
    certificates = quantities_mwh["gec_mwh"] > 0 or quantities_mwh["irec_mwh"] > 0
    if certificates and not certificate_ids and not with_serials:
        # Serials are the preferred form, but the message the suppliers know names the batch IDs.
        problems.append(("certificate_ids", _("are required when GEC or I-REC quantities are reported")))
    return problems


def certificate_instrument(batch_id: str, quantities_mwh: dict[str, Decimal]) -> str:
    """GEC or I-REC: the only instrument the line reports, else told by the batch ID's prefix."""
    gec, irec = quantities_mwh["gec_mwh"] > 0, quantities_mwh["irec_mwh"] > 0
    if irec and not gec:
        return CertificateClaim.Instrument.IREC
    if gec and not irec:
        return CertificateClaim.Instrument.GEC
    return (
        CertificateClaim.Instrument.IREC if batch_id.startswith(("IREC", "I-REC")) else CertificateClaim.Instrument.GEC
    )
