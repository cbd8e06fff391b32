import io
import zipfile

import pytest

from egov.core.files import UploadError, check_upload, safe_name, sniff

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\0" * 32


def ooxml(part: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(f"{part}document.xml", "<x/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (PDF, "application/pdf"),
        (PNG, "image/png"),
        (JPEG, "image/jpeg"),
        (ooxml("word/"), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        (ooxml("xl/"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (b"\xef\xbb\xbf  <?xml version='1.0'?><a/>", "application/xml"),
        (b"MZ\x90\x00 an executable", None),
        (b"<html><script>alert(1)</script>", None),
        (ooxml("other/"), None),
    ],
)
def test_sniff_reads_the_content_not_the_name(content, expected):
    assert sniff(io.BytesIO(content)) == expected


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
