"""What `make demo` prints once the site answers: where each part of the demo is, the demo
logins and the bus's connection accounts, and whether the month of dossiers is still being
loaded. `seed_demo` prints the same logins."""

from .seed import DEMO_CLIENTS, DEMO_LOGINS, DEMO_PASSWORD


def login_lines() -> list[str]:
    """The staff logins with their shared password, the citizen's way in, the bus clients."""
    lines = [f"Tài khoản dùng thử (mật khẩu chung: {DEMO_PASSWORD}):"]
    lines += [f"  {login.username:<22} {login.what}" for login in DEMO_LOGINS]
    lines.append(
        "Công dân, doanh nghiệp: bấm “Đăng nhập VNeID” trên Cổng, rồi chọn một người trên "
        "trang VNeID mô phỏng, ví dụ Nguyễn Tấn An (mức 2, phường Long Xuyên; đã có hồ sơ và "
        "giấy tờ từ trước), Thái Mỹ Mai (mức 1) hoặc Công ty TNHH Nông sản Sông Hậu (tổ chức)."
    )
    lines.append("Tài khoản kết nối trục liên thông (OAuth2, POST /lgsp/oauth/token/):")
    lines += [
        f"  {client.client_id:<12} / {client.secret:<16} {client.name}: {' '.join(client.scopes)}"
        for client in DEMO_CLIENTS
    ]
    return lines


def banner(*, site: str, sims: str, filling: bool) -> str:
    """The demo's addresses (`site`, `sims`: their base URLs), its logins, and a word on the
    month of dossiers when it is still `filling` in the background."""
    site, sims = site.rstrip("/"), sims.rstrip("/")
    lines = [
        "",
        f"MotCua chạy tại {site}/",
        f"  Tra cứu thủ tục:   {site}/",
        f"  Công dân (VNeID):  {site}/dang-nhap/vneid/ — chọn Nguyễn Tấn An (mức 2)",
        f"  Nộp trực tuyến:    {site}/thu-tuc/1.001193/ (Đăng ký khai sinh)",
        f"  Đặt lịch hẹn:      {site}/dat-lich/ · Phản ánh: {site}/phan-anh/",
        f"  Đăng nhập cán bộ:  {site}/dang-nhap/",
        f"  Quản trị:          {site}/quan-tri/",
        f"  Trục liên thông:   {site}/can-bo/lien-thong/ (quantri.tinh)",
        f"  Cổng DVC quốc gia (mô phỏng): {sims}/dvcqg/ (nộp hồ sơ: {sims}/dvcqg/nop-ho-so)",
        f"  Tin nhắn đã gửi (mô phỏng):   {sims}/sms/ · Zalo: {sims}/zalo/",
        f"  Hộp thư demo (thư điện tử đã gửi): {sims}/mail/",
        *login_lines(),
    ]
    if filling:
        lines.append(
            "Hồ sơ mẫu của 30 ngày qua đang được nạp nền (vài phút): danh sách việc của cán bộ "
            "và hộp thư đầy dần. Nên chờ dòng “Đã nạp xong hồ sơ mẫu” rồi hãy tiếp nhận hồ sơ "
            "mới, để sổ theo dõi đánh số theo thứ tự thời gian."
        )
    lines.append("Nhấn Ctrl+C để dừng.")
    return "\n".join(lines)
