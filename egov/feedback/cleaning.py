"""Text from the public, made safe to keep and show: pure functions, no database.

Control characters (other than line breaks in long text) and invisible format characters
(zero-width spaces, bidirectional overrides that make text read backwards) are removed; the
text is put in Unicode NFC, so "Đăng ký" typed with combining marks is stored as one form.
Text that looks like a spreadsheet formula ("=HYPERLINK(...)") is kept as written: it is text
here, and any export to a spreadsheet must escape it there.
"""

import re
import unicodedata

_BLANK_LINES = re.compile(r"\n{3,}")
_SPACES = re.compile(r"[ \t\u00a0]+")


def _visible(ch: str) -> bool:
    category = unicodedata.category(ch)
    if ch == "\n":
        return True
    # Cc: control characters; Cf: invisible formatting (ZWSP, bidi overrides, BOM...);
    # Cs/Co/Cn: surrogates, private use, unassigned.
    return category not in {"Cc", "Cf", "Cs", "Co", "Cn"}


def clean_text(value: str) -> str:
    """Long text: lines kept (at most one empty line in a row), spaces tidied."""
    text = unicodedata.normalize("NFC", value.replace("\r\n", "\n").replace("\r", "\n"))
    text = text.replace("\t", " ")
    text = "".join(ch for ch in text if _visible(ch))
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def clean_line(value: str) -> str:
    """One line (a name, a title, a code): line breaks become spaces."""
    return " ".join(clean_text(value).split())


# What a published text must not carry: contacts and identity numbers the sender typed in.
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_PHONE = re.compile(r"(?<!\d)(\+84|0)([\s.\-]?\d){9,10}(?!\d)")
_ID_NUMBER = re.compile(r"(?<!\d)\d{9,12}(?!\d)")


def redact(text: str, *, names: tuple[str, ...] = ()) -> str:
    """The text with e-mail addresses, phone numbers, identity numbers and the given full
    names (of two words or more, as whole words: "An" alone would eat "An Giang") masked: the
    starting point of the public version, which staff may still edit."""
    text = _EMAIL.sub("[thư điện tử]", text)
    text = _PHONE.sub("[số điện thoại]", text)
    text = _ID_NUMBER.sub("[số giấy tờ]", text)
    for name in names:
        words = name.split()
        if len(words) >= 2:
            phrase = r"\s+".join(re.escape(word) for word in words)
            text = re.sub(rf"(?<!\w){phrase}(?!\w)", "[họ tên]", text, flags=re.IGNORECASE)
    return text
