"""The forms print the same whatever fonts the machine has: Mẫu 01 and Mẫu 05 fit one A5 sheet
each with their Vietnamese intact, here and on a fresh machine that has only the DejaVu fonts
(simulated by a fontconfig of its own in a child run; see egov/core/fonts.py)."""

import io
import os
import shutil
import subprocess
import sys
from pathlib import Path
from xml.sax.saxutils import escape

import pypdf
import pytest

from egov.dossiers.printing import process_control_slip, receipt_slip
from tests.dossiers.conftest import act

ROOT = Path(__file__).resolve().parents[2]
DEJAVU = Path("/usr/share/fonts/truetype/dejavu")  # Debian's fonts-dejavu-core
A5 = (419.53, 595.28)
OURS = {"MotCua-Serif", "MotCua-Serif-Bold", "MotCua-Serif-Italic"}


def read(pdf: bytes) -> tuple[str, int, set[str]]:
    """The text with line breaks as spaces, the number of pages, the fonts used."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    used = set()
    for page in reader.pages:
        assert abs(float(page.mediabox.width) - A5[0]) < 1
        assert abs(float(page.mediabox.height) - A5[1]) < 1
        for font in page["/Resources"]["/Font"].values():
            used.add(str(font.get_object()["/BaseFont"]).split("+", 1)[-1])
    return text, len(reader.pages), used


@pytest.mark.django_db
def test_receipt_and_process_control_slips_fit_one_a5_sheet(counter_dossier, people, clock):
    text, pages, used = read(receipt_slip(counter_dossier))
    assert pages == 1 and used == OURS
    for expected in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
        "Nguyễn Thị Ánh Tuyết",
        "Địa chỉ: 12 Trần Hưng Đạo, phường Long Xuyên, tỉnh An Giang",
        "Thủ tục đăng ký khai sinh",
        "NGƯỜI TIẾP NHẬN HỒ SƠ",
    ):
        assert expected in text

    act(counter_dossier, "transfer", people["desk"])
    act(counter_dossier, "forward", people["specialist"])
    act(counter_dossier, "forward", people["police"])
    clock.set(2026, 11, 16, 14, 0)
    act(counter_dossier, "approve", people["leader"])
    act(
        counter_dossier,
        "return_result",
        people["desk"],
        recipient_name="Nguyễn Thị Ánh Tuyết",
        recipient_id_number="089301000123",
    )
    text, pages, used = read(process_control_slip(counter_dossier))
    assert pages == 1 and used == OURS
    for expected in (
        "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ",
        "Cơ quan phối hợp giải quyết hồ sơ: Công an tỉnh An Giang",
        "Thẩm định hồ sơ",
        "Ký duyệt",
        "Ủy ban nhân dân phường Long Xuyên",
    ):
        assert expected in text


def dejavu_dir() -> Path | None:
    """Where this machine keeps DejaVu Serif, as fontconfig finds it."""
    if shutil.which("fc-list"):
        listed = subprocess.run(
            ["fc-list", "--format", "%{file}\n", ":family=DejaVu Serif"],  # noqa: S607
            capture_output=True,
            text=True,
            check=False,
        ).stdout.split()
        if listed:
            return Path(listed[0]).parent
    return DEJAVU if DEJAVU.is_dir() else None


def test_they_fit_the_same_on_a_machine_with_only_dejavu(tmp_path):
    # Only DejaVu, as on a fresh Debian; where even DejaVu is absent, no system font at all.
    fonts_dir = dejavu_dir() or tmp_path / "no-fonts"
    fonts_dir.mkdir(exist_ok=True)
    config = tmp_path / "fonts.conf"
    config.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n'
        f"<fontconfig><dir>{escape(str(fonts_dir))}</dir>"
        f"<cachedir>{escape(str(tmp_path / 'cache'))}</cachedir></fontconfig>\n"
    )
    # The child's own database: SQLite in memory, even where this run uses PostgreSQL.
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in {"DATABASE_URL", "MOTCUA_TEST_DATABASE_URL"}
    }
    env["FONTCONFIG_FILE"] = str(config)
    if shutil.which("fc-list"):  # the child sees no Times nor Liberation, only that folder
        seen = subprocess.run(
            ["fc-list", "--format", "%{file}\n"],  # noqa: S607
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        assert all(Path(path).parent == fonts_dir for path in seen), seen
    child = subprocess.run(  # noqa: S603 - our own interpreter and tests
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            f"{Path(__file__).relative_to(ROOT)}::"
            "test_receipt_and_process_control_slips_fit_one_a5_sheet",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert child.returncode == 0, child.stdout[-5000:] + child.stderr[-2000:]
    assert "1 passed" in child.stdout
