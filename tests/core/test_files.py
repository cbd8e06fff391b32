import hashlib
import io
import struct
import zipfile
import zlib

import openpyxl
import pytest
from PIL import Image
from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NumberObject

from egov.core.files import UploadError, check_upload, safe_name, sniff
from egov.core.pdf import render_pdf
from tests.core.test_fonts import FORM
from tests.uploads import JPEG, PDF, PNG, image, pdf

MB = 1024 * 1024
LIMIT = 20 * MB  # the default MOTCUA_UPLOAD_MAX_MB
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
WORD_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)
SCRIPT = b"/OpenAction << /S /JavaScript /JS (app.alert\\(1\\)) >> "

# What each refusal says, in the words the officer or the citizen reads.
MACROS = "có macro"
PATHS = "đường dẫn ra ngoài tệp"
ZIP_BOMB = "khi giải nén quá lớn"
WORD_BROKEN = "Tệp Word/Excel bị hỏng"
PDF_SCRIPT = "Tệp PDF có mã lệnh tự chạy"
PDF_EMBEDDED = "đính kèm bên trong"
PDF_BROKEN = "Tệp PDF bị hỏng"
IMAGE_BROKEN = "Tệp ảnh bị hỏng hoặc không phải ảnh thật."
PIXEL_BOMB = "quá nhiều điểm ảnh"
XML_DTD = "Tệp XML khai báo DTD hoặc thực thể"
XML_PAGE = "trang web, ảnh SVG"
XML_BROKEN = "Tệp XML không đúng cú pháp"


def ooxml(part: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(f"{part}document.xml", "<x/>")
    return buffer.getvalue()


def docx(*parts: tuple[str, bytes | str], types: str = WORD_TYPES) -> bytes:
    """A minimal Word document, with `parts` added."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", types)
        archive.writestr("word/document.xml", "<w:document xmlns:w='urn:w'>Đơn</w:document>")
        for name, content in parts:
            archive.writestr(name, content)
    return buffer.getvalue()


def xlsx() -> bytes:
    book = openpyxl.Workbook()
    book.active.append(["Họ tên", "Số CCCD"])
    book.active.append(["Nguyễn Thị Ánh Tuyết", "089301000123"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def writer_pdf(change) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    change(writer)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def packed_pdf(catalog: bytes) -> bytes:
    """A PDF 1.5 whose catalog sits in a compressed object stream: no byte scan can read it."""
    header = b"1 0 "
    packed = zlib.compress(header + b"<< /Type /Catalog /Pages 2 0 R " + catalog + b">>")
    out = bytearray(b"%PDF-1.5\n")
    offsets = []
    for number, body in [
        (2, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"),
        (3, b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"),
        (
            4,
            b"<< /Type /ObjStm /N 1 /First %d /Filter /FlateDecode /Length %d >>\n"
            b"stream\n%s\nendstream" % (len(header), len(packed), packed),
        ),
    ]:
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    # Object 1 is entry 0 of object stream 4; 2, 3, 4 and this table are at their offsets.
    rows = [(0, 0, 65535), (2, 4, 0), *((1, offset, 0) for offset in offsets), (1, xref, 0)]
    table = b"".join(struct.pack(">BIH", *row) for row in rows)
    out += (
        b"5 0 obj\n<< /Type /XRef /Size 6 /W [1 4 2] /Root 1 0 R /Length %d >>\n"
        b"stream\n%s\nendstream\nendobj\n" % (len(table), table)
    )
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def with_orphan(document: bytes, body: bytes) -> bytes:
    """The document with one more object that nothing refers to, the table left as it was."""
    xref = document.rindex(b"\nxref\n") + 1
    orphan = b"9 0 obj\n%s\nendobj\n" % body
    head = document[:xref] + orphan + document[xref:]
    return head.replace(b"startxref\n%d" % xref, b"startxref\n%d" % (xref + len(orphan)))


def check(content: bytes, name: str, *, max_bytes: int = LIMIT):
    return check_upload(io.BytesIO(content), name=name, size=len(content), max_bytes=max_bytes)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (PDF, "application/pdf"),
        (PNG, "image/png"),
        (JPEG, "image/jpeg"),
        (ooxml("word/"), DOCX),
        (ooxml("xl/"), XLSX),
        (b"\xef\xbb\xbf  <?xml version='1.0'?><a/>", "application/xml"),
        (b"MZ\x90\x00 an executable", None),
        (b"<html><script>alert(1)</script>", None),
        (ooxml("other/"), None),
    ],
)
def test_sniff_reads_the_content_not_the_name(content, expected):
    assert sniff(io.BytesIO(content)) == expected


def test_a_zip_that_zipfile_cannot_read_is_no_word_file():
    # A directory entry claiming a zip version from the future made zipfile refuse with its
    # "unsupported" error rather than BadZipFile, which sniff let through as a server error.
    content = bytearray(docx())
    entry = content.index(b"PK\x01\x02")
    content[entry + 6 : entry + 8] = (99).to_bytes(2, "little")  # version needed to extract
    assert sniff(io.BytesIO(bytes(content))) is None


def test_safe_names():
    assert safe_name("Giấy khai sinh (bản sao).PDF") == "Giay-khai-sinh-ban-sao.pdf"
    assert safe_name("../../etc/passwd") == "passwd"
    assert safe_name("C:\\Users\\x\\Đơn đề nghị.docx") == "Don-de-nghi.docx"
    assert safe_name(".pdf") == "tep.pdf"


def test_check_upload_accepts_a_real_pdf():
    checked = check_upload(io.BytesIO(PDF), name="to khai.pdf", size=len(PDF), max_bytes=1000)
    assert (checked.name, checked.content_type, checked.size) == (
        "to-khai.pdf",
        "application/pdf",
        len(PDF),
    )
    assert len(checked.sha256) == 64


@pytest.mark.parametrize(
    ("content", "name", "size", "message"),
    [
        (PDF, "anh.png", len(PDF), "không đúng với phần mở rộng"),
        (b"MZ", "setup.exe", 2, "Chỉ nhận tệp"),
        (PDF, "to-khai.pdf", 5000, "Tệp lớn quá"),
        (b"", "rong.pdf", 0, "Tệp rỗng"),
    ],
)
def test_check_upload_refuses(content, name, size, message):
    with pytest.raises(UploadError, match=message):
        check_upload(io.BytesIO(content), name=name, size=size, max_bytes=1024)


# ------------------------------------------------------------------ what legitimately passes


def open_at_first_page(writer: PdfWriter) -> None:
    # What LibreOffice writes: an /OpenAction that is only a destination.
    first = writer.pages[0].indirect_reference
    zoom = [first, NameObject("/XYZ"), NumberObject(0), NumberObject(842), NumberObject(0)]
    writer._root_object[NameObject("/OpenAction")] = ArrayObject(zoom)


def owner_password_only(writer: PdfWriter) -> None:
    # Printing restricted, opening free: a bank statement or a signed decision.
    writer.encrypt(user_password="", owner_password="chu-so-huu", algorithm="AES-128")


@pytest.mark.parametrize(
    ("make", "name", "content_type"),
    [
        (lambda: PDF, "scan.pdf", "application/pdf"),
        (lambda: render_pdf("dossiers/forms/base.html", FORM), "phieu.pdf", "application/pdf"),
        (lambda: writer_pdf(lambda writer: None), "pypdf.pdf", "application/pdf"),
        (lambda: writer_pdf(open_at_first_page), "libreoffice.pdf", "application/pdf"),
        (lambda: writer_pdf(owner_password_only), "sao-ke.pdf", "application/pdf"),
        (lambda: packed_pdf(b""), "pdf-1-5.pdf", "application/pdf"),
        (lambda: image("PNG", (640, 480)), "anh.png", "image/png"),
        (lambda: image("JPEG", (640, 480)), "anh.jpg", "image/jpeg"),
        (lambda: image("JPEG", (3, 2)), "nho.jpeg", "image/jpeg"),
        (xlsx, "danh-sach.xlsx", XLSX),
        (docx, "don.docx", DOCX),
        (
            lambda: (
                "<?xml version='1.0' encoding='UTF-8'?><ToKhai xmlns='urn:motcua'>"
                "<HoTen>Nguyễn Thị Ánh Tuyết</HoTen><!-- ghi chú --></ToKhai>".encode()
            ),
            "to-khai.xml",
            "application/xml",
        ),
    ],
)
def test_real_files_pass_and_are_read_from_their_start(make, name, content_type):
    content = make()
    checked = check(content, name)
    assert checked.content_type == content_type
    # The hash is of the whole file: the checks gave the stream back at its start.
    assert checked.sha256 == hashlib.sha256(content).hexdigest()


# -------------------------------------------------------------------------- Word and Excel


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (docx(("word/vbaProject.bin", b"\xd0\xcf\x11\xe0 VBA")), MACROS),
        # A .docm renamed .docx: no VBA part needed for its type to give it away.
        (docx(types=WORD_TYPES.replace("document.main", "document.macroEnabled.main")), MACROS),
        # The same, written with a character reference.
        (
            docx(types=WORD_TYPES.replace("document.main", "document.&#x6D;acroEnabled.main")),
            MACROS,
        ),
        (docx(("xl/macrosheets/sheet1.xml", "<xm:macrosheet/>")), MACROS),
        (docx(("../../../etc/cron.d/chay", "* * * * * root sh")), PATHS),
        (docx(("/etc/passwd", "root")), PATHS),
        (docx(("word\\..\\..\\tep.xml", "<x/>")), PATHS),
        (docx(("C:/Windows/tep.dll", "MZ")), PATHS),
        # One part of 5 MB of zeros packs a thousandfold.
        (docx(("word/media/trong.xml", b"\0" * (5 * MB))), ZIP_BOMB),
        (docx(*((f"word/p{number}.xml", "") for number in range(10_001))), ZIP_BOMB),
        (docx(types="<Types><Default"), WORD_BROKEN),
        (docx(types='<!DOCTYPE t [<!ENTITY x "y">]><Types>&x;</Types>'), WORD_BROKEN),
    ],
)
def test_word_and_excel_files_that_are_refused(content, message):
    with pytest.raises(UploadError, match=message) as refused:
        check(content, "don.docx")
    assert refused.value.code == "bad_upload"


def test_parts_that_unpack_past_ten_times_the_limit_are_a_bomb():
    # Each part is under 1 MB, so no ratio is asked of it; together they pass 10 MB.
    parts = [(f"word/media/p{number}.xml", b"\0" * (900 * 1024)) for number in range(12)]
    content = docx(*parts)
    assert len(content) < MB
    with pytest.raises(UploadError, match=ZIP_BOMB):
        check(content, "don.docx", max_bytes=MB)
    assert check(content, "don.docx", max_bytes=2 * MB).content_type == DOCX


def test_a_part_whose_header_contradicts_the_directory_is_refused():
    content = docx()
    local = content.index(b"word/document.xml")  # the local header's copy of the name
    broken = content[:local] + b"word/documenX.xml" + content[local + 17 :]
    assert sniff(io.BytesIO(broken)) == DOCX  # the directory alone looks right
    with pytest.raises(UploadError, match=WORD_BROKEN):
        check(broken, "don.docx")


# ------------------------------------------------------------------------------------- PDF


def add_javascript(writer: PdfWriter) -> None:
    from pypdf.actions import JavaScript

    writer.add_open_action(JavaScript("app.alert('Xin chào');"))  # the names tree


def add_attachment(writer: PdfWriter) -> None:
    writer.add_attachment("ma-doc.exe", b"MZ")


def add_page_action(writer: PdfWriter) -> None:
    action = {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): NameObject("/x")}
    opened = DictionaryObject({NameObject("/O"): DictionaryObject(action)})
    writer.pages[0][NameObject("/AA")] = opened


def add_launching_link(writer: PdfWriter) -> None:
    launch = DictionaryObject(
        {NameObject("/S"): NameObject("/Launch"), NameObject("/F"): NameObject("/cmd.exe")}
    )
    link = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Link"),
            NameObject("/Rect"): ArrayObject([NumberObject(0)] * 4),
            NameObject("/A"): launch,
        }
    )
    writer.pages[0][NameObject("/Annots")] = ArrayObject([writer._add_object(link)])


def locked(writer: PdfWriter) -> None:
    writer.encrypt(user_password="mat-khau", algorithm="AES-256")


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: pdf(catalog=SCRIPT), PDF_SCRIPT),
        (lambda: pdf(catalog=b"/OpenAction << /S /Launch /F (cmd.exe) >> "), PDF_SCRIPT),
        (lambda: pdf(catalog=b"/OpenAction << /S /URI /URI (http://x.vn) >> "), PDF_SCRIPT),
        # Names written with #xx escapes are the same names to a reader.
        (lambda: pdf(catalog=b"/OpenAction << /S /J#61vaScript /J#53 (x) >> "), PDF_SCRIPT),
        (lambda: writer_pdf(add_javascript), PDF_SCRIPT),
        (lambda: writer_pdf(add_page_action), PDF_SCRIPT),
        (lambda: writer_pdf(add_launching_link), PDF_SCRIPT),
        (lambda: writer_pdf(add_attachment), PDF_EMBEDDED),
        (lambda: writer_pdf(locked), "Tệp PDF có mật khẩu"),
        (lambda: b"%PDF-1.7\n%%EOF\n", PDF_BROKEN),
        (lambda: b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", PDF_BROKEN),
        (lambda: PDF[: len(PDF) // 2], PDF_BROKEN),
    ],
)
def test_pdfs_that_are_refused(make, message):
    with pytest.raises(UploadError, match=message):
        check(make(), "giay-to.pdf")


def test_a_script_packed_in_an_object_stream_is_found_by_the_parser():
    content = packed_pdf(SCRIPT)
    assert b"JavaScript" not in content  # invisible to any scan of the bytes
    with pytest.raises(UploadError, match=PDF_SCRIPT):
        check(content, "giay-to.pdf")


def test_a_script_the_parser_does_not_reach_is_found_by_the_byte_scan():
    content = with_orphan(PDF, b"<< /S /JavaScript /JS (app.alert\\(1\\)) >>")
    assert check(with_orphan(PDF, b"<< /Tieu-de (Don) >>"), "giay-to.pdf")  # still a PDF
    with pytest.raises(UploadError, match=PDF_SCRIPT):
        check(content, "giay-to.pdf")


# ---------------------------------------------------------------------------------- images


def noisy(image_format: str) -> bytes:
    """A photo-like picture: noise packs badly, so cutting the file cuts its pixels."""
    buffer = io.BytesIO()
    Image.effect_noise((320, 240), 64).convert("RGB").save(buffer, image_format)
    return buffer.getvalue()


def pixel_bomb() -> bytes:
    """60 million black pixels in a few kilobytes: 1 bit each, packed."""
    buffer = io.BytesIO()
    Image.new("1", (10_000, 6_000)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("make", "name", "message"),
    [
        (lambda: b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "anh.png", IMAGE_BROKEN),
        (lambda: b"\xff\xd8\xff\xe0" + b"\x00" * 64, "anh.jpg", IMAGE_BROKEN),
        (lambda: noisy("JPEG")[:-2000], "cat-doi.jpg", IMAGE_BROKEN),
        (lambda: noisy("PNG")[:-2000], "cat-doi.png", IMAGE_BROKEN),
        (pixel_bomb, "bom.png", PIXEL_BOMB),
    ],
)
def test_images_that_are_refused(make, name, message):
    with pytest.raises(UploadError, match=message):
        check(make(), name)


# ------------------------------------------------------------------------------------- XML


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY l "lol"><!ENTITY l2 "&l;&l;&l;">]>'
            b"<a>&l2;</a>",
            XML_DTD,
        ),
        (b'<?xml version="1.0"?><!DOCTYPE a SYSTEM "file:///etc/passwd"><a/>', XML_DTD),
        (
            b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg">'
            b"<script>alert(1)</script></svg>",
            XML_PAGE,
        ),
        (b'<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"/>', XML_PAGE),
        (b'<?xml version="1.0"?><html><body onload="alert(1)"/></html>', XML_PAGE),
        (
            b'<?xml version="1.0"?><ToKhai><h:script xmlns:h="http://www.w3.org/1999/xhtml">'
            b"alert(1)</h:script></ToKhai>",
            XML_PAGE,
        ),
        (
            b'<?xml version="1.0"?><?xml-stylesheet type="text/xsl" href="#"?><ToKhai/>',
            XML_PAGE,
        ),
        (b'<?xml version="1.0"?><ToKhai><HoTen></ToKhai>', XML_BROKEN),
        (b'<?xml version="1.0" encoding="khong-co"?><ToKhai/>', XML_BROKEN),
    ],
)
def test_xml_that_is_refused(content, message):
    with pytest.raises(UploadError, match=message):
        check(content, "to-khai.xml")
