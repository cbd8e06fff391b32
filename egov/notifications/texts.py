"""A notice's words: a message template rendered as plain text, its first line the subject,
the rest the text; the text fitted to the short channels (SMS, Zalo).

Templates are plain text (`<app>/messages/<name>.txt`, rendered without HTML escaping); what
they are filled with may come from anyone (a name, an officer's reason), so the result loses
control characters and anything shaped like an HTML tag."""

import re
from dataclasses import dataclass
from typing import Any

from django.template import Context
from django.template.loader import get_template
from django.utils.html import strip_tags

# What an SMS may carry (the gateways refuse longer texts); the e-mail gets the whole text.
SHORT_LIMIT = 480
SUBJECT_LIMIT = 150
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u2028\u2029\ufeff]")
_ENDS_WITH_LINK = re.compile(r"https?://\S+$")
ELLIPSIS = "…"


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str  # the whole text, for e-mail

    @property
    def short(self) -> str:
        """The text for SMS and Zalo: at most SHORT_LIMIT characters."""
        return fit(self.text, SHORT_LIMIT)


class MessageTemplateError(Exception):
    """A message template renders nothing usable (a programming error of its app)."""


def clean(text: str) -> str:
    text = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " "))
    return strip_tags(text)


def render(template: str, context: dict[str, Any]) -> Rendered:
    """`<template>.txt` filled with `context`: the first non-blank line is the subject; the
    following lines, trimmed, with runs of blank lines made one, are the text."""
    source = get_template(f"{template}.txt")
    raw = source.template.render(Context(context, autoescape=False))  # type: ignore[attr-defined]
    lines = [" ".join(line.split()) for line in clean(raw).split("\n")]
    while lines and not lines[0]:
        lines.pop(0)
    if not lines:
        raise MessageTemplateError(f"{template}.txt renders nothing")
    subject = _cut(lines[0], SUBJECT_LIMIT)
    body: list[str] = []
    for line in lines[1:]:
        if line or (body and body[-1]):
            body.append(line)
    text = "\n".join(body).strip() or subject
    return Rendered(subject=subject, text=text)


def fit(text: str, limit: int) -> str:
    """The text within `limit` characters: cut at a word before the end, with an ellipsis,
    keeping a last line that is a web address (the look-up link matters most)."""
    if len(text) <= limit:
        return text
    head, _, last = text.rpartition("\n")
    if head and _ENDS_WITH_LINK.search(last) and len(last) < limit // 2:
        return f"{_cut(head, limit - len(last) - 1)}\n{last}"
    return _cut(text, limit)


def _cut(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    room = text[: limit - len(ELLIPSIS)]
    word = room.rsplit(None, 1)[0] if " " in room.strip() else room
    return word.rstrip(" ,.;:\n") + ELLIPSIS
