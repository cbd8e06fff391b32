"""Small real files for the tests that upload one.

Every upload is opened and checked as what it claims to be (`egov.core.upload_content`), so a
test's scan must really be a PDF, a PNG or a JPEG: magic bytes and padding are refused.
"""

import io

from PIL import Image


def pdf(comment: bytes = b"", *, catalog: bytes = b"") -> bytes:
    """A blank one-page PDF. `comment` goes after the header as it is (lines starting with %):
    to tell two files apart, or to carry bytes a careless transport would mangle. `catalog`
    is added to the document's catalog (an /OpenAction, say)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R %s>>" % catalog,
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
    ]
    out = bytearray(b"%PDF-1.4\n" + comment)
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def image(image_format: str, size: tuple[int, int] = (8, 8)) -> bytes:
    """A small grey picture in `image_format` ("PNG", "JPEG") that really decodes."""
    out = io.BytesIO()
    Image.new("RGB", size, (128, 128, 128)).save(out, image_format)
    return out.getvalue()


PDF = pdf(b"%\xe2\xe3\xcf\xd3\n")
PNG = image("PNG")
JPEG = image("JPEG")
