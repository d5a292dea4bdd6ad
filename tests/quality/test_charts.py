"""KPI charts (quality/charts.py): well-formed SVG whatever the labels, bars in proportion to the numbers, gaps and
empty periods shown as such, numbers written in the reader's language. No database: the charts only draw."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from django.test import override_settings
from django.utils import translation
from django.utils.safestring import SafeString
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from quality import charts

SVG = "{http://www.w3.org/2000/svg}"
FUNNEL = [("Submitted", 120), ("First response", 118), ("Routed", 90), ("Accepted", 60), ("Contracting", 45)]
TIMES = [("NDA", 4.5, 12.0), ("Research collaboration", 30.0, 61.5), ("Licence", None, 40.0)]
PARTS = [
    ("company", "Company"),
    ("entity", "Entity"),
    ("governing_body", "Governing body"),
    ("central", "Central team"),
]
STALLS = [
    ("NDA", {"company": 3.0, "entity": 1.5, "governing_body": 0, "central": 0.5}),
    ("Research collaboration", {"company": 12.0, "entity": 20.5, "governing_body": 9.0, "central": 4.0}),
]
SCORES = [("2025 Q4", 8.2), ("2026 Q1", None), ("2026 Q2", 5.0)]
EXAMPLES = hypothesis_settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def draw_funnel(label="Submitted", title="Enquiries", unit="", legend=("a", "b")):
    return charts.funnel([(label, 10), ("Signed", 4)], title=title)


def draw_paired(label="NDA", title="Time to sign", unit="working days", legend=("Median", "90th percentile")):
    return charts.paired_bars([(label, 4.5, 12.0)], title=title, unit=unit, legend=legend)


def draw_stacked(label="NDA", title="Where it waits", unit="working days", legend=("Company", "Entity")):
    parts = [("company", legend[0]), ("entity", legend[1])]
    return charts.stacked_bars([(label, {"company": 2.0, "entity": 3.5})], parts=parts, title=title, unit=unit)


def draw_columns(label="2026 Q1", title="Recommendation", unit="score", legend=("a", "b")):
    return charts.columns([(label, 8.5)], title=title, max_value=10, unit=unit)


DRAWINGS = [draw_funnel, draw_paired, draw_stacked, draw_columns]


def parse(svg: str) -> ET.Element:
    return ET.fromstring(str(svg))  # noqa: S314 - our own output, parsed to check it is well-formed


def find(element: ET.Element, tag: str, cls: str | None = None) -> list[ET.Element]:
    return [e for e in element.iter(SVG + tag) if cls is None or cls in (e.get("class") or "").split()]


def drawn(text: ET.Element) -> str:
    """What a <text> shows (a cut label keeps its full wording in a <title> child, shown as a tooltip)."""
    tip = text.find(SVG + "title")
    return (tip.tail if tip is not None else text.text) or ""


def shown(element: ET.Element, cls: str = "value") -> list[str]:
    return [drawn(text) for text in find(element, "text", cls)]


def widths(element: ET.Element, cls: str) -> list[float]:
    return [float(rect.get("width")) for rect in find(element, "rect", cls)]


def rows(svg: str) -> list[ET.Element]:
    return find(parse(svg), "g", "row")


@pytest.mark.parametrize("draw", DRAWINGS)
def test_each_chart_is_one_labelled_scalable_svg(draw):
    svg = draw(title="Contracting, year to date")
    root = parse(svg)
    assert isinstance(svg, SafeString)
    assert root.tag == SVG + "svg"
    assert root.get("role") == "img"
    assert "kpi-chart" in root.get("class").split()
    assert root.get("viewBox").startswith("0 0 640 ")
    assert (root.get("width"), root.get("font-family")) == ("100%", "inherit")
    ids = {e.get("id"): e for e in root.iter() if e.get("id")}
    labelled = root.get("aria-labelledby").split()
    assert all(name in ids for name in labelled)
    assert ids[labelled[0]].tag == SVG + "title"
    assert ids[labelled[0]].text == "Contracting, year to date"


def test_funnel_bars_follow_the_counts_and_print_the_share_of_the_first_step():
    chart = rows(charts.funnel(FUNNEL, title="Enquiries this year"))
    assert [drawn(find(row, "text", "label")[0]) for row in chart] == [label for label, _count in FUNNEL]
    bars = [widths(row, "bar")[0] for row in chart]
    assert [width / bars[0] for width in bars] == pytest.approx([count / 120 for _label, count in FUNNEL], abs=1e-3)
    assert [shown(row)[0] for row in chart] == [
        "120 (100 % of first)",
        "118 (98 % of first)",
        "90 (75 % of first)",
        "60 (50 % of first)",
        "45 (38 % of first)",
    ]


def test_a_funnel_step_above_the_first_stays_inside_the_chart():
    chart = rows(charts.funnel([("Submitted", 10), ("Counted twice", 20)], title="t"))
    assert [widths(row, "bar")[0] for row in chart] == [charts.BAR_W / 2, charts.BAR_W]
    assert shown(chart[1]) == ["20 (200 % of first)"]


def test_paired_bars_share_one_scale_and_a_missing_value_draws_no_bar_but_a_dash():
    svg = charts.paired_bars(TIMES, title="Time to sign", unit="working days", legend=("Median", "90th percentile"))
    root = parse(svg)
    nda, research, licence = find(root, "g", "row")
    assert widths(nda, "bar") == pytest.approx([4.5 / 61.5 * charts.BAR_W, 12 / 61.5 * charts.BAR_W], abs=0.01)
    assert widths(research, "bar")[1] == charts.BAR_W
    assert shown(nda) == ["4.5", "12"]
    assert len(widths(licence, "bar")) == 1
    assert shown(licence) == ["–", "40"]
    assert shown(root, "label")[:2] == ["Median", "90th percentile"]  # the legend, above the rows
    assert "working days" in shown(root, "unit")


def test_stacked_segments_add_up_to_the_bar_of_the_total():
    root = parse(charts.stacked_bars(STALLS, parts=PARTS, title="Where contracts wait", unit="working days"))
    nda, research = find(root, "g", "row")
    assert len(find(nda, "rect", "segment")) == 3  # the governing body's 0 draws nothing
    assert len(find(research, "rect", "segment")) == 4
    assert sum(widths(research, "segment")) == pytest.approx(charts.BAR_W, abs=1e-6)
    assert sum(widths(nda, "segment")) == pytest.approx(5 / 45.5 * charts.BAR_W, abs=0.01)
    assert widths(research, "segment") == pytest.approx([v / 45.5 * charts.BAR_W for v in (12, 20.5, 9, 4)], abs=0.01)
    assert (shown(nda, "total"), shown(research, "total")) == (["5"], ["45.5"])
    segments = find(research, "rect", "segment")
    assert segments[1].find(SVG + "title").text == "Entity: 20.5"
    assert [drawn(text) for item in find(root, "g", "legend-item") for text in find(item, "text")] == [
        label for _key, label in PARTS
    ]


def test_stacked_segments_follow_the_parts_order_not_the_dict_order():
    rows_ = [("NDA", {"entity": 1.0, "company": 3.0})]
    root = parse(charts.stacked_bars(rows_, parts=PARTS[:2], title="t", unit="d"))
    assert [rect.find(SVG + "title").text for rect in find(root, "rect", "segment")] == ["Company: 3", "Entity: 1"]


def test_columns_rise_to_the_value_on_the_given_scale_and_a_gap_prints_a_dash():
    root = parse(charts.columns(SCORES, title="Would recommend us", max_value=10, unit="score out of 10"))
    q4, q1, q2 = find(root, "g", "row")
    (high,), (mid,) = widths(q4, "column"), widths(q2, "column")  # one column each
    assert find(q1, "rect", "column") == []
    assert shown(q1) == ["–"]
    assert (shown(q4), shown(q2)) == (["8.2"], ["5"])
    heights = [float(find(row, "rect", "column")[0].get("height")) for row in (q4, q2)]
    assert heights[0] / heights[1] == pytest.approx(8.2 / 5, abs=1e-3)
    assert high == mid
    assert shown(root, "tick") == ["0", "10"]


@pytest.mark.parametrize(
    "svg",
    [
        pytest.param(lambda: charts.funnel([], title="Funnel"), id="funnel-empty"),
        pytest.param(lambda: charts.funnel([("Submitted", 0), ("Signed", 0)], title="Funnel"), id="funnel-zero"),
        pytest.param(lambda: charts.paired_bars([], title="Funnel", unit="d", legend=("a", "b")), id="paired-empty"),
        pytest.param(
            lambda: charts.paired_bars(
                [("NDA", None, None), ("RCA", 0, None)], title="Funnel", unit="d", legend=("a", "b")
            ),
            id="paired-none",
        ),
        pytest.param(lambda: charts.stacked_bars([], parts=PARTS, title="Funnel", unit="d"), id="stacked-empty"),
        pytest.param(
            lambda: charts.stacked_bars([("NDA", {}), ("RCA", {"company": 0})], parts=PARTS, title="Funnel", unit="d"),
            id="stacked-zero",
        ),
        pytest.param(lambda: charts.columns([], title="Funnel", max_value=10, unit="d"), id="columns-empty"),
        pytest.param(
            lambda: charts.columns([("2026 Q1", None), ("2026 Q2", 0)], title="Funnel", max_value=10, unit="d"),
            id="columns-none",
        ),
    ],
)
def test_a_period_without_numbers_says_so_instead_of_drawing_empty_axes(svg):
    root = parse(svg())
    (note,) = find(root, "text", "note")
    assert note.text == "No data for this period."
    assert note.get("text-anchor") == "middle"
    assert float(note.get("x")) == 320
    assert root.find(SVG + "title").text == "Funnel"
    assert note.get("id") in root.get("aria-labelledby").split()
    assert find(root, "rect") == []


@pytest.mark.parametrize("draw", [draw_funnel, draw_paired, draw_stacked])
def test_a_long_label_is_cut_on_the_drawing_and_kept_whole_in_its_tooltip(draw):
    label = "Collaborative research agreement with three partner laboratories"
    (text,) = find(rows(draw(label=label))[0], "text", "label")
    assert text.find(SVG + "title").text == label
    assert drawn(text) == "Collaborative research agre…"
    assert len(drawn(text)) == 28


def test_a_short_label_has_no_tooltip():
    (text,) = find(rows(draw_funnel(label="Signed NDA"))[0], "text", "label")
    assert text.find(SVG + "title") is None
    assert drawn(text) == "Signed NDA"


@pytest.mark.parametrize(
    "text",
    [
        '<script>alert("x")</script>',
        "R&D <lab> \"quoted\" 'single'",
        "Équipe centrale — 研究 🧪",
        "a\x00b\x1b\ud800\ufffe",
    ],
    ids=["script", "markup", "unicode", "control"],
)
@pytest.mark.parametrize("draw", DRAWINGS)
def test_markup_control_characters_and_unicode_are_escaped_or_dropped(draw, text):
    svg = draw(label=text, title=text, unit=text, legend=(text, text + "2"))
    root = parse(svg)
    str(svg).encode("utf-8")  # a lone surrogate would fail here, when the page is sent
    assert find(root, "script") == []
    assert "<script>" not in str(svg)


printable = st.text(st.characters(blacklist_categories=("Cc", "Cs", "Cn")), max_size=60)


@EXAMPLES
@given(label=st.text(max_size=80), title=st.text(max_size=80), unit=st.text(max_size=20))
@pytest.mark.parametrize("draw", DRAWINGS)
def test_any_text_gives_a_well_formed_svg(draw, label, title, unit):
    parse(draw(label=label, title=title, unit=unit, legend=(label, title)))


@EXAMPLES
@given(label=printable)
@pytest.mark.parametrize("draw", [draw_funnel, draw_paired, draw_stacked])
def test_printable_labels_come_back_as_written(draw, label):
    (text,) = find(rows(draw(label=label))[0], "text", "label")
    if len(label) <= charts.LABEL_CHARS:
        assert drawn(text) == label
    else:
        assert text.find(SVG + "title").text == label
        assert drawn(text).endswith("…")
        assert label.startswith(drawn(text)[:-1])


values = st.floats(min_value=0, max_value=1e6, allow_nan=False)


@EXAMPLES
@given(counts=st.lists(st.integers(min_value=0, max_value=100_000), min_size=1, max_size=12))
def test_funnel_bars_are_in_proportion_to_the_counts(counts):
    steps = [(f"Step {i}", count) for i, count in enumerate(counts)]
    top = max(counts)
    chart = rows(charts.funnel(steps, title="t"))
    if top == 0:
        assert chart == []
        return
    for row, count in zip(chart, counts, strict=True):
        assert sum(widths(row, "bar")) == pytest.approx(count / top * charts.BAR_W, abs=0.01)


@EXAMPLES
@given(pairs=st.lists(st.tuples(st.none() | values, st.none() | values), min_size=1, max_size=8))
def test_paired_bars_are_in_proportion_on_one_scale(pairs):
    svg = charts.paired_bars(
        [(f"R{i}", a, b) for i, (a, b) in enumerate(pairs)], title="t", unit="d", legend=("a", "b")
    )
    present = [v for pair in pairs for v in pair if v is not None]
    if not any(present):
        assert find(parse(svg), "text", "note")
        return
    for row, pair in zip(rows(svg), pairs, strict=True):
        drawn_bars = [width for v in pair if v is not None if (width := round(v / max(present) * charts.BAR_W, 2))]
        assert widths(row, "bar") == pytest.approx(drawn_bars, abs=0.01)
        assert shown(row).count("–") == pair.count(None)


@EXAMPLES
@given(table=st.lists(st.fixed_dictionaries({key: values for key, _label in PARTS}), min_size=1, max_size=6))
def test_stacked_segments_always_add_up_to_the_total(table):
    svg = charts.stacked_bars([(f"R{i}", parts) for i, parts in enumerate(table)], parts=PARTS, title="t", unit="d")
    totals = [sum(parts.values()) for parts in table]
    if not any(totals):
        return
    for row, total in zip(rows(svg), totals, strict=True):
        assert sum(widths(row, "segment")) == pytest.approx(total / max(totals) * charts.BAR_W, abs=0.02)


@pytest.mark.parametrize(("grouping", "big"), [(False, "1234,5"), (True, "1\xa0234,5")])
def test_french_readers_get_decimal_commas_and_svg_coordinates_keep_their_dots(grouping, big):
    with translation.override("fr"), override_settings(USE_THOUSAND_SEPARATOR=grouping):
        svg = charts.paired_bars([("NDA", 4.5, 1234.5)], title="Délais", unit="jours ouvrés", legend=("Médiane", "P90"))
        scores = charts.columns(
            [("2026 T1", 7.25), ("2026 T2", 7.0)], title="Recommandation", max_value=10, unit="note"
        )
    root = parse(svg)
    assert shown(root) == ["4,5", big]
    assert shown(parse(scores)) == ["7,3", "7"]  # rounded as |floatformat:"-1" rounds, for the table beside
    for element in list(root.iter())[1:]:  # the root's width is "100%"
        for name in ("x", "y", "width", "height"):
            if element.get(name) is not None:
                float(element.get(name))
    assert "," not in root.get("viewBox")


def test_database_decimals_mix_with_floats():
    """Averages and percentiles come back from the database as Decimal on some backends, float on others."""
    paired = parse(charts.paired_bars([("NDA", Decimal("4.50"), 9.0)], title="t", unit="d", legend=("a", "b")))
    assert shown(paired) == ["4.5", "9"]
    assert widths(paired, "bar") == [charts.BAR_W / 2, charts.BAR_W]
    stacked = parse(
        charts.stacked_bars([("NDA", {"company": Decimal("1.25"), "entity": 3.0})], parts=PARTS, title="t", unit="d")
    )
    assert shown(stacked, "total") == ["4.3"]  # 4.25, rounded half up
    assert sum(widths(stacked, "segment")) == charts.BAR_W
    scores = parse(charts.columns([("2026 Q1", Decimal("7.25"))], title="t", max_value=10, unit="/10"))
    assert shown(scores) == ["7.3"]


def test_the_project_settings_print_a_dot_in_english():
    svg = charts.columns([("2026 Q1", 7.5)], title="Recommendation", max_value=10, unit="score")
    assert shown(parse(svg)) == ["7.5"]
