"""An enquiry's history told to the company in plain words, from its StageChange records."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Enquiry


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    text: str
    detail: str = ""


# Transition -> (sentence for the company, whether the staff comment is written for the company too).
# An entity's reasons for declining (return_to_triage) stay with OPALE.
SENTENCES = {
    "submit": (gettext_lazy("You submitted the enquiry."), False),
    "take_into_triage": (gettext_lazy("The OPALE team started reviewing your enquiry."), False),
    "request_information": (gettext_lazy("The OPALE team asked you for more information."), True),
    "provide_information": (gettext_lazy("You answered; the OPALE team has the enquiry again."), False),
    "return_to_triage": (
        gettext_lazy("The entities contacted could not take it on; the OPALE team is looking for another one."),
        False,
    ),
    "start_contracting": (gettext_lazy("Contracting started: the contracts are drafted next."), False),
    "mark_signed": (gettext_lazy("The partnership agreement is signed."), False),
    "decline": (gettext_lazy("OPALE could not find an entity for this enquiry."), True),
    "withdraw": (gettext_lazy("You withdrew the enquiry."), True),
    "close_no_go": (gettext_lazy("The enquiry was closed without going further."), True),
}


# A contract's steps the company follows, as "<kind>: <what happened>" (the other steps are internal).
CONTRACT_SENTENCES = {
    "request": gettext_lazy("%(kind)s asked for (%(ref)s)."),
    "send_for_review": gettext_lazy("%(kind)s: a draft awaits your review."),
    "send_to_company": gettext_lazy("%(kind)s: a draft awaits your review."),
    "request_changes": gettext_lazy("%(kind)s: your company asked for changes."),
    "agree": gettext_lazy("%(kind)s: your company accepted the text."),
    "sign_by_company": gettext_lazy("%(kind)s: your company signed."),
    "open_signature": gettext_lazy("%(kind)s: the signature circuit is open."),
    "enter_into_force": gettext_lazy("%(kind)s: signed by every party, in force."),
    "cancel": gettext_lazy("%(kind)s: cancelled."),
    "terminate": gettext_lazy("%(kind)s: ended early."),
    "expire": gettext_lazy("%(kind)s: expired."),
}


def _names(routings) -> str:
    return ", ".join(str(r.entity) for r in routings)


def company_timeline(enquiry: Enquiry) -> list[TimelineEntry]:
    """Each stage change as one sentence; routing and acceptance name the entities concerned; a contract's steps
    that concern the company are told too."""
    routings = list(enquiry.routings.select_related("entity").order_by("routed_at"))
    entries = []
    changes = enquiry.stage_changes.select_related("agreement").order_by("at", "pk")
    for change in changes:
        if change.agreement_id is not None:
            if change.transition in CONTRACT_SENTENCES:
                agreement = change.agreement
                values = {"kind": agreement.get_kind_display(), "ref": f"{enquiry.reference}-{agreement.number}"}
                entries.append(TimelineEntry(change.at, str(CONTRACT_SENTENCES[change.transition]) % values))
            continue
        if change.transition == "route":
            routed = [r for r in routings if abs((r.routed_at - change.at).total_seconds()) < 5] or routings
            text = _("Routed to %(entities)s, which will say whether they can take it on.") % {
                "entities": _names(routed)
            }
            entries.append(TimelineEntry(change.at, text))
        elif change.transition == "accept_by_entity":
            accepted = [r for r in routings if r.answered_at == change.at]
            accepted = accepted or [r for r in routings if r.status == "accepted"]
            text = _("%(entities)s can take your project on.") % {"entities": _names(accepted[:1])}
            entries.append(TimelineEntry(change.at, text))
        elif change.transition in SENTENCES:
            sentence, show_comment = SENTENCES[change.transition]
            entries.append(TimelineEntry(change.at, str(sentence), change.comment if show_comment else ""))
    return entries
