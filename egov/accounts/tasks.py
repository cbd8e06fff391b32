"""Background work for accounts: the "Quên mật khẩu" e-mail."""

from django_tasks import task

from .services import password_reset_mail_send


@task()
def send_password_reset(*, email: str, base_url: str) -> int:
    """Mail a reset link to each account with this address (none if there is none)."""
    return password_reset_mail_send(email=email, base_url=base_url)
