"""The connected systems and services a province's deployment starts with (Decree 47/2020
art. 24: each service published with its owner, version, schema and access policy). The data
migration installs them on a new database (with its historical models) and `registry_install`
again whenever asked (seed, tests); an administrator edits them in the admin afterwards, and
reinstalling never overwrites an edit.

Each service: (code, name, direction, OAuth2 scope for inbound ones, carries personal data).
"""

from typing import Any

SYSTEMS = [
    {
        "code": "dvcqg",
        "name": "Cổng Dịch vụ công quốc gia",
        "owner": "Văn phòng Chính phủ",
        "version": "2.0",
        "auth_kind": "oauth2_client",
        "schema_ref": "Tài liệu kỹ thuật đồng bộ hồ sơ (DongBoHoSo, QuaTrinhXuLy)",
        "access_policy": (
            "Đồng bộ mọi hồ sơ và mọi bước xử lý ngay khi có thay đổi "
            "(Thông tư 01/2018/TT-VPCP điều 18; chỉ số 1.4 Quyết định 766/QĐ-TTg)."
        ),
        "services": [
            ("dvcqg.dossier.sync", "Đồng bộ hồ sơ và quá trình xử lý", "out", "", True),
            ("dvcqg.dossier.status", "Tra cứu trạng thái hồ sơ", "in", "dossier.status", False),
            (
                "dvcqg.dossier.submit",
                "Nhận hồ sơ nộp trên Cổng Dịch vụ công quốc gia",
                "in",
                "dossier.submit",
                True,
            ),
        ],
    },
    {
        "code": "csdldc",
        "name": "Cơ sở dữ liệu quốc gia về dân cư",
        "owner": "Bộ Công an",
        "version": "1.0",
        "auth_kind": "api_key",
        "schema_ref": "Dịch vụ tra cứu thông tin công dân (TraCuuCongDan)",
        "access_policy": (
            "Tra cứu theo số định danh cá nhân để điền sẵn tờ khai và xác thực người nộp; "
            "chỉ cán bộ tiếp nhận, khi đang tiếp nhận hồ sơ (Nghị định 47/2020 điều 40)."
        ),
        "services": [
            ("csdldc.person.lookup", "Tra cứu thông tin công dân", "out", "", True),
        ],
    },
    {
        "code": "hotich",
        "name": "Phần mềm đăng ký, quản lý hộ tịch điện tử dùng chung",
        "owner": "Bộ Tư pháp",
        "version": "1.0",
        "auth_kind": "basic",
        "schema_ref": "dangKyHoTich, traTrangThaiHoSo, ketQuaDangKyHS",
        "access_policy": "Liên thông hồ sơ khai sinh, khai tử, kết hôn do cấp xã tiếp nhận.",
        "services": [
            ("hotich.register", "Đăng ký hồ sơ hộ tịch", "out", "", True),
            ("hotich.status", "Tra cứu trạng thái hồ sơ hộ tịch", "out", "", False),
            ("hotich.result", "Lấy kết quả đăng ký hộ tịch", "out", "", True),
        ],
    },
    {
        "code": "thue",
        "name": "Hệ thống quản lý thuế",
        "owner": "Bộ Tài chính (Cục Thuế)",
        "version": "1.0",
        "auth_kind": "oauth2_client",
        "schema_ref": "Phiếu chuyển thông tin nghĩa vụ tài chính về đất đai",
        "access_policy": (
            "Chuyển thông tin để xác định nghĩa vụ tài chính, đọc thông báo và chứng từ nộp."
        ),
        "services": [
            (
                "thue.dossier.transfer",
                "Chuyển thông tin xác định nghĩa vụ tài chính",
                "out",
                "",
                True,
            ),
            ("thue.obligation.read", "Đọc thông báo nghĩa vụ tài chính", "out", "", True),
            ("thue.payment.read", "Đọc thông tin nộp nghĩa vụ tài chính", "out", "", True),
            ("thue.payment.notify", "Nhận thông báo đã nộp nghĩa vụ", "in", "tax.payment", True),
        ],
    },
    {
        "code": "notify",
        "name": "Thư điện tử gửi người nộp hồ sơ",
        "owner": "Ủy ban nhân dân tỉnh",
        "version": "",
        "auth_kind": "none",
        "schema_ref": "",
        "access_policy": "Báo người nộp khi hồ sơ được tiếp nhận, cần bổ sung, có kết quả.",
        "services": [
            ("notify.applicant", "Báo tin cho người nộp hồ sơ", "out", "", True),
        ],
    },
    {
        "code": "sms",
        "name": "Tổng đài tin nhắn thương hiệu (SMS brandname)",
        "owner": "Doanh nghiệp viễn thông cung cấp dịch vụ SMS brandname",
        "version": "1.0",
        "auth_kind": "api_key",
        "schema_ref": "POST /api/send {brandname, phone, message, request_id}",
        "access_policy": (
            "Gửi tin báo cho người dân đã chọn nhận SMS (hoặc có số điện thoại mà chưa chọn "
            "cách nhận): hồ sơ, lịch hẹn, phản ánh kiến nghị."
        ),
        "services": [
            ("sms.send", "Gửi tin nhắn SMS cho người dân", "out", "", True),
        ],
    },
    {
        "code": "zalo",
        "name": "Zalo Notification Service (ZNS) của Zalo Official Account tỉnh",
        "owner": "Công ty Cổ phần VNG (Zalo)",
        "version": "1.0",
        # The Official Account's access token goes in Zalo's own `access_token` header, which
        # none of the registry's kinds names: the notifications app's adapter sends it.
        "auth_kind": "none",
        "schema_ref": (
            "POST /message/template, tiêu đề access_token, "
            "{phone, template_id, template_data, tracking_id}"
        ),
        "access_policy": "Gửi tin Zalo theo mẫu đã duyệt cho người dân đã chọn nhận qua Zalo.",
        "services": [
            ("zalo.zns", "Gửi tin Zalo theo mẫu (ZNS)", "out", "", True),
        ],
    },
]


def install(system_model: Any, service_model: Any, health_model: Any) -> int:
    """Add what is missing, with the models given (current or a migration's); returns how many
    systems were added. Every system of the list gets its health row."""
    added = 0
    for spec in SYSTEMS:
        fields = {k: v for k, v in spec.items() if k not in {"code", "services"}}
        system, created = system_model.objects.get_or_create(code=spec["code"], defaults=fields)
        added += created
        health_model.objects.get_or_create(system=system)
        for code, name, direction, scope, personal in spec["services"]:
            service_model.objects.get_or_create(
                code=code,
                defaults={
                    "system": system,
                    "name": name,
                    "direction": direction,
                    "scope": scope,
                    "personal_data": personal,
                    "version": spec["version"],
                },
            )
    return added
