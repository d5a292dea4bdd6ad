"""Read a page as a person does: what each form field shows, which messages are on it."""

from __future__ import annotations

from collections import defaultdict
from html.parser import HTMLParser


class _FormValues(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.values: dict[str, list[str]] = defaultdict(list)
        self.names: set[str] = set()
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name:
            self.names.add(name)
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.values[name].append(attrs.get("value", "on"))
            elif kind not in ("file", "submit", "button") and attrs.get("value"):
                self.values[name].append(attrs["value"])
        elif tag == "textarea" and name:
            self.names.add(name)
            self._textarea = name
            self.values[name].append("")
        elif tag == "select" and name:
            self.names.add(name)
            self._select = name
        elif tag == "option" and self._select and "selected" in attrs:
            self.values[self._select].append(attrs.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea][-1] += data


def form_values(html: str) -> dict[str, list[str]]:
    """Field name -> what the page shows in it (typed text, ticked boxes, selected options)."""
    parser = _FormValues()
    parser.feed(html)
    return dict(parser.values)


def field_names(html: str) -> set[str]:
    """Names of the form fields a person can fill on the page."""
    parser = _FormValues()
    parser.feed(html)
    return parser.names


def shown(html: str, name: str) -> str:
    """The single value a text field, textarea or select shows ('' when empty), with the textarea's leading
    newline dropped as browsers do."""
    values = form_values(html).get(name, [""])
    value = values[0] if values else ""
    return value[1:] if value.startswith("\n") else value
