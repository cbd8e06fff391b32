"""API tokens (what `POST /api/v1/auth/token` hands out for `Authorization: Bearer`), and the
identity of citizens who sign in with VNeID.

Only a hash of each token is stored, so a copy of the database lets nobody sign in.
"""

from django.conf import settings
from django.db import models


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "mã truy cập API"
        verbose_name_plural = "mã truy cập API"

    def __str__(self) -> str:
        return f"{self.user_id} · {self.expires_at:%d/%m/%Y %H:%M}"


class IdentityKind(models.TextChoices):
    PERSON = "person", "Công dân"
    ORGANISATION = "organisation", "Tổ chức"


class IdentityLevel(models.IntegerChoices):
    LEVEL1 = 1, "Mức 1"
    LEVEL2 = 2, "Mức 2"


class Gender(models.TextChoices):
    MALE = "male", "Nam"
    FEMALE = "female", "Nữ"


class CitizenIdentity(models.Model):
    """Who a citizen's account is, as VNeID said at the last sign-in (egov.accounts.vneid).

    One per VNeID account (`subject`, the ID token's `sub`). An organisation's account acts
    through its legal representative: `id_number` and the personal fields are the
    representative's, `org_tax_code` and `org_name` the organisation's. A level-2 identity was
    verified in person; dossiers it submits are marked as VNeID-verified.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="tài khoản",
        on_delete=models.CASCADE,
        related_name="citizen_identity",
    )
    subject = models.CharField("mã định danh VNeID (sub)", max_length=255, unique=True)
    kind = models.CharField(
        "loại tài khoản", max_length=12, choices=IdentityKind.choices, default=IdentityKind.PERSON
    )
    level = models.PositiveSmallIntegerField("mức định danh", choices=IdentityLevel.choices)
    id_number = models.CharField("số định danh cá nhân", max_length=12)
    full_name = models.CharField("họ và tên", max_length=200)
    birth_date = models.DateField("ngày sinh", null=True, blank=True)
    gender = models.CharField("giới tính", max_length=6, choices=Gender.choices, blank=True)
    phone = models.CharField("số điện thoại", max_length=20, blank=True)
    email = models.EmailField("thư điện tử", blank=True)
    address = models.TextField("địa chỉ thường trú", blank=True)
    ward_code = models.PositiveIntegerField("mã xã, phường", null=True, blank=True)
    org_tax_code = models.CharField("mã số thuế tổ chức", max_length=14, blank=True)
    org_name = models.CharField("tên tổ chức", max_length=300, blank=True)
    last_sign_in = models.DateTimeField("lần đăng nhập gần nhất")
    created_at = models.DateTimeField("ngày tạo", auto_now_add=True)

    class Meta:
        verbose_name = "danh tính công dân (VNeID)"
        verbose_name_plural = "danh tính công dân (VNeID)"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(level__in=[1, 2]), name="citizen_identity_level_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=["person", "organisation"]),
                name="citizen_identity_kind_valid",
            ),
            # An organisation is known by its tax code; a person has none of it.
            models.CheckConstraint(
                condition=(
                    models.Q(kind="organisation") & ~models.Q(org_tax_code="")
                    | models.Q(kind="person", org_tax_code="", org_name="")
                ),
                name="citizen_identity_organisation_fields",
            ),
        ]
        indexes = [models.Index(fields=["id_number"], name="citizen_identity_id_number")]

    def __str__(self) -> str:
        if self.kind == IdentityKind.ORGANISATION:
            return f"{self.org_name} ({self.org_tax_code})"
        return self.full_name

    @property
    def is_organisation(self) -> bool:
        return self.kind == IdentityKind.ORGANISATION

    @property
    def vneid_verified(self) -> bool:
        """Level 2: the identity was verified in person (the portal marks the dossier)."""
        return self.level == IdentityLevel.LEVEL2
