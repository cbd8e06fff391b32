"""API tokens (what `POST /api/v1/auth/token` hands out for `Authorization: Bearer`), and the
identity of citizens who sign in with VNeID.

Only a hash of each token is stored, so a copy of the database lets nobody sign in.
"""

import hashlib
import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class RevokeReason(models.TextChoices):
    OWNER = "owner", "Chủ tài khoản thu hồi"
    ADMINISTRATOR = "administrator", "Quản trị thu hồi"
    PASSWORD = "password", "Mật khẩu đã đổi"
    DEACTIVATED = "deactivated", "Tài khoản bị khóa"


def password_hash_digest(password_hash: str) -> str:
    """What a token keeps of the account's stored password hash when it is issued
    (`ApiToken.password_digest`): a SHA-256 of the hash, with no secret key, so rotating
    SECRET_KEY leaves tokens alone."""
    return hashlib.sha256(password_hash.encode()).hexdigest()


class ApiToken(models.Model):
    """One bearer token. The owner and the administrators know it by its first characters
    (`prefix`, too few to sign in with) and its dates; pages and URLs by `public_id`.

    A revoked token keeps its row (when, by whom, why), as an expired one does; the API
    takes neither (egov.accounts.services.api_token_user). `password_digest` ties the token
    to the password it was issued with: a password changed by any means ends it, revoked or
    not (`password_changed`), and the lists show it as ended.

    "Any means" is the account's stored hash changing, so it includes Django re-hashing an
    unchanged password at the next sign-in after a hasher upgrade (more iterations with a new
    Django, a new preferred hasher): that ends the account's tokens too. Accepted, not a bug:
    a token lasts at most MOTCUA_API_TOKEN_HOURS anyway, and the software signs in again.
    """

    public_id = models.UUIDField("mã công khai", default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="tài khoản",
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField("đầu mã", max_length=8, blank=True)
    password_digest = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField("cấp lúc", auto_now_add=True)
    expires_at = models.DateTimeField("hết hạn lúc")
    last_used_at = models.DateTimeField("dùng lần cuối", null=True, blank=True)
    revoked_at = models.DateTimeField("thu hồi lúc", null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người thu hồi",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    revoke_reason = models.CharField(
        "lý do thu hồi", max_length=16, choices=RevokeReason.choices, blank=True
    )

    class Meta:
        verbose_name = "mã truy cập API"
        verbose_name_plural = "mã truy cập API"
        indexes = [models.Index(fields=["user", "-created_at"], name="api_token_user_created")]
        constraints = [
            # Revoked means a time and a reason, together.
            models.CheckConstraint(
                condition=(
                    models.Q(revoked_at__isnull=True, revoke_reason="")
                    | (models.Q(revoked_at__isnull=False) & ~models.Q(revoke_reason=""))
                ),
                name="api_token_revoked_with_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.prefix or 'mã'}… · {self.expires_at:%d/%m/%Y %H:%M}"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def password_changed(self) -> bool:
        """The account's stored password hash is no longer the one the token was issued with
        (a new password, by any route, or a re-hash: see the class). Reads `user`: the lists
        load it with their tokens (egov.accounts.selectors), so it costs no query there."""
        current = password_hash_digest(self.user.password)
        return not secrets.compare_digest(self.password_digest, current)

    @property
    def works(self) -> bool:
        """What the API takes: neither revoked nor expired, and issued with the account's
        current password (whether the account is active aside)."""
        return self.revoked_at is None and not self.is_expired and not self.password_changed


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
