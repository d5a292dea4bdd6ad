"""The "Contracts" card of the company's enquiry page (templates/partners/enquiry_detail.html): the enquiry's
contracts with their stage in plain words and who holds the ball. An inclusion tag, so the partners app needs
no knowledge of contracts: the enquiry page loads this and the card comes from the agreements app."""

from django import template

from agreements.progress import progress
from agreements.selectors import agreements_visible_to

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
    return {"enquiry": enquiry, "rows": [(agreement, progress(agreement)) for agreement in contracts]}
