"""The portal's HTML pages: what a demo audience sees arrive, and the citizen's side (submit
a dossier, follow what was submitted). Every value is escaped."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from sims.core import VN_TZ

if TYPE_CHECKING:
    from sims.dvcqg import Dossier, FormField, Offer, Submission

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
a{color:#1d70b8}
:focus{outline:3px solid #fd0;outline-offset:0}
main{max-width:42rem}
.wide{max-width:none}
.table-wrap{overflow-x:auto}
fieldset{border:0;padding:0;margin:0 0 1.5rem}
legend,label.block{display:block;font-weight:600;margin:0 0 .25rem}
.group{margin:0 0 1.25rem}
.group-error{border-left:5px solid #d4351c;padding-left:.75rem}
.hint{color:#505a5f;margin:0 0 .35rem}
.error-message{color:#d4351c;font-weight:700;margin:0 0 .35rem}
input[type=text],input[type=date],input[type=email],input[type=tel],select,textarea{
font:inherit;width:100%;max-width:30rem;box-sizing:border-box;padding:.4rem;
border:2px solid #0b0c0c;border-radius:0;background:#fff}
input[type=file]{font:inherit;max-width:100%}
textarea{min-height:4.5rem}
.group-error input,.group-error select,.group-error textarea{border-color:#d4351c}
.choice{display:flex;gap:.5rem;align-items:flex-start;margin:.35rem 0}
.choice input{width:1.4rem;height:1.4rem;margin:0;flex:none}
.error-summary{border:5px solid #d4351c;padding:1rem;margin:0 0 1.5rem}
.error-summary h2{margin-top:0;font-size:1.2rem}
.error-summary a{color:#d4351c;font-weight:700}
button{font:inherit;font-weight:600;background:#00703c;color:#fff;border:0;
padding:.6rem 1.2rem;box-shadow:0 2px 0 #002d18;cursor:pointer}
.panel{background:#00703c;color:#fff;padding:1rem 1.25rem;margin:0 0 1.5rem}
.panel h1{color:#fff;margin-top:0}
.panel-warn{background:#fff;color:#0b0c0c;border:5px solid #d4351c}
.panel-warn h1{color:#d4351c}
.visually-hidden{position:absolute!important;width:1px;height:1px;margin:0;padding:0;
overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0}
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
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
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
        '<p><a href="/dvcqg/nop-ho-so">Nộp hồ sơ trực tuyến</a> · '
        '<a href="/dvcqg/ho-so-da-nop">Hồ sơ đã nộp trên Cổng</a></p>\n'
        f"<p class=muted>Hồ sơ đồng bộ từ hệ thống một cửa: {shown}, mới nhất trước. "
        "Trang tự làm mới sau 5 giây.</p>\n" + f'<div class="table-wrap">{table}</div>'
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


# ----------------------------------------------------------------------------- citizen side

CITIZEN_TITLE = "Nộp hồ sơ trực tuyến — Cổng Dịch vụ công quốc gia (mô phỏng)"
SUBMITTED_TITLE = "Hồ sơ đã nộp trên Cổng — Cổng Dịch vụ công quốc gia (mô phỏng)"
NAV = (
    '<p><a href="/dvcqg/nop-ho-so">Nộp hồ sơ trực tuyến</a> · '
    '<a href="/dvcqg/ho-so-da-nop">Hồ sơ đã nộp trên Cổng</a> · '
    '<a href="/dvcqg/">Hồ sơ đồng bộ từ tỉnh</a></p>\n'
)


def _error_summary(errors: dict[str, str], anchors: dict[str, str], extra: str = "") -> str:
    """GOV.UK's error summary: first on the page, focused, each error a link to its field."""
    if not errors and not extra:
        return ""
    items = [
        f'<li><a href="#{e(anchors.get(name, name))}">{e(message)}</a></li>'
        for name, message in errors.items()
    ]
    if extra:
        items.append(f"<li>{e(extra)}</li>")
    return (
        '<div class="error-summary" role="alert" aria-labelledby="loi-tieu-de" tabindex="-1" '
        'autofocus>\n<h2 id="loi-tieu-de">Có lỗi cần sửa</h2>\n<ul>\n'
        + "\n".join(items)
        + "\n</ul>\n</div>\n"
    )


def _described(name: str, hint: str, error: str) -> str:
    ids = " ".join(i for i, on in ((f"{name}-goi-y", hint), (f"{name}-loi", error)) if on)
    return f' aria-describedby="{e(ids)}"' if ids else ""


def _hint_and_error(name: str, hint: str, error: str) -> str:
    out = f'<p class="hint" id="{e(name)}-goi-y">{e(hint)}</p>\n' if hint else ""
    if error:
        out += (
            f'<p class="error-message" id="{e(name)}-loi">'
            f'<span class="visually-hidden">Lỗi: </span>{e(error)}</p>\n'
        )
    return out


def _group(error: str) -> str:
    return '<div class="group group-error">' if error else '<div class="group">'


def text_field(
    name: str,
    label: str,
    values: dict[str, str],
    errors: dict[str, str],
    *,
    kind: str = "text",
    hint: str = "",
    extra: str = "",
) -> str:
    error = errors.get(name, "")
    value = values.get(name, "")
    if kind == "textarea":
        control = (
            f'<textarea id="{e(name)}" name="{e(name)}" rows="3"'
            f"{_described(name, hint, error)}{extra}>{e(value)}</textarea>"
        )
    else:
        control = (
            f'<input type="{e(kind)}" id="{e(name)}" name="{e(name)}" value="{e(value)}"'
            f"{_described(name, hint, error)}{extra}>"
        )
    return (
        f'{_group(error)}\n<label class="block" for="{e(name)}">{e(label)}</label>\n'
        f"{_hint_and_error(name, hint, error)}{control}\n</div>\n"
    )


def select_field(
    name: str,
    label: str,
    choices: tuple[tuple[Any, str], ...],
    values: dict[str, str],
    errors: dict[str, str],
    *,
    hint: str = "",
    blank: str = "",
) -> str:
    error = errors.get(name, "")
    chosen = values.get(name, "")
    options = [f'<option value="">{e(blank)}</option>'] if blank else []
    for value, text in choices:
        selected = " selected" if str(value) == chosen else ""
        options.append(f'<option value="{e(value)}"{selected}>{e(text)}</option>')
    return (
        f'{_group(error)}\n<label class="block" for="{e(name)}">{e(label)}</label>\n'
        f"{_hint_and_error(name, hint, error)}"
        f'<select id="{e(name)}" name="{e(name)}"{_described(name, hint, error)}>\n'
        + "\n".join(options)
        + "\n</select>\n</div>\n"
    )


def radio_field(
    name: str,
    legend: str,
    choices: tuple[tuple[Any, str], ...],
    values: dict[str, str],
    errors: dict[str, str],
) -> str:
    error = errors.get(name, "")
    chosen = values.get(name, "")
    options = []
    for value, text in choices:
        checked = " checked" if str(value) == chosen else ""
        options.append(
            f'<div class="choice"><input type="radio" id="{e(name)}-{e(value)}" '
            f'name="{e(name)}" value="{e(value)}"{checked}>'
            f'<label for="{e(name)}-{e(value)}">{e(text)}</label></div>'
        )
    described = f' aria-describedby="{e(name)}-loi"' if error else ""
    return (
        f"{_group(error)}\n<fieldset{described}>\n<legend>{e(legend)}</legend>\n"
        f"{_hint_and_error(name, '', error)}" + "\n".join(options) + "\n</fieldset>\n</div>\n"
    )


def checkbox_field(name: str, label: str, values: dict[str, str]) -> str:
    checked = " checked" if values.get(name) in {"1", "on", "true"} else ""
    return (
        f'<div class="group"><div class="choice"><input type="checkbox" id="{e(name)}" '
        f'name="{e(name)}" value="1"{checked}><label for="{e(name)}">{e(label)}</label></div>'
        "</div>\n"
    )


def _form_field(item: FormField, values: dict[str, str], errors: dict[str, str]) -> str:
    name = f"bm_{item.name}"
    label = item.label if item.required else f"{item.label} (không bắt buộc)"
    if item.kind == "select":
        return select_field(name, label, item.choices, values, errors, blank="— Chọn —")
    if item.kind == "checkbox":
        return checkbox_field(name, item.label, values)
    kind = {"textarea": "textarea", "date": "date", "email": "email"}.get(item.kind, "text")
    return text_field(name, label, values, errors, kind=kind)


def choose(offers: tuple[Offer, ...], error: str = "") -> str:
    """Step 1: which procedure."""
    errors = {"ma": error} if error else {}
    first = offers[0].code if offers else ""
    options = "\n".join(
        f'<div class="choice"><input type="radio" id="ma-{e(offer.code)}" name="ma" '
        f'value="{e(offer.code)}"><label for="ma-{e(offer.code)}">{e(offer.name)} '
        f'<span class="muted">({e(offer.code)}, cấp {e(offer.level)})</span></label></div>'
        for offer in offers
    )
    body = (
        f"<main>\n{NAV}{_error_summary(errors, {'ma': f'ma-{first}'})}"
        "<h1>Nộp hồ sơ trực tuyến</h1>\n"
        "<p>Bạn đã đăng nhập bằng tài khoản định danh điện tử (VNeID) mức 2. Hồ sơ được "
        "chuyển đến Bộ phận Một cửa của tỉnh An Giang qua trục liên thông.</p>\n"
        '<form method="get" action="/dvcqg/nop-ho-so" novalidate>\n'
        f"{_group(error)}\n<fieldset>\n<legend>Chọn thủ tục</legend>\n"
        f"{_hint_and_error('ma', '', error)}{options}\n</fieldset>\n</div>\n"
        "<button type=submit>Tiếp tục</button>\n</form>\n</main>"
    )
    title = f"Lỗi: {CITIZEN_TITLE}" if error else CITIZEN_TITLE
    return page(title, body)


def submit_form(
    offer: Offer,
    values: dict[str, str],
    errors: dict[str, str],
    *,
    desks: tuple[tuple[str, str], ...],
    wards: tuple[tuple[int, str], ...],
    return_methods: tuple[tuple[int, str], ...],
    refusal: str = "",
) -> str:
    """Step 2: the applicant (prefilled from the sign-in), the e-form, the paper, the desk."""
    anchors = {
        "gioi_tinh": "gioi_tinh-1",
        "hinh_thuc": f"hinh_thuc-{return_methods[0][0]}",
    }
    eform = "".join(_form_field(item, values, errors) for item in offer.fields)
    eform_section = (
        f"<h2>Tờ khai điện tử</h2>\n{eform}" if eform else "<p>Thủ tục này không có tờ khai.</p>"
    )
    body = (
        f"<main>\n{NAV}{_error_summary(errors, anchors, refusal)}"
        f'<p class="muted">Thủ tục {e(offer.code)} · cấp {e(offer.level)}</p>\n'
        f"<h1>{e(offer.name)}</h1>\n"
        '<form method="post" action="/dvcqg/nop-ho-so" enctype="multipart/form-data" novalidate>\n'
        f'<input type="hidden" name="ma" value="{e(offer.code)}">\n'
        "<h2>Người nộp hồ sơ</h2>\n"
        '<p class="hint">Thông tin lấy từ tài khoản định danh điện tử của bạn.</p>\n'
        + text_field("ho_ten", "Họ, chữ đệm và tên", values, errors, extra=' autocomplete="name"')
        + text_field(
            "so_dinh_danh",
            "Số định danh cá nhân",
            values,
            errors,
            hint="12 chữ số, in trên thẻ căn cước",
            extra=' inputmode="numeric" autocomplete="off"',
        )
        + text_field(
            "ngay_sinh",
            "Ngày sinh",
            values,
            errors,
            kind="date",
            hint="Ví dụ: 17/05/2001",
            extra=' autocomplete="bday"',
        )
        + radio_field("gioi_tinh", "Giới tính", (("1", "Nam"), ("0", "Nữ")), values, errors)
        + text_field(
            "so_dien_thoai",
            "Số điện thoại (không bắt buộc)",
            values,
            errors,
            kind="tel",
            extra=' autocomplete="tel"',
        )
        + text_field(
            "email",
            "Thư điện tử (không bắt buộc)",
            values,
            errors,
            kind="email",
            extra=' autocomplete="email"',
        )
        + select_field("ma_xa", "Xã, phường nơi cư trú", wards, values, errors)
        + text_field("dia_chi", "Địa chỉ (số nhà, đường)", values, errors)
        + checkbox_field("vneid", "Tài khoản đã xác thực với VNeID mức 2", values)
        + eform_section
        + "<h2>Giấy tờ</h2>\n"
        + _file_field(offer, errors)
        + "<h2>Nơi tiếp nhận và nhận kết quả</h2>\n"
        + select_field(
            "don_vi",
            "Nơi tiếp nhận hồ sơ",
            desks,
            values,
            errors,
            hint="Được chọn bất kỳ Bộ phận Một cửa nào trong tỉnh",
        )
        + radio_field("hinh_thuc", "Cách nhận kết quả", return_methods, values, errors)
        + "<button type=submit>Nộp hồ sơ</button>\n</form>\n</main>"
    )
    title = f"Lỗi: {CITIZEN_TITLE}" if errors or refusal else CITIZEN_TITLE
    return page(title, body)


def _file_field(offer: Offer, errors: dict[str, str]) -> str:
    error = errors.get("tep", "")
    hint = (
        "PDF, JPG hoặc PNG, tối đa 1,5 MB. Không chọn tệp: Cổng đính kèm một bản tờ khai "
        "mẫu (PDF) để thử."
    )
    return (
        f'{_group(error)}\n<label class="block" for="tep">{e(offer.component_name)}</label>\n'
        f"{_hint_and_error('tep', hint, error)}"
        f'<input type="file" id="tep" name="tep" accept=".pdf,.jpg,.jpeg,.png"'
        f"{_described('tep', hint, error)}>\n</div>\n"
    )


def _sync_status(synced: Dossier | None) -> str:
    if synced is None:
        return "Chưa có thông tin từ tỉnh"
    return status(synced.payload.get("TrangThaiHoSo"))


def submit_result(submission: Submission, synced: Dossier | None) -> str:
    """After POST: what became of the submission (PRG: reloading sends nothing)."""
    ref = e(submission.reference)
    if submission.accepted:
        answer = submission.answer
        code = synced.payload.get("MaHoSo") if synced is not None else ""
        head = (
            '<div class="panel">\n<h1>Hồ sơ đã được gửi</h1>\n'
            f"<p>Mã hồ sơ trên Cổng: <strong>{ref}</strong></p>\n</div>\n"
            "<dl>\n"
            f"<dt>Thủ tục</dt><dd>{e(submission.offer.name)}</dd>\n"
            f"<dt>Số tham chiếu tại tỉnh</dt><dd>{e(answer.get('SoThamChieu'))}</dd>\n"
            f"<dt>Mã hồ sơ tại tỉnh</dt><dd>{dossier_link(code) if code else '—'}</dd>\n"
            f"<dt>Trạng thái</dt><dd>{_sync_status(synced)}</dd>\n</dl>\n"
            "<h2>Tiếp theo</h2>\n<p>Bộ phận Một cửa kiểm tra hồ sơ trong giờ làm việc. Khi hồ "
            "sơ được tiếp nhận, bạn có mã hồ sơ và ngày hẹn trả; trạng thái cập nhật tại "
            '<a href="/dvcqg/ho-so-da-nop">Hồ sơ đã nộp trên Cổng</a>.</p>\n'
        )
        title = f"Hồ sơ {submission.reference} đã được gửi — {TITLE}"
    else:
        retry = (
            '<form method="post" action="/dvcqg/nop-ho-so/gui-lai">\n'
            f'<input type="hidden" name="ma_ho_so" value="{ref}">\n'
            "<button type=submit>Gửi lại</button>\n</form>\n"
            if submission.http_status == 0 or submission.http_status >= 500
            else f'<p><a href="/dvcqg/nop-ho-so?ma={e(quote(submission.offer.code))}">'
            "Nộp lại hồ sơ</a></p>\n"
        )
        head = (
            '<div class="panel panel-warn" role="alert">\n<h1>Hồ sơ chưa được tiếp nhận</h1>\n'
            f"<p>{e(submission.problem)}</p>\n</div>\n"
            f"<p>Mã hồ sơ trên Cổng: {ref}</p>\n{retry}"
        )
        title = f"Hồ sơ {submission.reference} chưa được tiếp nhận — {TITLE}"
    return page(title, f"<main>\n{NAV}{head}</main>")


def submitted(rows: list[tuple[Submission, Dossier | None]]) -> str:
    """What citizens submitted here, newest first, with what the province's sync says."""
    lines = []
    for submission, synced in rows:
        if submission.accepted:
            sent = f"Đã chuyển; số tham chiếu {e(submission.answer.get('SoThamChieu'))}"
        else:
            sent = f"Chưa được tiếp nhận: {e(submission.problem)}"
        code = synced.payload.get("MaHoSo") if synced is not None else ""
        lines.append(
            "<tr>"
            f'<td><a href="/dvcqg/nop-ho-so/{e(quote(submission.reference, safe=""))}">'
            f"{e(submission.reference)}</a></td>"
            f"<td>{e(submission.offer.code)}<br><span class=muted>{e(submission.offer.name)}"
            "</span></td>"
            f"<td>{e(submission.applicant)}</td>"
            f"<td>{submission.at.astimezone(VN_TZ):%d/%m/%Y %H:%M}</td>"
            f"<td>{sent}</td>"
            f"<td>{dossier_link(code) if code else '—'}</td>"
            f"<td>{_sync_status(synced)}</td>"
            "</tr>"
        )
    table = (
        '<div class="table-wrap"><table>\n<thead><tr><th>Mã hồ sơ trên Cổng</th>'
        "<th>Thủ tục</th><th>Người nộp</th><th>Nộp lúc</th><th>Chuyển đến tỉnh</th>"
        "<th>Mã hồ sơ tại tỉnh</th><th>Trạng thái</th></tr></thead>\n<tbody>\n"
        + "\n".join(lines)
        + "\n</tbody>\n</table></div>"
        if lines
        else "<p>Chưa có hồ sơ nào được nộp trên Cổng.</p>"
    )
    body = (
        f'<main class="wide">\n{NAV}<h1>Hồ sơ đã nộp trên Cổng</h1>\n'
        "<p class=muted>Trạng thái theo thông tin đồng bộ từ hệ thống một cửa của tỉnh "
        '(khớp theo mã hồ sơ trên Cổng). <a href="/dvcqg/ho-so-da-nop">Tải lại</a></p>\n'
        + table
        + "\n</main>"
    )
    return page(SUBMITTED_TITLE, body)


def submission_not_found(reference: str) -> str:
    body = (
        f"<main>\n{NAV}<h1>Không tìm thấy hồ sơ</h1>\n"
        f"<p>Không có hồ sơ {e(reference)}.</p>\n</main>"
    )
    return page(f"Không tìm thấy hồ sơ — {TITLE}", body)
