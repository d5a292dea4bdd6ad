"""SVG charts for the staff KPI dashboard (how long contracting takes, where it stalls), drawn on the server.

Why server-side SVG: the portal fetches nothing from a CDN and runs no chart library in the browser, the charts print
(and reach WeasyPrint) as they show, and they scale with the page through ``viewBox``. The page puts an HTML table
with the same numbers beside each chart, so the SVG is one labelled image (``role="img"``) and does not rely on
colour: every bar prints its value, the palette is Okabe–Ito (colour-blind safe).

Each function returns one ``<svg>`` element as a ``SafeString``; every text is escaped and numbers are formatted for
the active language (decimal comma in French).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

WIDTH = 640  # the viewBox width; the svg itself is width="100%"
PAD = 16
LABEL_END = 200  # row labels are right-aligned against this x
BAR_X = 208  # where bars start
BAR_W = 282  # the longest bar; leaves room for the value printed after it
CHAR_W = 6.6  # rough width of a character at font-size 12, to lay out legends and to fit texts
LABEL_CHARS = 28
INK, MUTED, RULE = "#1f2933", "#52606d", "#9aa5b1"
# Okabe–Ito, with the text colour readable on each (white only on the dark blue).
PALETTE = [
    ("#0072B2", "#fff"),
    ("#E69F00", "#000"),
    ("#009E73", "#000"),
    ("#CC79A7", "#000"),
    ("#56B4E9", "#000"),
    ("#D55E00", "#000"),
    ("#F0E442", "#000"),
]
DASH = "–"
# Characters XML 1.0 cannot hold at all (most control characters, lone surrogates, U+FFFE/FFFF).
NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def funnel(steps: list[tuple[str, int]], *, title: str) -> SafeString:
    """One bar per step, in order, scaled to the largest count; "count (pct % of first)" after each bar."""
    if not any(count > 0 for _label, count in steps):
        return _no_data(title, "funnel", steps)
    first, top = steps[0][1], max(count for _label, count in steps)
    rows, y = [], PAD
    for label, count in steps:
        width = _length(count, top, BAR_W)
        text = _num(count)
        if first > 0:
            text = _("%(count)s (%(pct)s %% of first)") % {"count": text, "pct": _num(round(100 * count / first))}
        rows.append(_row(label, y, 28, [_bar(BAR_X, y + 5, width, 18, PALETTE[0][0], text)]))
        y += 28
    desc = _("Bar length: the count at each step; percentages are of the first step.")
    return _svg(title, "funnel", steps, y + PAD, rows, desc)


def paired_bars(
    rows: list[tuple[str, float | None, float | None]], *, title: str, unit: str, legend: tuple[str, str]
) -> SafeString:
    """Two thin bars per row (say median and 90th percentile) on one scale; a missing value prints "–", no bar."""
    values = [value for _label, *pair in rows for value in pair if value is not None]
    if not any(value > 0 for value in values):
        return _no_data(title, "paired", rows)
    top = max(values)
    colours = [PALETTE[0][0], PALETTE[1][0]]
    parts, y = _legend(zip(legend, colours, strict=True), unit)
    for label, *pair in rows:
        bars = [
            _bar(BAR_X, y + 4 + 14 * i, _length(value, top, BAR_W), 12, colour, _num(value), size=11)
            if value is not None
            else _value(BAR_X + 6, y + 14 + 14 * i, DASH, size=11)
            for i, (value, colour) in enumerate(zip(pair, colours, strict=True))
        ]
        parts.append(_row(label, y, 34, bars))
        y += 34
    desc = _("Unit: %(unit)s. Bars: %(series)s.") % {"unit": unit, "series": ", ".join(legend)}
    return _svg(title, "paired", rows, y + PAD, parts, desc)


def stacked_bars(
    rows: list[tuple[str, dict[str, float]]], *, parts: list[tuple[str, str]], title: str, unit: str
) -> SafeString:
    """One bar per row split into ``parts`` (key, label) in order, zero parts left out; the total after the bar."""
    keys = [key for key, _label in parts]
    totals = [sum(max(float(values.get(key) or 0), 0.0) for key in keys) for _label, values in rows]
    if not any(total > 0 for total in totals):
        return _no_data(title, "stacked", rows)
    top = max(totals)
    colours = [PALETTE[i % len(PALETTE)] for i in range(len(parts))]
    body, y = _legend(((label, fill) for (_key, label), (fill, _ink) in zip(parts, colours, strict=True)), unit)
    for (label, values), total in zip(rows, totals, strict=True):
        bits, done = [], 0.0
        for (key, part_label), (fill, ink) in zip(parts, colours, strict=True):
            value = max(float(values.get(key) or 0), 0.0)
            if not value:
                continue
            # Positions from the running sum, rounded once: the segments add up to the total's width exactly.
            x0, x1 = _x(done, top), _x(done + value, top)
            done += value
            tip = f"<title>{_text(part_label)}: {_text(_num(value))}</title>"
            bits.append(
                f'<rect class="segment" x="{_f(x0)}" y="{_f(y + 5)}" width="{_f(x1 - x0)}" height="18" fill="{fill}" '
                f'stroke="#fff" stroke-width="1">{tip}</rect>'
            )
            if (x1 - x0) >= CHAR_W * len(_num(value)) + 8:
                bits.append(
                    _value((x0 + x1) / 2, y + 18, _num(value), fill=ink, anchor="middle", size=11, cls="value part")
                )
        bits.append(_value(_x(total, top) + 6, y + 18, _num(total), cls="value total"))
        body.append(_row(label, y, 28, bits))
        y += 28
    desc = _("Unit: %(unit)s. Bars: %(series)s.") % {"unit": unit, "series": ", ".join(label for _k, label in parts)}
    return _svg(title, "stacked", rows, y + PAD, body, desc)


def columns(rows: list[tuple[str, float | None]], *, title: str, max_value: float, unit: str) -> SafeString:
    """Vertical columns from 0 to ``max_value`` (say a 0–10 score by quarter), the value above each; None prints "–"."""
    values = [value for _label, value in rows if value is not None]
    if not any(value > 0 for value in values):
        return _no_data(title, "columns", rows)
    top = max_value if max_value > 0 else max(values)
    left, base, height = 48, PAD + 20 + 18 + 180, 180  # axis labels, the baseline's y, the plot's height
    slot = (WIDTH - left - PAD) / len(rows)
    col_w = min(48.0, slot * 0.6)
    body = [
        _value(PAD, PAD + 12, unit, fill=MUTED, cls="unit"),
        f'<line x1="{left}" y1="{base}" x2="{WIDTH - PAD}" y2="{base}" stroke="{RULE}"/>',
        f'<line x1="{left}" y1="{base - height}" x2="{WIDTH - PAD}" y2="{base - height}" stroke="{RULE}" '
        'stroke-dasharray="4 4"/>',
        _value(left - 6, base + 4, _num(0), fill=MUTED, anchor="end", cls="tick"),
        _value(left - 6, base - height + 4, _num(top), fill=MUTED, anchor="end", cls="tick"),
    ]
    for i, (label, value) in enumerate(rows):
        mid = left + slot * (i + 0.5)
        bits = [_label(label, mid, base + 18, "middle", max(3, int(slot / CHAR_W)))]
        if value is None:
            bits.append(_value(mid, base - 6, DASH, anchor="middle"))
        else:
            h = _length(value, top, height)
            bits.append(
                f'<rect class="column" x="{_f(mid - col_w / 2)}" y="{_f(base - h)}" width="{_f(col_w)}" '
                f'height="{_f(h)}" fill="{PALETTE[0][0]}"/>'
            )
            bits.append(_value(mid, base - h - 6, _num(value), anchor="middle"))
        body.append(f'<g class="row">{"".join(bits)}</g>')
    desc = _("Unit: %(unit)s. Scale from 0 to %(max)s.") % {"unit": unit, "max": _num(top)}
    return _svg(title, "columns", rows, base + 24 + PAD, body, desc)


# Shared pieces -------------------------------------------------------------------------------------------------


def _svg(
    title: str, kind: str, data: object, height: float, body: list[str], desc: str = "", note: str = ""
) -> SafeString:
    """The root element: title, desc, the drawing, and ``note`` (a sentence centred instead of a drawing)."""
    # A stable id from what is drawn: two charts on one page differ in kind, title or numbers.
    uid = "kpi-" + hashlib.blake2s(repr((kind, title, data)).encode("utf-8", "replace"), digest_size=5).hexdigest()
    labelled, head = [f"{uid}-title"], f'<title id="{uid}-title">{_text(title)}</title>'
    if desc:
        labelled.append(f"{uid}-desc")
        head += f'<desc id="{uid}-desc">{_text(desc)}</desc>'
    if note:
        labelled.append(f"{uid}-note")
        body = [
            *body,
            _value(WIDTH / 2, height / 2 + 4, note, fill=MUTED, anchor="middle", cls="note", ident=f"{uid}-note"),
        ]
    return mark_safe(  # noqa: S308 - every text inside went through _text (escape)
        f'<svg xmlns="http://www.w3.org/2000/svg" class="kpi-chart kpi-chart-{kind}" role="img" '
        f'aria-labelledby="{" ".join(labelled)}" viewBox="0 0 {WIDTH} {_f(height)}" width="100%" '
        f'font-family="inherit" font-size="12" fill="{INK}">{head}{"".join(body)}</svg>'
    )


def _no_data(title: str, kind: str, data: object) -> SafeString:
    return _svg(title, kind, data, 72, [], note=_("No data for this period."))


def _legend(items: Iterable[tuple[str, str]], unit: str) -> tuple[list[str], float]:
    """Swatch and label per series, flowing left to right and wrapping; the unit at the right. Returns (parts, y)."""
    parts, x, y = [], float(PAD), float(PAD)
    unit_w = CHAR_W * len(unit) + PAD
    for label, fill in items:
        shown = _clip(_clean(label), LABEL_CHARS)
        width = 12 + 6 + CHAR_W * len(shown) + 18
        if x > PAD and x + width > WIDTH - unit_w:
            x, y = float(PAD), y + 20
        parts.append(
            f'<g class="legend-item"><rect class="swatch" x="{_f(x)}" y="{_f(y)}" width="12" height="12" '
            f'fill="{fill}"/>{_label(label, x + 18, y + 10, "start")}</g>'
        )
        x += width
    parts.append(_value(WIDTH - PAD, PAD + 10, unit, fill=MUTED, anchor="end", cls="unit"))
    return parts, y + 12 + 14


def _row(label: str, y: float, height: float, bits: list[str]) -> str:
    return f'<g class="row">{_label(label, LABEL_END, y + height / 2 + 4, "end")}{"".join(bits)}</g>'


def _bar(x: float, y: float, width: float, height: float, fill: str, text: str, size: int = 12) -> str:
    """A bar and its value printed just after its end (a zero bar draws nothing but the value)."""
    rect = (
        f'<rect class="bar" x="{_f(x)}" y="{_f(y)}" width="{_f(width)}" height="{_f(height)}" fill="{fill}"/>'
        if width
        else ""
    )
    return rect + _value(x + width + 6, y + height / 2 + size / 3, text, size=size)


def _label(label: str, x: float, y: float, anchor: str, limit: int = LABEL_CHARS) -> str:
    """A label cut to ``limit`` characters with "…"; the full label stays in a <title> (tooltip) when cut."""
    full = _clean(label)
    shown = _clip(full, limit)
    tip = f"<title>{escape(full)}</title>" if shown != full else ""
    return f'<text class="label" x="{_f(x)}" y="{_f(y)}" text-anchor="{anchor}">{tip}{escape(shown)}</text>'


def _value(
    x: float,
    y: float,
    text: str,
    *,
    fill: str = INK,
    anchor: str = "start",
    size: int = 12,
    cls: str = "value",
    ident: str = "",
) -> str:
    """A printed value (or unit, tick, note): escaped, never cut."""
    ident = f' id="{ident}"' if ident else ""
    return (
        f'<text{ident} class="{cls}" x="{_f(x)}" y="{_f(y)}" text-anchor="{anchor}" fill="{fill}" font-size="{size}">'
        f"{_text(text)}</text>"
    )


def _length(value: float, top: float, full: float) -> float:
    """``value`` on a scale where ``top`` is ``full`` long, clipped to [0, full], rounded as it will be drawn."""
    return round(min(max(float(value) / float(top), 0.0), 1.0) * full, 2) if top > 0 else 0.0


def _x(value: float, top: float) -> float:
    return round(BAR_X + _length(value, top, BAR_W), 2)


def _num(value: float) -> str:
    """Whole numbers as they are, others with one decimal, in the active language's format.

    Rounded half up as the ``floatformat`` filter does, so the table beside the chart (``|floatformat:"-1"``) shows
    the same figures.
    """
    rounded = Decimal(str(value)).quantize(Decimal("0.1"), ROUND_HALF_UP)
    return number_format(rounded, decimal_pos=0 if rounded == rounded.to_integral_value() else 1)


def _clean(text: object) -> str:
    """One line of text that XML can hold: line breaks and tabs become spaces, other control characters go."""
    return NOT_XML.sub("", str(text)).translate({9: " ", 10: " ", 13: " "})


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _text(text: object) -> str:
    return escape(_clean(text))


def _f(number: float) -> str:
    """A coordinate: never localised (an SVG wants a dot), two decimals at most."""
    return f"{number:.2f}".rstrip("0").rstrip(".")
