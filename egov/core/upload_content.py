"""What is inside an upload, once `files.sniff` has said what type it is.

Sniffing reads the first bytes; these checks open the file the way the program that shows it
will, and refuse what could act on the officer's or the citizen's computer (macros, scripts,
a page the browser would run), what would exhaust our server (zip and pixel bombs) and what
is not really of its type (a damaged file nobody could read at the desk either). Each check
returns the Vietnamese reason for refusing, or None when the file may be stored; each leaves
the stream at its start. They never unpack a whole archive or run anything in the file.
"""

import io
import re
import threading
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any
from xml.etree.ElementTree import ParseError

import defusedxml.ElementTree
from PIL import Image, ImageFile
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

# --------------------------------------------------------------------------- Word and Excel

OOXML_MACROS = "Tệp Word/Excel có macro; hãy lưu lại dưới dạng .docx/.xlsx không có macro."
OOXML_PATHS = "Tệp Word/Excel chứa tên phần không hợp lệ (đường dẫn ra ngoài tệp)."
OOXML_BOMB = "Tệp Word/Excel khi giải nén quá lớn so với dung lượng; hệ thống không nhận tệp này."
OOXML_BROKEN = "Tệp Word/Excel bị hỏng hoặc không mở được; hãy lưu lại tệp rồi gửi lại."

# A zip bomb is small on the wire and huge unpacked: bound the parts, their total and each
# part's ratio. The total is ten times the upload limit (200 MB for 20 MB uploads); a real
# document's XML packs 5 to 20 times, its pictures barely at all. A part under 1 MB is
# harmless whatever its ratio, so the ratio is only asked of bigger ones.
OOXML_MAX_ENTRIES = 10_000
OOXML_UNPACKED_PER_UPLOAD_BYTE = 10
OOXML_MAX_RATIO = 100
_RATIO_FROM_BYTES = 1024 * 1024
# [Content_Types].xml lists a few dozen types; anything bigger is not a real document.
_CONTENT_TYPES_MAX_BYTES = 1024 * 1024
# Word and Excel run these: a VBA project, or an old Excel 4 macro sheet.
_MACRO_MARKERS = ("macroenabled", "vbaproject", "macrosheet")


def ooxml_problem(stream: IO[bytes], *, max_bytes: int) -> str | None:
    """A .docx/.xlsx may carry macros (Office runs them once the reader clicks "Enable"), part
    names that climb out of a folder when unpacked ("../", "/etc", "C:\\"), or be a zip bomb.
    Sizes come from the central directory only: nothing is unpacked but [Content_Types].xml,
    read up to a bound; each part's local header is checked against the directory."""
    try:
        with zipfile.ZipFile(stream) as archive:
            return _ooxml_archive_problem(archive, max_bytes=max_bytes)
    except Exception:  # zipfile raises many kinds on a damaged archive (zlib.error, struct.error…)
        return OOXML_BROKEN
    finally:
        stream.seek(0)


def _ooxml_archive_problem(archive: zipfile.ZipFile, *, max_bytes: int) -> str | None:
    entries = archive.infolist()
    if len(entries) > OOXML_MAX_ENTRIES:
        return OOXML_BOMB
    unpacked = 0
    for entry in entries:
        if not _safe_part_name(entry.filename):
            return OOXML_PATHS
        if any(marker in entry.filename.lower() for marker in _MACRO_MARKERS):
            return OOXML_MACROS
        if entry.flag_bits & 0x1:  # encrypted part: nothing to check it with
            return OOXML_BROKEN
        unpacked += entry.file_size
        ratio_limit = OOXML_MAX_RATIO * max(entry.compress_size, 1)
        if entry.file_size > _RATIO_FROM_BYTES and entry.file_size > ratio_limit:
            return OOXML_BOMB
    if unpacked > OOXML_UNPACKED_PER_UPLOAD_BYTE * max_bytes:
        return OOXML_BOMB
    for entry in entries:
        # Opening reads the part's local header and compares it with the central directory;
        # the data itself is not read.
        archive.open(entry).close()
    return _content_types_problem(archive)


def _safe_part_name(name: str) -> bool:
    if "\\" in name or name.startswith("/") or re.match(r"[A-Za-z]:", name):
        return False
    return ".." not in name.split("/")


def _content_types_problem(archive: zipfile.ZipFile) -> str | None:
    """A macro-enabled document (.docm, .xlsm) renamed .docx still says what it is here."""
    try:
        entry = archive.getinfo("[Content_Types].xml")
    except KeyError:
        return OOXML_BROKEN
    if entry.file_size > _CONTENT_TYPES_MAX_BYTES:
        return OOXML_BOMB
    with archive.open(entry) as part:
        text = part.read(_CONTENT_TYPES_MAX_BYTES + 1)
    try:
        root = defusedxml.ElementTree.fromstring(text, forbid_dtd=True)
    except (ParseError, defusedxml.DefusedXmlException):
        return OOXML_BROKEN
    for element in root.iter():
        types = (value.lower() for value in element.attrib.values())
        if any(marker in value for value in types for marker in _MACRO_MARKERS):
            return OOXML_MACROS
    return None


# ------------------------------------------------------------------------------------- PDF

PDF_SCRIPT = (
    "Tệp PDF có mã lệnh tự chạy (JavaScript hoặc hành động tự mở); hãy in lại tệp ra PDF thường."
)
PDF_EMBEDDED = (
    "Tệp PDF có tệp hoặc nội dung đa phương tiện đính kèm bên trong; hãy in lại tệp ra PDF thường."
)
PDF_BROKEN = "Tệp PDF bị hỏng hoặc không đọc được; hãy xuất lại tệp PDF rồi gửi lại."
PDF_LOCKED = "Tệp PDF có mật khẩu; hãy gỡ mật khẩu rồi gửi lại."
PDF_TOO_COMPLEX = "Tệp PDF có quá nhiều đối tượng để kiểm tra; hãy in lại tệp ra PDF thường."

# Walking a PDF costs time per object (about 50 µs); a real document has a few thousand
# outside its fonts, images and tags, which can hold no action and are not walked.
PDF_MAX_OBJECTS = 50_000
_PDF_INERT_KEYS = frozenset({"/Resources", "/StructTreeRoot", "/Parent"})
# Keys and names that make a reader run something: scripts (also inside XFA forms), actions
# on events, programs to launch.
_PDF_SCRIPT_KEYS = frozenset({"/JS", "/JavaScript", "/AA", "/XFA"})
_PDF_SCRIPT_ACTIONS = frozenset({"/JavaScript", "/Launch", "/RichMediaExecute"})
# Files and players carried inside: what a reader may open or play from the PDF.
_PDF_EMBED_KEYS = frozenset({"/EmbeddedFiles", "/EF", "/RichMediaContent"})
_PDF_EMBED_TYPES = frozenset({"/EmbeddedFile", "/RichMedia", "/FileAttachment"})

# The byte scan, outside stream data (which is binary, and would match short names by chance).
_PDF_STREAM_DATA = re.compile(rb">>\s*stream\r?\n.*?endstream", re.S)
_PDF_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_PDF_RAW_SCRIPT = re.compile(rb"/(?:JS|JavaScript|AA|Launch|XFA)(?=[\s/<>\[\]()%{}]|\Z)")
_PDF_RAW_EMBED = re.compile(rb"/(?:EmbeddedFiles?|RichMedia)(?=[\s/<>\[\]()%{}]|\Z)")


def pdf_problem(stream: IO[bytes], *, max_bytes: int) -> str | None:
    """A PDF may run JavaScript, launch a program or open a link as soon as it is opened, or
    carry other files inside: none of that belongs in a dossier's papers, and a paper printed
    again to PDF keeps its pages without them. The parsed document is walked from its
    trailer, every object reachable (catalog, names tree, pages, annotations, form fields,
    bookmarks), so names written with #xx escapes or kept in compressed object streams are
    seen as what they are; a scan of the raw bytes backs it up for objects a lenient parser
    might skip. A file that does not parse, or is locked by a password, is refused: the
    officer could not read it either. (pypdf 6 and later bound what a compressed stream may
    inflate to, CVE-2025-55197: pyproject pins it so.)"""
    data = stream.read(max_bytes + 1)
    stream.seek(0)
    problem = _raw_pdf_problem(data)
    if problem:
        return problem
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            return PDF_LOCKED
        if len(reader.pages) == 0:
            return PDF_BROKEN
        return _pdf_objects_problem(reader.trailer)
    except Exception:  # any failure of the parser on a hostile file is a refusal
        return PDF_BROKEN


def _raw_pdf_problem(data: bytes) -> str | None:
    outside_streams = _PDF_STREAM_DATA.sub(b" ", data)
    names = _PDF_NAME_ESCAPE.sub(lambda found: bytes([int(found[1], 16)]), outside_streams)
    if _PDF_RAW_SCRIPT.search(names):
        return PDF_SCRIPT
    if _PDF_RAW_EMBED.search(names):
        return PDF_EMBEDDED
    return None


def _pdf_objects_problem(trailer: DictionaryObject) -> str | None:
    seen: set[tuple[int, int]] = set()
    pending: list[Any] = [trailer]
    while pending:
        node = pending.pop()
        if isinstance(node, IndirectObject):
            if (node.idnum, node.generation) in seen:
                continue
            seen.add((node.idnum, node.generation))
            if len(seen) > PDF_MAX_OBJECTS:
                return PDF_TOO_COMPLEX
            node = node.get_object()
        if isinstance(node, DictionaryObject):
            problem = _pdf_dictionary_problem(node)
            if problem:
                return problem
            # Values as stored (references unresolved), so `seen` stops cycles.
            pending.extend(value for key, value in dict.items(node) if key not in _PDF_INERT_KEYS)
        elif isinstance(node, ArrayObject):
            pending.extend(node)
    return None


def _pdf_dictionary_problem(node: DictionaryObject) -> str | None:
    keys = set(node)
    if keys & _PDF_SCRIPT_KEYS or _pdf_name(node, "/S") in _PDF_SCRIPT_ACTIONS:
        return PDF_SCRIPT
    if "/OpenAction" in keys and not _harmless_open_action(node["/OpenAction"]):
        return PDF_SCRIPT
    if keys & _PDF_EMBED_KEYS or {_pdf_name(node, "/Type"), _pdf_name(node, "/Subtype")} & (
        _PDF_EMBED_TYPES
    ):
        return PDF_EMBEDDED
    return None


def _harmless_open_action(action: Any) -> bool:
    """Many writers (LibreOffice among them) open the document at its first page with an
    /OpenAction that is only a destination, or a go-to: that stays. Anything else acts."""
    if isinstance(action, ArrayObject):
        return True
    return isinstance(action, DictionaryObject) and _pdf_name(action, "/S") == "/GoTo"


def _pdf_name(node: DictionaryObject, key: str) -> str | None:
    value = node.get(key)
    if isinstance(value, IndirectObject):
        value = value.get_object()
    return value if isinstance(value, str) else None


# ---------------------------------------------------------------------------------- images

IMAGE_BROKEN = "Tệp ảnh bị hỏng hoặc không phải ảnh thật."
IMAGE_TOO_BIG = "Ảnh có quá nhiều điểm ảnh (trên 50 triệu); hãy quét lại với độ phân giải thấp hơn."
# An A4 page scanned at 600 dpi is 35 million pixels; a bomb is a tiny file claiming billions.
IMAGE_MAX_PIXELS = 50_000_000


def jpeg_problem(stream: IO[bytes], *, max_bytes: int) -> str | None:
    return _image_problem(stream, image_format="JPEG")


def png_problem(stream: IO[bytes], *, max_bytes: int) -> str | None:
    return _image_problem(stream, image_format="PNG")


def _image_problem(stream: IO[bytes], *, image_format: str) -> str | None:
    """Right first bytes say nothing of the rest: the image must decode, as the officer's
    viewer will decode it. Its size is read from the header before any pixel is, so a small
    file that would unpack to gigabytes (a decompression bomb) is refused unread."""
    try:
        with _strict_decoding(), Image.open(stream, formats=[image_format]) as image:
            if image.width * image.height > IMAGE_MAX_PIXELS:
                return IMAGE_TOO_BIG
            image.verify()  # structure and checksums, without decoding
        stream.seek(0)
        with _strict_decoding(), Image.open(stream, formats=[image_format]) as image:
            if image_format == "JPEG":
                # Decode at an eighth of the size: every byte is still read, in 1/64 the memory.
                image.draft(image.mode, (max(image.width // 8, 1), max(image.height // 8, 1)))
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return IMAGE_TOO_BIG
    except Exception:  # Pillow raises many kinds on a damaged file
        return IMAGE_BROKEN
    finally:
        stream.seek(0)
    return None


_PILLOW_SETTING = threading.Lock()


@contextmanager
def _strict_decoding() -> Iterator[None]:
    """WeasyPrint, once imported, tells Pillow to load cut images for the whole process
    (`ImageFile.LOAD_TRUNCATED_IMAGES`), and Pillow then also keeps quiet about decoding
    errors. A cut scan must still be refused here, so the setting is off while an upload
    decodes (our own forms never hold a cut image, so a rendering meanwhile loses nothing)."""
    with _PILLOW_SETTING:
        before = ImageFile.LOAD_TRUNCATED_IMAGES
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        try:
            yield
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = before


# ------------------------------------------------------------------------------------- XML

XML_DTD = "Tệp XML khai báo DTD hoặc thực thể; hệ thống không nhận loại này."
XML_WEB_PAGE = (
    "Tệp XML là trang web, ảnh SVG hoặc có bảng định kiểu XSLT; hệ thống không nhận loại này."
)
XML_BROKEN = "Tệp XML không đúng cú pháp (không well-formed); hãy xuất lại tệp."

# A browser shown XML runs the scripts of any element in these namespaces, wherever it stands.
_ACTIVE_NAMESPACES = ("{http://www.w3.org/1999/xhtml}", "{http://www.w3.org/2000/svg}")


def xml_problem(stream: IO[bytes], *, max_bytes: int) -> str | None:
    """XML is data here (an e-form, a list). A DTD can declare entities that expand to
    gigabytes or read files from the server, so it is refused before anything expands. A
    document that is really a web page (XHTML, SVG, or an xml-stylesheet that turns it into
    one) would run scripts when opened in a browser. XML that is not well-formed is no
    data at all."""
    try:
        events = defusedxml.ElementTree.iterparse(
            stream,
            events=("start", "end", "pi"),
            forbid_dtd=True,
            forbid_entities=True,
            forbid_external=True,
        )
        root_seen = False
        for event, element in events:
            if event == "pi":
                if element.text and element.text.startswith("xml-stylesheet"):
                    return XML_WEB_PAGE
            elif event == "start":
                if not root_seen and element.tag.rpartition("}")[2] in {"html", "svg"}:
                    return XML_WEB_PAGE
                root_seen = True
                if element.tag.startswith(_ACTIVE_NAMESPACES):
                    return XML_WEB_PAGE
            else:
                element.clear()  # keep memory flat on a large file
    except defusedxml.DefusedXmlException:
        return XML_DTD
    except (ParseError, LookupError, UnicodeError):  # LookupError: an unknown encoding
        return XML_BROKEN
    finally:
        stream.seek(0)
    return None
