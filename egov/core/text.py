"""Vietnamese text folding for accent-insensitive search.

"Đăng ký khai sinh" and "dang ky khai sinh" must find the same procedure on SQLite and on
PostgreSQL alike, so we store a folded copy of the searchable text and fold the query the same
way, rather than rely on a database extension (unaccent) that only one of them has.
"""

import unicodedata

# "đ" is a letter of its own, not "d" plus a combining mark, so NFD leaves it alone.
_SPECIAL = str.maketrans({"đ": "d", "Đ": "d"})


def fold(text: str) -> str:
    """Lower-case, strip diacritics, and collapse white space."""
    decomposed = unicodedata.normalize("NFD", text.translate(_SPECIAL))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.lower().split())
