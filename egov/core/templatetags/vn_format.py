"""Number formats as Vietnamese documents write them: 1.250.000 đồng."""

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def thousands(value: int | Decimal | None) -> str:
    """Group thousands with dots. Django's vi locale sets no grouping, so intcomma won't."""
    if value is None:
        return ""
    return f"{int(value):,}".replace(",", ".")


@register.filter
def decimal_vn(value: Decimal | int | None) -> str:
    """1.50 → "1,5", 8.00 → "8": no trailing zeros, a decimal comma as Vietnamese writes it."""
    if value is None:
        return ""
    text = f"{Decimal(value).normalize():f}"
    return text.replace(".", ",")
