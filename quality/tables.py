"""The dashboard's figures as tables: the accessible table beside each chart and the figures' exports read the
same rows, so what is downloaded is what was read on the page."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .dashboard import BALLS, CLOCKS, Figures, quarter_label

P50 = _("median")
P90 = _("90th pct.")


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    headers: list[str]
    rows: list[list]  # cells: str, int, float or None (no data)
    labels: int = 1  # how many leading columns are words (the others are numbers, aligned right)


def _clock_headers() -> list[str]:
    headers = []
    for _name, label in CLOCKS:
        headers += [f"{label} – {P50}", f"{label} – {P90}"]
    return headers


def _clock_cells(row: dict) -> list:
    cells = []
    for name, _label in CLOCKS:
        cells += [_round(row[f"{name}_p50"]), _round(row[f"{name}_p90"])]
    return cells


def _round(value):
    return None if value is None else round(value, 1)


def tables(figures: Figures) -> dict[str, Table]:
    enquiries = _("Enquiries")
    result = [
        Table(
            "funnel",
            _("From submission to signature"),
            [_("Step"), enquiries, _("% of submitted")],
            [
                [label, count, round(100 * count / figures.funnel[0][1]) if figures.funnel[0][1] else None]
                for label, count in figures.funnel
            ],
        ),
        Table(
            "by_quarter",
            _("Clocks by quarter of submission (working days)"),
            [_("Quarter"), enquiries, *_clock_headers()],
            [[quarter_label(row["quarter"]), row["count"], *_clock_cells(row)] for row in figures.by_quarter],
        ),
        Table(
            "by_entity",
            _("Clocks by entity (working days)"),
            [_("Entity"), enquiries, *_clock_headers()],
            [[row["entity__name"], row["count"], *_clock_cells(row)] for row in figures.by_entity],
        ),
        Table(
            "by_body",
            _("Clocks by governing body (working days)"),
            [_("Governing body"), enquiries, *_clock_headers()],
            [[row["body__short_name"], row["count"], *_clock_cells(row)] for row in figures.by_body],
        ),
        Table(
            "ball",
            _("Who held the ball: average working days per enquiry, by quarter"),
            [_("Quarter"), *[label for _key, label in BALLS]],
            [
                [quarter_label(row["quarter"]), *[_round(row[f"{key}_avg"]) for key, _label in BALLS]]
                for row in figures.by_quarter
            ],
        ),
        Table(
            "contracts",
            _("Contracts by kind: working days from request to in force"),
            [
                _("Kind"),
                _("Asked for"),
                _("In force"),
                P50,
                P90,
                _("company, average"),
                _("governing bodies, average"),
            ],
            [
                [
                    row["label"],
                    row["count"],
                    row["in_force"],
                    _round(row["in_force_days_p50"]),
                    _round(row["in_force_days_p90"]),
                    _round(row["company_avg"]),
                    _round(row["governing_body_avg"]),
                ]
                for row in figures.contracts_by_kind
            ],
        ),
        Table(
            "waits",
            _("Where contracts wait: finished stages, longest in total first (working days)"),
            [_("Stage"), _("Ball held by"), _("Occurrences"), _("Total"), P50, P90],
            [
                [
                    row["stage_label"],
                    row["ball_label"],
                    row["count"],
                    row["total"],
                    _round(row["days_p50"]),
                    _round(row["days_p90"]),
                ]
                for row in figures.waits
            ],
            labels=2,
        ),
        Table(
            "satisfaction",
            _("Satisfaction by quarter of answer"),
            [
                _("Quarter"),
                _("Answers"),
                _("Recommendation (0-10)"),
                _("Net promoter score"),
                _("Responsiveness (1-5)"),
                _("Clarity (1-5)"),
                _("Fit of expertise (1-5)"),
            ],
            [
                [
                    quarter_label(row["quarter"]),
                    row["count"],
                    _round(row["avg_recommendation"]),
                    row["nps"],
                    _round(row["avg_responsiveness"]),
                    _round(row["avg_clarity"]),
                    _round(row["avg_expertise_fit"]),
                ]
                for row in figures.satisfaction
            ],
        ),
    ]
    return {table.key: table for table in result}
