"""Where a notice can go: a Vietnamese mobile number for SMS and Zalo, an e-mail address.
Pure checks of what people typed; nothing here reads the database."""

import re

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from egov.core.identifiers import normalise_phone

# 84 or 0 (or +84), then a mobile prefix (3, 5, 7, 8 or 9) and 8 digits: landlines (02x),
# foreign numbers and anything with letters cannot take an SMS or a Zalo message.
MOBILE_RE = re.compile(r"(?:\+84|84|0)([35789][0-9]{8})")
_LONGEST = 32


def mobile_number(phone: str) -> str | None:
    """The number as the gateways take it, "84912345678", from "0912 345 678",
    "+84 912.345.678" and the like; None when it is not a Vietnamese mobile number."""
    if not phone or len(phone) > _LONGEST:
        return None
    found = MOBILE_RE.fullmatch(normalise_phone(phone.strip()))
    return f"84{found[1]}" if found else None


def phone_display(phone: str) -> str:
    """ "0912 345 678", as a person reads a mobile number; what was given, if it is not one."""
    number = mobile_number(phone)
    if number is None:
        return phone.strip()
    local = f"0{number[2:]}"
    return f"{local[:4]} {local[4:7]} {local[7:]}"


def email_address(value: str) -> str | None:
    """The address, trimmed, when it is one a mail server can take; None otherwise."""
    value = (value or "").strip()
    if not value or len(value) > 254:
        return None
    try:
        validate_email(value)
    except ValidationError:
        return None
    return value
