"""The KPI dashboard and its exports: staff pages, reached from the admin's header."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from . import charts, exports
from .dashboard import BALLS, CLOCKS, Filters, entities_in_scope, figures, may_see, quarter_label
from .forms import DashboardFilterForm
from .tables import P50, P90, tables

FILTERS = ("start", "end", "entity")


def _filters(request) -> tuple[DashboardFilterForm, Filters | None]:
    """The filters asked for; None when the form refuses them (the page says why, an export sends the reader
    back to it rather than quietly downloading other figures)."""
    if not may_see(request.user):
        raise PermissionDenied(_("The quality dashboard is for the central team, legal staff and entities."))
    default = Filters.default()
    entities = entities_in_scope(request.user).order_by("name")
    initial = {"start": default.start, "end": default.end}
    asked = any(name in request.GET for name in FILTERS)  # other parameters (a cache buster) are not filters
    form = DashboardFilterForm(request.GET if asked else None, entities=entities, initial=initial)
    if not asked:
        return form, default
    if form.is_valid():
        data = form.cleaned_data
        start, end = data["start"] or default.start, data["end"] or default.end
        if start > end:
            form.add_error(None, _("The period must start before it ends."))
            return form, None
        return form, Filters(start=start, end=end, entity=data["entity"])
    return form, None


@staff_member_required
def dashboard(request):
    form, filters = _filters(request)
    figs = figures(request.user, filters or Filters.default())
    context = {
        **admin.site.each_context(request),
        "title": _("Partnership quality"),
        "form": form,
        "filters": figs.filters,
        "figures": figs,
        "tables": tables(figs),
        "charts": _charts(figs),
        "query": request.GET.urlencode(),
        "export_kinds": [
            ("figures", _("the figures")),
            ("enquiries", _("the enquiries")),
            ("contracts", _("the contracts")),
        ],
    }
    return render(request, "quality/dashboard.html", context)


@staff_member_required
def export(request, what: str, fmt: str):
    _form, filters = _filters(request)
    if filters is None:
        return redirect(reverse("quality:dashboard") + "?" + request.GET.urlencode())
    if what == "figures":
        sheets = exports.figure_sheets(tables(figures(request.user, filters)).values())
    elif what == "enquiries":
        sheets = [(_("Enquiries"), *exports.enquiry_rows(request.user, filters))]
    else:
        sheets = [(_("Contracts"), *exports.contract_rows(request.user, filters))]
    if fmt == "xlsx":
        return exports.xlsx_response(what, sheets)
    return exports.csv_response(what, sheets)


def _charts(figs) -> dict:
    days = _("working days")
    legend = (str(P50), str(P90))
    per_clock = [
        (
            label,
            charts.paired_bars(
                [(quarter_label(row["quarter"]), row[f"{name}_p50"], row[f"{name}_p90"]) for row in figs.by_quarter],
                title=_("%(clock)s, by quarter") % {"clock": label},
                unit=days,
                legend=legend,
            ),
        )
        for name, label in CLOCKS
    ]
    return {
        "funnel": charts.funnel(figs.funnel, title=_("From submission to signature")),
        "per_clock": per_clock,
        "by_entity": charts.paired_bars(
            [
                (row["entity__name"], row["entity_answer_days_p50"], row["entity_answer_days_p90"])
                for row in figs.by_entity
            ],
            title=_("Entity's answer, by entity"),
            unit=days,
            legend=legend,
        ),
        "by_body": charts.paired_bars(
            [(row["body__short_name"], row["signed_days_p50"], row["signed_days_p90"]) for row in figs.by_body],
            title=_("Submission to agreement signed, by governing body"),
            unit=days,
            legend=legend,
        ),
        "ball": charts.stacked_bars(
            [
                (quarter_label(row["quarter"]), {key: row[f"{key}_avg"] or 0 for key, _label in BALLS})
                for row in figs.by_quarter
            ],
            parts=[(key, str(label)) for key, label in BALLS],
            title=_("Who held the ball, per enquiry, by quarter"),
            unit=days,
        ),
        "contracts": charts.paired_bars(
            [(row["label"], row["in_force_days_p50"], row["in_force_days_p90"]) for row in figs.contracts_by_kind],
            title=_("Request to in force, by kind of contract"),
            unit=days,
            legend=legend,
        ),
        "waits": charts.paired_bars(
            [
                (f"{row['stage_label']} · {row['ball_label']}", row["days_p50"], row["days_p90"])
                for row in figs.waits[:10]
            ],
            title=_("Where contracts wait"),
            unit=days,
            legend=legend,
        ),
        "satisfaction": charts.columns(
            [(quarter_label(row["quarter"]), row["avg_recommendation"]) for row in figs.satisfaction],
            title=_("Would recommend OPALE (average, 0 to 10)"),
            max_value=10,
            unit="/10",
        ),
    }
