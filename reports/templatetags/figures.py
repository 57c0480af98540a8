"""{{ value|figure:3 }}: a figure as reports.documents.numbers writes it everywhere else."""

from decimal import Decimal

from django import template

from reports.documents.numbers import figure_text

register = template.Library()


@register.filter
def figure(value: Decimal | int | float | str | None, decimals: int | str = 3) -> str:
    return figure_text(value, int(decimals))
