"""The province's connected systems and their services, as a deployment starts with them
(editable in the admin afterwards), and the outbox rows written before the bus existed."""

from django.db import migrations

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
]


def add_systems(apps, schema_editor):
    ConnectedSystem = apps.get_model("interop", "ConnectedSystem")
    SystemService = apps.get_model("interop", "SystemService")
    SystemHealth = apps.get_model("interop", "SystemHealth")
    for spec in SYSTEMS:
        fields = {k: v for k, v in spec.items() if k not in {"code", "services"}}
        system, _ = ConnectedSystem.objects.get_or_create(code=spec["code"], defaults=fields)
        SystemHealth.objects.get_or_create(system=system)
        for code, name, direction, scope, personal in spec["services"]:
            SystemService.objects.get_or_create(
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


def retire_legacy_rows(apps, schema_editor):
    """Rows queued before the bus: the applicant notices keep going (now with their system
    and order); the old portal messages carried no portal payload and could never be sent,
    so they give way to a full sync of each dossier (`portal_resync`)."""
    OutboxMessage = apps.get_model("interop", "OutboxMessage")
    OutboxMessage.objects.filter(topic="dvcqg.dossier").delete()
    for message in OutboxMessage.objects.filter(topic="notify.applicant", system=""):
        dossier_id = message.idempotency_key.split(":")[1]
        message.system = "notify"
        message.ordering_key = f"notify:{dossier_id}"
        message.retry_from = message.created_at
        message.save(update_fields=["system", "ordering_key", "retry_from"])


class Migration(migrations.Migration):
    dependencies = [("interop", "0002_registry_log_sync_inbound")]

    operations = [
        migrations.RunPython(add_systems, migrations.RunPython.noop),
        migrations.RunPython(retire_legacy_rows, migrations.RunPython.noop),
    ]
