"""What the models of suppliers share: the code format and the MWh field."""

from decimal import Decimal

from django.core.validators import MinValueValidator, RegexValidator
from django.utils.translation import gettext_lazy as _

code_validator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9._-]{0,19}$",
    _("Use up to 20 letters, digits, dots, dashes or underscores."),
)

# MWh with six decimals holds a kWh figure to the Wh; 14 integer digits are far beyond any site.
MWH = {"max_digits": 20, "decimal_places": 6}
NON_NEGATIVE = [MinValueValidator(Decimal(0))]
