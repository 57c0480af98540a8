"""The Unified Social Credit Code (统一社会信用代码) of GB 32100-2015.

18 characters from a 31-character alphabet (digits and capital letters without I, O, Z, S, V);
the 18th is a check character: 31 − (Σ value(c_i)·w_i mod 31), with 31 written as 0.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_VALUE = {c: i for i, c in enumerate(ALPHABET)}


def uscc_check_character(first17: str) -> str:
    total = sum(_VALUE[c] * w for c, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def validate_uscc(value: str) -> None:
    if len(value) != 18:
        raise ValidationError(
            _("A USCC has 18 characters; this one has %(n)d."), params={"n": len(value)}, code="length"
        )
    bad = sorted({c for c in value if c not in _VALUE})
    if bad:
        raise ValidationError(
            _("A USCC uses digits and capital letters except I, O, Z, S and V; “%(chars)s” is not allowed."),
            params={"chars": "".join(bad)},
            code="alphabet",
        )
    expected = uscc_check_character(value[:17])
    if value[17] != expected:
        raise ValidationError(
            _("The USCC's check character is wrong (GB 32100-2015): expected %(expected)s, found %(found)s."),
            params={"expected": expected, "found": value[17]},
            code="check",
        )
