"""The rows of the triage queue, rendered in one pass.

Django's ``result_list`` looks every cell up through the model's fields (an exception per computed column),
reverses and re-resolves a URL for every row, and escapes each value several times; on the central team's
inbox that machinery cost more than the enquiries themselves. Here the page's constant parts (the change URL
with its preserved filters, translated labels) are computed once and each row is one ``format_html``. The
markup is Django's own (``admin/change_list_results.html``), so the admin's look, sorting and actions work.
"""

from __future__ import annotations

from django import template
from django.contrib.admin.templatetags.admin_list import result_headers
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.utils import quote
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from agreements.selectors import mark_contracts_waiting_for_the_company

register = template.Library()

PK_PLACEHOLDER = "0pk0"


@register.inclusion_tag("admin/change_list_results.html")
def queue_result_list(cl):
    headers = list(result_headers(cl))
    model_admin = cl.model_admin
    change_url = add_preserved_filters(
        {"preserved_filters": cl.preserved_filters, "opts": cl.opts},
        reverse("admin:partners_enquiry_change", args=[PK_PLACEHOLDER], current_app=model_admin.admin_site.name),
    )
    with_checkbox = "action_checkbox" in cl.list_display
    select_label = gettext("Select this object for an action - {}")
    rows = []
    mark_contracts_waiting_for_the_company(cl.result_list, deadlines=True)
    for enquiry in cl.result_list:
        cells = []
        if with_checkbox:
            cells.append(
                format_html(
                    '<td class="action-checkbox"><input type="checkbox" name="_selected_action" value="{}" '
                    'class="action-select" aria-label="{}"></td>',
                    enquiry.pk,
                    select_label.format(enquiry),
                )
            )
        cells.append(
            format_html(
                '<th class="field-reference"><a href="{}">{}</a></th>',
                change_url.replace(PK_PLACEHOLDER, quote(str(enquiry.pk)), 1),
                enquiry.reference,
            )
        )
        for name in cl.list_display[2 if with_checkbox else 1 :]:
            cells.append(format_html('<td class="field-{}">{}</td>', name, getattr(model_admin, name)(enquiry)))
        rows.append(mark_safe("".join(cells)))  # noqa: S308 - every cell was built by format_html
    return {
        "cl": cl,
        "result_hidden_fields": [],
        "result_headers": headers,
        "num_sorted_fields": sum(1 for h in headers if h["sortable"] and h["sorted"]),
        "results": [[row] for row in rows],
    }
