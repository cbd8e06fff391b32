"""Printable documents: a Django template rendered to HTML, then to PDF by WeasyPrint.

The templates carry their own page size and fonts (`@page`, `font-family`). Resources are
fetched only from `data:` URIs and from under `base_url` when one is given: a form never
reaches out to the network or the file system for something its HTML names by accident.
"""

from typing import Any

import segno
from django.template.loader import render_to_string
from weasyprint import HTML, default_url_fetcher  # type: ignore[import-untyped]
from weasyprint.urls import ensure_url  # type: ignore[import-untyped]


class _Fetcher:
    """WeasyPrint's fetcher, limited to data URIs and the files under the base URL."""

    def __init__(self, base_url: str | None) -> None:
        self.allowed = ["data:"]
        if base_url:
            self.allowed.append(ensure_url(base_url))

    def __call__(self, url: str, timeout: int = 10, ssl_context: Any = None) -> dict[str, Any]:
        if not any(url.startswith(prefix) for prefix in self.allowed):
            raise ValueError(f"Resource outside the document's base: {url[:80]}")
        fetched: dict[str, Any] = default_url_fetcher(url, timeout=timeout, ssl_context=ssl_context)
        return fetched


def render_pdf(
    template_name: str, context: dict[str, Any], *, base_url: str | None = None
) -> bytes:
    """Render a template to HTML and the HTML to PDF bytes."""
    html = render_to_string(template_name, context)
    document = HTML(string=html, base_url=base_url, url_fetcher=_Fetcher(base_url))
    pdf: bytes = document.write_pdf()
    return pdf


def qr_svg_data_uri(text: str) -> str:
    """A QR code (never a Micro QR) of the text, as an SVG data URI for an <img src>."""
    qr = segno.make_qr(text, error="m")
    # scale 1 with a 4-module quiet zone: the <img> is sized in millimetres by the CSS.
    return qr.svg_data_uri(scale=1, border=4)
