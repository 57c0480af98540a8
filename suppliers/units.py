"""Energy units as suppliers' bills give them, and their conversion to MWh (exact, Decimal)."""

import re
import unicodedata
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _


class EnergyUnit(models.TextChoices):
    KWH = "kWh", "kWh"
    MWH = "MWh", "MWh"
    GWH = "GWh", "GWh"
    WAN_KWH = "万kWh", _("10,000 kWh (万kWh)")


MWH_PER_UNIT: dict[str, Decimal] = {
    EnergyUnit.KWH: Decimal("0.001"),
    EnergyUnit.MWH: Decimal("1"),
    EnergyUnit.GWH: Decimal("1000"),
    EnergyUnit.WAN_KWH: Decimal("10"),
}

_ALIASES = {
    "kwh": EnergyUnit.KWH,
    "千瓦时": EnergyUnit.KWH,
    "度": EnergyUnit.KWH,
    "mwh": EnergyUnit.MWH,
    "兆瓦时": EnergyUnit.MWH,
    "gwh": EnergyUnit.GWH,
    "吉瓦时": EnergyUnit.GWH,
    "万kwh": EnergyUnit.WAN_KWH,
    "万千瓦时": EnergyUnit.WAN_KWH,
    "万度": EnergyUnit.WAN_KWH,
}


# The dot or dash people put between kW and h (kW·h, kW.h, kW-h, kW*h) and between 千瓦 and 时.
_JOINERS = re.compile(r"[·・•⋅‧∙.*×\-]")


class UnknownUnit(ValueError):
    pass


def unit_parse(value: str) -> EnergyUnit:
    """The unit named by its symbol in any case (kWh, KWH, kW·h), or its Chinese name (千瓦时, 度,
    万千瓦时, 万度, 兆瓦时, 吉瓦时), in half- or full-width characters."""
    key = _JOINERS.sub("", "".join(unicodedata.normalize("NFKC", str(value)).split())).lower()
    if key in _ALIASES:
        return _ALIASES[key]
    raise UnknownUnit(_("“%(value)s” is not a unit: use kWh, MWh, GWh or 万kWh.") % {"value": value})


def to_mwh(amount: Decimal, unit: str) -> Decimal:
    return amount * MWH_PER_UNIT[unit]
