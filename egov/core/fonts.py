"""The typeface the printable forms carry with them, so a form looks the same on every machine.

The forms are set in Tinos, the Times New Roman metric-compatible serif (Liberation Serif 2 is
built from it), installed from npm as whole TrueType files, one per style, each with every
Vietnamese letter (`@expo-google-fonts/tinos`, pinned in package-lock.json). WeasyPrint loads
them through `@font-face` rules under a family name of our own, so no font installed on the
machine (or missing from it) changes how a form breaks into pages.
"""

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

# The name the forms' CSS asks for; our own, so a system font can never stand in for it.
FAMILY = "MotCua Serif"
PACKAGE = "@expo-google-fonts/tinos"


@dataclass(frozen=True)
class Face:
    """One style of the family and its file inside the package."""

    style: str  # CSS font-style
    weight: int  # CSS font-weight
    file: str


FACES = (
    Face("normal", 400, "400Regular/Tinos_400Regular.ttf"),
    Face("italic", 400, "400Regular_Italic/Tinos_400Regular_Italic.ttf"),
    Face("normal", 700, "700Bold/Tinos_700Bold.ttf"),
    Face("italic", 700, "700Bold_Italic/Tinos_700Bold_Italic.ttf"),
)


class FormFontMissingError(ImproperlyConfigured):
    """The forms' font files are not where npm installs them."""


def form_font_files() -> dict[Face, Path]:
    """Each face's font file, checked to be there: a form must never fall back silently to
    whatever the machine has."""
    package = Path(settings.NODE_MODULES) / PACKAGE
    files = {face: package / face.file for face in FACES}
    missing = [str(path) for path in files.values() if not path.is_file()]
    if missing:
        raise FormFontMissingError(
            f"The printable forms' font ({PACKAGE} from npm) is missing: "
            f"{', '.join(missing)}. Install the front-end packages with `make install` "
            "(npm ci reads package-lock.json)."
        )
    return files


def font_face_css() -> str:
    """The `@font-face` rules that bind FAMILY to the installed files (file:// URLs)."""
    return "\n".join(
        f'@font-face {{ font-family: "{FAMILY}"; src: url("{path.as_uri()}"); '
        f"font-style: {face.style}; font-weight: {face.weight}; }}"
        for face, path in form_font_files().items()
    )
