"""Vietnamese text folding for accent-insensitive search.

"Đăng ký khai sinh" and "dang ky khai sinh" must find the same procedure on SQLite and on
PostgreSQL alike, so we store a folded copy of the searchable text and fold the query the same
way, rather than rely on a database extension (unaccent) that only one of them has.
"""

import unicodedata

# "đ" is a letter of its own, not "d" plus a combining mark, so NFD leaves it alone.
_SPECIAL = str.maketrans({"đ": "d", "Đ": "d"})


def fold(text: str) -> str:
    """Lower-case, strip diacritics, and keep only words: punctuation becomes a space, so
    "(địa phương)" folds to "dia phuong" and "1.001193" to "1 001193"."""
    decomposed = unicodedata.normalize("NFD", text.translate(_SPECIAL))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    words = "".join(ch if ch.isalnum() else " " for ch in stripped.lower())
    return " ".join(words.split())


def clean_text(text: str) -> str:
    """What a person typed, kept as typed but for control characters (line breaks and tabs
    stay) and the spaces around it: they break printing and exports, and hide text."""
    kept = "".join(
        char for char in text if char in "\n\t" or unicodedata.category(char) not in ("Cc", "Cs")
    )
    return unicodedata.normalize("NFC", kept).strip()
