"""The "Contracts" card of the company's enquiry page (templates/partners/enquiry_detail.html): the enquiry's
contracts with their stage in plain words and who holds the ball. An inclusion tag, so the partners app needs
no knowledge of contracts: the enquiry page loads this and the card comes from the agreements app."""

from django import template

from agreements.forms import NdaAskForm
from agreements.progress import progress
from agreements.selectors import agreements_visible_to, entities_for_a_new_nda

register = template.Library()


@register.inclusion_tag("agreements/enquiry_contracts.html", takes_context=True)
def enquiry_contracts(context, enquiry):
    user = context["request"].user
    contracts = (
        agreements_visible_to(user)
        .filter(enquiry=enquiry)
        .select_related("enquiry", "entity")
        .prefetch_related("parties__body")
        .order_by("number")
    )
    rows = [(agreement, progress(agreement)) for agreement in contracts]
    entities = list(entities_for_a_new_nda(enquiry))
    ask_nda = NdaAskForm(entities=entities_for_a_new_nda(enquiry), enquiry=enquiry) if entities else None
    return {
        "enquiry": enquiry,
        "rows": rows,
        "ask_nda": ask_nda,
        "single_entity": entities[0] if len(entities) == 1 else None,
    }
