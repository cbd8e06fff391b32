"""The portal's HTML pages: what a demo audience sees arrive. Every value is escaped."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from sims.core import VN_TZ

if TYPE_CHECKING:
    from sims.dvcqg import Dossier

TITLE = "Cổng Dịch vụ công quốc gia — mô phỏng"
STATUS_LABELS = {
    1: "Mới đăng ký",
    2: "Đã tiếp nhận",
    3: "Không được tiếp nhận",
    4: "Đang xử lý",
    5: "Yêu cầu bổ sung",
    6: "Chờ thực hiện nghĩa vụ tài chính",
    7: "Công dân yêu cầu rút hồ sơ",
    8: "Dừng xử lý",
    9: "Đã có kết quả",
    10: "Đã trả kết quả",
}
STYLE = """
body{font-family:system-ui,sans-serif;margin:1.5rem;color:#1a1a1a}
h1{font-size:1.4rem;color:#a50e0e}
table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{border:1px solid #ccc;padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:#f3e9e9}
tr:nth-child(even) td{background:#fafafa}
.muted{color:#666}
"""


def e(value: Any) -> str:
    return escape("" if value is None else str(value), quote=True)


def when(value: Any) -> str:
    """yyyyMMddHHmmss as dd/MM/yyyy HH:mm, escaped; empty as a dash."""
    text = str(value or "")
    if len(text) != 14 or not text.isdigit():
        return e(text) or "—"
    return f"{text[6:8]}/{text[4:6]}/{text[:4]} {text[8:10]}:{text[10:12]}"


def status(value: Any) -> str:
    label = STATUS_LABELS.get(value) if isinstance(value, int) else None
    return f"{e(value)} — {e(label)}" if label else e(value)


def page(title: str, body: str, refresh: bool = False) -> str:
    meta = '<meta http-equiv="refresh" content="5">' if refresh else ""
    return (
        '<!DOCTYPE html>\n<html lang="vi">\n<head>\n<meta charset="utf-8">\n'
        f"{meta}<title>{e(title)}</title>\n<style>{STYLE}</style>\n</head>\n"
        f"<body>\n{body}\n</body>\n</html>\n"
    )


def dossier_link(ma: Any) -> str:
    return f'<a href="/dvcqg/hoso/{e(quote(str(ma), safe=""))}">{e(ma)}</a>'


def index(dossiers: list[Dossier], total: int) -> str:
    rows = []
    for d in dossiers:
        p = d.payload
        synced = d.synced_at.astimezone(VN_TZ).strftime("%d/%m/%Y %H:%M:%S")
        rows.append(
            "<tr>"
            f"<td>{dossier_link(p.get('MaHoSo'))}</td>"
            f"<td>{e(p.get('MaTTHC'))}<br><span class=muted>{e(p.get('TenTTHC'))}</span></td>"
            f"<td>{e(p.get('ChuHoSo'))}</td>"
            f"<td>{status(p.get('TrangThaiHoSo'))}</td>"
            f"<td>{when(p.get('NgayTiepNhan'))}</td>"
            f"<td>{when(p.get('NgayHenTra'))}</td>"
            f"<td>{len(d.steps)}</td>"
            f"<td>{synced}</td>"
            "</tr>"
        )
    table = (
        "<table>\n<thead><tr><th>Mã hồ sơ</th><th>Thủ tục</th><th>Chủ hồ sơ</th>"
        "<th>Trạng thái</th><th>Ngày tiếp nhận</th><th>Ngày hẹn trả</th>"
        "<th>Số bước xử lý</th><th>Đồng bộ lần cuối</th></tr></thead>\n<tbody>\n"
        + "\n".join(rows)
        + "\n</tbody>\n</table>"
        if rows
        else "<p>Chưa có hồ sơ nào được đồng bộ.</p>"
    )
    shown = f"{len(dossiers)} hồ sơ mới nhất" if total > len(dossiers) else f"{total} hồ sơ"
    body = (
        f"<h1>{e(TITLE)}</h1>\n"
        f"<p class=muted>Hồ sơ đồng bộ từ hệ thống một cửa: {shown}, mới nhất trước. "
        "Trang tự làm mới sau 5 giây.</p>\n" + table
    )
    return page(TITLE, body, refresh=True)


def dossier(d: Dossier) -> str:
    p = d.payload
    fields = [
        ("Mã hồ sơ", e(p.get("MaHoSo"))),
        ("Thủ tục", f"{e(p.get('MaTTHC'))} — {e(p.get('TenTTHC'))}"),
        ("Lĩnh vực", f"{e(p.get('MaLinhVuc'))} — {e(p.get('TenLinhVuc'))}"),
        ("Chủ hồ sơ", e(p.get("ChuHoSo"))),
        ("Số giấy tờ", e(p.get("SoGiayToChuHoSo"))),
        ("Trích yếu", e(p.get("TrichYeuHoSo"))),
        ("Trạng thái", status(p.get("TrangThaiHoSo"))),
        ("Ngày tiếp nhận", when(p.get("NgayTiepNhan"))),
        ("Ngày hẹn trả", when(p.get("NgayHenTra"))),
        ("Ngày trả", when(p.get("NgayTra"))),
        ("Đơn vị xử lý", e(p.get("DonViXuLy"))),
    ]
    info = "\n".join(f"<tr><th>{label}</th><td>{value}</td></tr>" for label, value in fields)
    steps = "\n".join(
        "<tr>"
        f"<td>{when(s.get('ThoiDiemXuLy'))}</td><td>{e(s.get('NguoiXuLy'))}</td>"
        f"<td>{e(s.get('ChucDanh'))}</td><td>{e(s.get('PhongBanXuLy'))}</td>"
        f"<td>{e(s.get('NoiDungXuLy'))}</td><td>{status(s.get('TrangThai'))}</td>"
        "</tr>"
        for s in d.steps
    )
    title = f"Hồ sơ {p.get('MaHoSo')} — {TITLE}"
    body = (
        f'<p><a href="/dvcqg/">← Danh sách hồ sơ</a></p>\n<h1>Hồ sơ {e(p.get("MaHoSo"))}</h1>\n'
        f"<table>\n{info}\n</table>\n<h2>Quá trình xử lý ({len(d.steps)} bước)</h2>\n"
        "<table>\n<thead><tr><th>Thời điểm</th><th>Người xử lý</th><th>Chức danh</th>"
        "<th>Phòng ban</th><th>Nội dung</th><th>Trạng thái</th></tr></thead>\n"
        f"<tbody>\n{steps}\n</tbody>\n</table>"
    )
    return page(title, body)


def not_found(ma: str) -> str:
    body = (
        f'<p><a href="/dvcqg/">← Danh sách hồ sơ</a></p>\n<h1>{e(TITLE)}</h1>\n'
        f"<p>Không tìm thấy hồ sơ {e(ma)}.</p>"
    )
    return page(f"Không tìm thấy hồ sơ — {TITLE}", body)
