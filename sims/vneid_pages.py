"""VNeID's pages: pick a demo account to sign in with, or the refusal of a bad request.

Vietnamese, usable at 360 px wide, one tap per account (each account is a submit button whose
text is its whole label), no script. Every value is escaped.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sims.vneid import DemoAccount

TITLE = "Đăng nhập bằng VNeID — mô phỏng"
LEVELS = {
    1: "Định danh mức 1 (đăng ký trực tuyến)",
    2: "Định danh mức 2 (đã xác thực bằng thẻ căn cước gắn chip)",
}
STYLE = """
*{box-sizing:border-box}
body{font-family:system-ui,sans-serif;margin:0;color:#1a1a1a;background:#f6f6f6;line-height:1.45}
.bar{background:#b3261e;color:#fff;padding:.6rem 1rem;font-weight:700}
.bar span{font-weight:400;font-size:.85rem;margin-left:.4rem}
main{max-width:40rem;margin:0 auto;padding:1rem}
h1{font-size:1.3rem;margin:.25rem 0 .5rem}
h2{font-size:1.1rem;margin:1.25rem 0 .25rem}
.hint{color:#555;font-size:.9rem;margin:.25rem 0 .5rem}
ul{list-style:none;margin:0;padding:0}
li{margin:.5rem 0}
button{font:inherit;cursor:pointer}
.account{display:block;width:100%;text-align:left;padding:.75rem .9rem;background:#fff;
  border:1px solid #8a8a8a;border-radius:.5rem;color:inherit}
.account:hover{border-color:#b3261e}
.account:focus-visible,.cancel:focus-visible{outline:3px solid #0b57d0;outline-offset:2px}
.account>span{display:block}
.name{font-weight:700;font-size:1.05rem}
.level{font-size:.85rem;color:#1b5e20}
.level1{color:#6d4c00}
.cancel{margin-top:1.25rem;padding:.6rem 1rem;background:#fff;border:2px solid #555;
  border-radius:.5rem;width:100%}
.alert{border:3px solid #b3261e;background:#fff;padding:.75rem 1rem;border-radius:.25rem}
.alert h2{margin-top:0}
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);
  white-space:nowrap}
"""


def e(value: Any) -> str:
    return escape("" if value is None else str(value), quote=True)


def page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="vi">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{e(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
        '<header class="bar">VNeID<span>Định danh điện tử quốc gia · bản mô phỏng</span></header>\n'
        f"<main>\n{body}\n</main>\n</body>\n</html>\n"
    )


def _masked(number: str) -> str:
    # The stars are read aloud as "ẩn" (hidden) rather than "star star star star".
    return (
        f'{e(number[:4])}<span aria-hidden="true">****</span>'
        f'<span class="visually-hidden"> (ẩn 4 số) </span>{e(number[-4:])}'
    )


def _level(level: int) -> str:
    return f'<span class="level level{level}">{e(LEVELS.get(level, f"Mức {level}"))}</span>'


def _person(account: DemoAccount, claims: dict[str, Any]) -> str:
    born = claims["birthdate"]
    return (
        "<li>"
        f'<button type="submit" class="account" name="tai_khoan" value="{e(account.key)}">'
        f'<span class="name">{e(claims["name"])}</span>'
        f"<span>Số định danh cá nhân: {_masked(account.number)}</span>"
        f"<span>Ngày sinh: {e(born[8:])}/{e(born[5:7])}/{e(born[:4])}</span>"
        f"{_level(account.level)}"
        "</button></li>"
    )


def _organisation(account: DemoAccount, claims: dict[str, Any]) -> str:
    return (
        "<li>"
        f'<button type="submit" class="account" name="tai_khoan" value="{e(account.key)}">'
        f'<span class="name">Tổ chức: {e(account.org_name)}</span>'
        f"<span>Mã số thuế: {e(account.org_tax_code)}</span>"
        f"<span>Người đại diện: {e(claims['name'])}, số định danh {_masked(account.number)}</span>"
        f"{_level(account.level)}"
        "</button></li>"
    )


def choose(
    *,
    transaction: str,
    client_id: str,
    people: list[tuple[DemoAccount, dict[str, Any]]],
    organisations: list[tuple[DemoAccount, dict[str, Any]]],
    error: str = "",
) -> str:
    alert = (
        '<div class="alert" role="alert" tabindex="-1"><h2>Chưa đăng nhập được</h2>'
        f'<p><a href="#cong-dan">{e(error)}</a></p></div>\n'
        if error
        else ""
    )
    body = (
        f"{alert}<h1>Đăng nhập bằng tài khoản định danh điện tử</h1>\n"
        f"<p>Ứng dụng <strong>{e(client_id)}</strong> (Cổng dịch vụ công tỉnh An Giang) "
        "đề nghị xác nhận danh tính của bạn.</p>\n"
        '<p class="hint">Đây là trang mô phỏng dùng để thử nghiệm: chọn một tài khoản mẫu, '
        "không cần mật khẩu hay mã xác thực.</p>\n"
        '<form method="post" action="authorize">\n'
        f'<input type="hidden" name="giao_dich" value="{e(transaction)}">\n'
        '<h2 id="cong-dan">Công dân</h2>\n'
        '<ul aria-labelledby="cong-dan">\n'
        + "\n".join(_person(a, c) for a, c in people)
        + "\n</ul>\n"
        '<h2 id="to-chuc">Tổ chức</h2>\n'
        '<p class="hint" id="to-chuc-giai-thich">Tổ chức đăng nhập bằng tài khoản định danh '
        "của người đại diện theo pháp luật.</p>\n"
        '<ul aria-labelledby="to-chuc" aria-describedby="to-chuc-giai-thich">\n'
        + "\n".join(_organisation(a, c) for a, c in organisations)
        + "\n</ul>\n"
        '<button type="submit" class="cancel" name="thao_tac" value="huy">'
        "Hủy, quay lại ứng dụng</button>\n"
        "</form>"
    )
    return page(TITLE, body)


def error(message: str) -> str:
    body = (
        "<h1>Không thể đăng nhập</h1>\n"
        f'<div class="alert" role="alert"><p>{e(message)}</p></div>\n'
        '<p class="hint">Hãy quay lại trang của cơ quan và bắt đầu đăng nhập lại. '
        "Nếu lỗi vẫn xảy ra, hãy báo cho quản trị hệ thống của ứng dụng.</p>"
    )
    return page(f"Không thể đăng nhập — {TITLE}", body)
