"""Uploaded files: what they really are, whatever their name says.

The type is sniffed from the first bytes and must agree with the file's extension; then the
content is opened as that type and checked (`upload_content`: no macros, scripts or bombs, and
it must really decode); names are reduced to safe characters; the size is bounded. Files are
stored through Django's storage under a random name, outside any web root, and served only by
views that check who asks.
"""

import hashlib
import re
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePath
from typing import IO

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload

from . import upload_content
from .errors import DomainError

# Extension → the sniffed type it must be.
ALLOWED = {
    ".pdf": "application/pdf",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".xml": "application/xml",
}
# Sniffed type → the check of what is inside: the reason to refuse it, or None.
CONTENT_CHECKS: dict[str, Callable[..., str | None]] = {
    "application/pdf": upload_content.pdf_problem,
    "image/jpeg": upload_content.jpeg_problem,
    "image/png": upload_content.png_problem,
    ALLOWED[".docx"]: upload_content.ooxml_problem,
    ALLOWED[".xlsx"]: upload_content.ooxml_problem,
    "application/xml": upload_content.xml_problem,
}
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
_HEAD = 512


class UploadError(DomainError):
    def __init__(self, message: str) -> None:
        super().__init__(message, code="bad_upload")


@dataclass(frozen=True)
class CheckedFile:
    name: str  # safe to store and to send back in Content-Disposition
    content_type: str
    size: int
    sha256: str


def safe_name(name: str) -> str:
    """ "Giấy khai sinh (bản sao).PDF" → "Giay-khai-sinh-ban-sao.pdf": no path, no oddities."""
    base = PurePath(name.replace("\\", "/")).name
    stem, dot, extension = base.rpartition(".")
    if not dot:
        stem, extension = base, ""
    ascii_stem = unicodedata.normalize("NFKD", stem.replace("đ", "d").replace("Đ", "D"))
    ascii_stem = ascii_stem.encode("ascii", "ignore").decode()
    cleaned = _SAFE_NAME.sub("-", ascii_stem).strip("-.")[:100] or "tep"
    return f"{cleaned}.{extension.lower()}" if extension else cleaned


def _is_ooxml(stream: IO[bytes], part: str) -> bool:
    try:
        with zipfile.ZipFile(stream) as archive:
            names = set(archive.namelist())
    except Exception:  # zipfile raises many kinds on a damaged archive, not only BadZipFile
        return False
    finally:
        stream.seek(0)
    return "[Content_Types].xml" in names and any(n.startswith(part) for n in names)


def sniff(stream: IO[bytes]) -> str | None:
    """The type the content says it is, among the allowed ones; None for anything else."""
    head = stream.read(_HEAD)
    stream.seek(0)
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"PK\x03\x04"):
        if _is_ooxml(stream, "word/"):
            return ALLOWED[".docx"]
        if _is_ooxml(stream, "xl/"):
            return ALLOWED[".xlsx"]
        return None
    text = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    if text.startswith(b"<?xml"):
        return "application/xml"
    return None


def check_upload(stream: IO[bytes], *, name: str, size: int, max_bytes: int) -> CheckedFile:
    """Refuse what is too big, empty, of a type we do not take, not what its name says, or
    whose content is unsafe or damaged (the reason, in Vietnamese, is the error's message)."""
    if size <= 0:
        raise UploadError("Tệp rỗng.")
    if size > max_bytes:
        raise UploadError(f"Tệp lớn quá {max_bytes // (1024 * 1024)} MB.")
    cleaned = safe_name(name)
    extension = PurePath(cleaned).suffix.lower()
    if extension not in ALLOWED:
        raise UploadError("Chỉ nhận tệp PDF, JPEG, PNG, DOCX, XLSX hoặc XML.")
    sniffed = sniff(stream)
    if sniffed != ALLOWED[extension]:
        raise UploadError("Nội dung tệp không đúng với phần mở rộng của tên tệp.")
    problem = CONTENT_CHECKS[sniffed](stream, max_bytes=max_bytes)
    if problem:
        raise UploadError(problem)
    digest = hashlib.sha256()
    for chunk in iter(lambda: stream.read(1024 * 1024), b""):
        digest.update(chunk)
    stream.seek(0)
    return CheckedFile(name=cleaned, content_type=sniffed, size=size, sha256=digest.hexdigest())


class SizeLimitUploadHandler(FileUploadHandler):
    """Stops reading an upload as soon as it passes the size limit, before anything of it is
    spooled to disk: a file that is too big costs a few chunks, not the whole disk."""

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        if start + len(raw_data) > settings.MOTCUA_UPLOAD_MAX_MB * 1024 * 1024:
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None
