from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "egov.accounts"
    verbose_name = "Tài khoản"
