"""The password rules (AUTH_PASSWORD_VALIDATORS) in plain Vietnamese.

Django's own checks, with the words an officer reads when a new password is refused: its
Vietnamese catalogue leaves some of them stilted and the length message in English.
"""

from django.contrib.auth import password_validation


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def get_error_message(self) -> str:
        return f"Mật khẩu quá ngắn: cần ít nhất {self.min_length} ký tự."

    def get_help_text(self) -> str:
        return f"Dài ít nhất {self.min_length} ký tự."


class UserAttributeSimilarityValidator(password_validation.UserAttributeSimilarityValidator):
    def get_error_message(self) -> str:
        return "Mật khẩu quá giống thông tin của tài khoản (%(verbose_name)s)."

    def get_help_text(self) -> str:
        return "Không giống tên đăng nhập, họ tên hay thư điện tử."


class CommonPasswordValidator(password_validation.CommonPasswordValidator):
    def get_error_message(self) -> str:
        return "Mật khẩu này quá phổ biến, dễ bị đoán ra."

    def get_help_text(self) -> str:
        return "Không phải một mật khẩu phổ biến (như 12345678 hay password)."


class NumericPasswordValidator(password_validation.NumericPasswordValidator):
    def get_error_message(self) -> str:
        return "Mật khẩu không được chỉ gồm chữ số."

    def get_help_text(self) -> str:
        return "Có cả chữ cái, không chỉ chữ số."
