"""Printable documents: a Django template rendered to HTML, then to PDF by WeasyPrint.

The templates carry their own page size and font sizes (`@page`, `font-size`) and ask for
the family `egov.core.fonts.FAMILY`, whose files every rendering brings along (`@font-face`
rules from `egov.core.fonts`): how a form breaks into pages never depends on the fonts the
machine has. Resources are fetched only from `data:` URIs, those font files and from under
`base_url` when one is given: a form never reaches out to the network or the file system for
something its HTML names by accident.
"""

from typing import Any

import segno
from django.template.loader import render_to_string

from egov.core import fonts

# WeasyPrint (some 35 MB once imported) is imported by the first print, not with the site:
# a web worker that never prints a form does not carry it (docs/performance.md, memory).


class _Fetcher:
    """WeasyPrint's fetcher, limited to data URIs, the forms' font files and the files under
    the base URL."""

    def __init__(self, base_url: str | None) -> None:
        from weasyprint.urls import ensure_url  # type: ignore[import-untyped]

        self.allowed = ["data:", *(path.as_uri() for path in fonts.form_font_files().values())]
        if base_url:
            self.allowed.append(ensure_url(base_url))

    def __call__(self, url: str, timeout: int = 10, ssl_context: Any = None) -> dict[str, Any]:
        if not any(url.startswith(prefix) for prefix in self.allowed):
            raise ValueError(f"Resource outside the document's base: {url[:80]}")
        from weasyprint import default_url_fetcher  # type: ignore[import-untyped]

        fetched: dict[str, Any] = default_url_fetcher(url, timeout=timeout, ssl_context=ssl_context)
        return fetched


def render_pdf(
    template_name: str, context: dict[str, Any], *, base_url: str | None = None
) -> bytes:
    """Render a template to HTML and the HTML to PDF bytes, with the forms' own font."""
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration  # type: ignore[import-untyped]

    html = render_to_string(template_name, context)
    fetcher = _Fetcher(base_url)
    font_config = FontConfiguration()
    font_faces = CSS(string=fonts.font_face_css(), font_config=font_config, url_fetcher=fetcher)
    document = HTML(string=html, base_url=base_url, url_fetcher=fetcher)
    pdf: bytes = document.write_pdf(stylesheets=[font_faces], font_config=font_config)
    return pdf


def qr_svg_data_uri(text: str) -> str:
    """A QR code (never a Micro QR) of the text, as an SVG data URI for an <img src>."""
    qr = segno.make_qr(text, error="m")
    # scale 1 with a 4-module quiet zone: the <img> is sized in millimetres by the CSS.
    return qr.svg_data_uri(scale=1, border=4)
