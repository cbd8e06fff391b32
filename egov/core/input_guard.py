"""Control characters are refused where text comes in: every page's address, query and form
(ControlCharacterMiddleware), and every API request (egov.api: the address and the body in a
wrapper around each view, the query and the form in the API's parser, after sign-in, as
Ninja reads them).

A C0 control character (U+0000–U+001F but tab, line feed and carriage return) is never part
of what a person means to type: it comes from pasting out of another program or from a
probe. Stored, it breaks what comes later: PostgreSQL refuses NUL outright, a spreadsheet
cell cannot hold one, a printed form shows a box. So the whole request is refused, naming the
field, and nothing is changed; it is cheaper to check every input here once than to trust
each form to remember. (Forms that check their own text still do, for callers other than a
request.)
"""

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponse, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.utils.datastructures import MultiValueDict

from .errors import DomainError

CONTROL_CHARACTER = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
MESSAGE = (
    "Dữ liệu gửi lên có ký tự điều khiển không nhìn thấy được (thường do dán từ một chương "
    "trình khác). Hãy xóa ký tự đó rồi gửi lại."
)
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
# What reading a request's body may raise: the view meets it again and answers it (400, 413).
UNREADABLE = (SuspiciousOperation, MultiPartParserError, UnreadablePostError)


class ControlCharacterError(DomainError):
    def __init__(self, fields: list[str]) -> None:
        super().__init__(
            MESSAGE,
            code="control_characters",
            fields=dict.fromkeys(fields, "Có ký tự điều khiển."),
        )


def page_fields(request: HttpRequest) -> list[str]:
    """The fields of a page's request (its address, query, form and files' names) that carry
    a control character."""
    found = address_fields(request) + querydict_fields(request.GET)
    if request.method in ("POST", "PUT", "PATCH", "DELETE") and request.content_type in FORM_TYPES:
        found += querydict_fields(request.POST) + querydict_fields(request.FILES)
    return found


def address_fields(request: HttpRequest) -> list[str]:
    return ["path"] if _has(request.path) else []


def body_fields(request: HttpRequest) -> list[str]:
    """The places in a body that is not a form that carry a control character. The body is
    read as JSON whatever its Content-Type says, as Ninja reads it; one that is not JSON is
    left to the API, which refuses it (400)."""
    if request.content_type in FORM_TYPES or not request.body:
        return []
    try:
        return list(_in_json(json.loads(request.body), ""))
    except (ValueError, RecursionError):  # too deep to walk: Ninja's parser refuses it too
        return []


def querydict_fields(data: MultiValueDict[str, Any]) -> list[str]:
    """Names of a query's, a form's or the files' fields with a control character in the
    name, a value or an uploaded file's name."""
    return list(_in_querydict(data))


def _has(text: str | None) -> bool:
    return bool(text) and CONTROL_CHARACTER.search(text or "") is not None


def _in_querydict(data: MultiValueDict[str, Any]) -> Iterator[str]:
    for name, values in data.lists():
        texts = [
            value if isinstance(value, str) else getattr(value, "name", "") for value in values
        ]
        if _has(name) or any(_has(text) for text in texts):
            yield CONTROL_CHARACTER.sub("?", name)


def _in_json(data: object, place: str) -> Iterator[str]:
    if isinstance(data, str):
        if _has(data):
            yield place or "body"
    elif isinstance(data, dict):
        for key, value in data.items():
            name = f"{place}.{key}" if place else str(key)
            if _has(str(key)):
                yield CONTROL_CHARACTER.sub("?", name)
            else:
                yield from _in_json(value, name)
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _in_json(value, f"{place}.{index}" if place else str(index))


class ControlCharacterMiddleware:
    """Pages: a request whose address, query or form carries a control character gets a page
    that says which field, with status 400, and reaches no view. The API (/api/v1/) and the
    bus (/lgsp/) answer in their own JSON shapes, so they check for themselves."""

    SKIP = ("/api/", "/lgsp/")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(self.SKIP):
            try:
                fields = page_fields(request)
            except UNREADABLE:
                fields = []
            if fields:
                return self._refusal(request, fields)
        return self.get_response(request)

    @staticmethod
    def _refusal(request: HttpRequest, fields: list[str]) -> HttpResponse:
        context = {"message": MESSAGE, "fields": fields}
        if request.headers.get("HX-Request") != "true":
            return render(request, "core/control_characters.html", context, status=400)
        # htmx swaps no 4xx answer: the page's body is replaced with the refusal instead, so
        # the officer sees it rather than nothing.
        response = render(request, "core/control_characters.html", context)
        response["HX-Retarget"] = "body"
        response["HX-Reswap"] = "innerHTML"
        return response
