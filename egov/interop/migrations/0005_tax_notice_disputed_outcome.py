import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("dossiers", "0001_initial"),
        ("interop", "0004_outbox_discarded"),
    ]

    operations = [
        migrations.AlterField(
            model_name="messagelog",
            name="outcome",
            field=models.CharField(
                choices=[
                    ("ok", "Thành công"),
                    ("retry", "Lỗi tạm thời, sẽ gửi lại"),
                    ("rejected", "Đối tác từ chối"),
                    ("refused", "Từ chối yêu cầu đến"),
                    ("disputed", "Không khớp, không ghi nhận"),
                    ("error", "Lỗi"),
                ],
                max_length=10,
                verbose_name="kết quả",
            ),
        ),
        migrations.CreateModel(
            name="TaxNotice",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("number", models.CharField(max_length=64, verbose_name="số thông báo")),
                ("total", models.PositiveBigIntegerField(verbose_name="số tiền phải nộp (đồng)")),
                ("due_date", models.DateField(verbose_name="hạn nộp")),
                ("recorded_at", models.DateTimeField(verbose_name="ghi nhận lúc")),
                (
                    "dossier",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="tax_notice",
                        to="dossiers.dossier",
                    ),
                ),
                (
                    "transfer",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="interop.outboxmessage",
                    ),
                ),
            ],
            options={
                "verbose_name": "thông báo nộp tiền của cơ quan thuế",
                "verbose_name_plural": "thông báo nộp tiền của cơ quan thuế",
            },
        ),
    ]
