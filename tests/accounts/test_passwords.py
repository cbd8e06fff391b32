"""The password rules speak plain Vietnamese, never Django's English or stilted text."""

import pytest
from django.contrib.auth import password_validation
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError


def refusals(password: str, user: User | None = None) -> list[str]:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as error:
        return error.messages
    return []


def test_each_rule_says_what_is_wrong():
    assert refusals("Ab1") == ["Mật khẩu quá ngắn: cần ít nhất 8 ký tự."]
    assert refusals("12345678") == [
        "Mật khẩu này quá phổ biến, dễ bị đoán ra.",
        "Mật khẩu không được chỉ gồm chữ số.",
    ]
    assert refusals("Mot-Cua-An-Giang-2027") == []


def test_a_password_like_the_account_is_refused():
    user = User(username="tiepnhan.tinh", first_name="Trần Thị Ngọc Hân")
    assert refusals("tiepnhan.tinh1", user) == [
        "Mật khẩu quá giống thông tin của tài khoản (Tên đăng nhập)."
    ]


@pytest.mark.parametrize("text", password_validation.password_validators_help_texts())
def test_the_help_is_vietnamese(text):
    assert "password" not in text.lower().replace("(như 12345678 hay password)", "")
    assert any(letter in text for letter in "ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ")
