"""An enquiry's history told to the company in plain words, from its StageChange records."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext as _

from .models import Enquiry


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    text: str
    detail: str = ""


def _names(routings) -> str:
    return ", ".join(str(r.entity) for r in routings)


def company_timeline(enquiry: Enquiry) -> list[TimelineEntry]:
    """Each stage change as one sentence. Staff comments are shown only where they are written for the
    company (a question, a closing reason); an entity's reasons for declining stay with OPALE."""
    routings = list(enquiry.routings.select_related("entity").order_by("routed_at"))
    entries = []
    for change in enquiry.stage_changes.order_by("at", "pk"):
        name, comment = change.transition, change.comment
        if name == "submit":
            entries.append(TimelineEntry(change.at, _("You submitted the enquiry.")))
        elif name == "take_into_triage":
            entries.append(TimelineEntry(change.at, _("The OPALE team started reviewing your enquiry.")))
        elif name == "request_information":
            entries.append(TimelineEntry(change.at, _("The OPALE team asked you for more information."), comment))
        elif name == "provide_information":
            entries.append(TimelineEntry(change.at, _("You answered; the OPALE team has the enquiry again.")))
        elif name == "route":
            routed = [r for r in routings if abs((r.routed_at - change.at).total_seconds()) < 5] or routings
            entries.append(
                TimelineEntry(
                    change.at,
                    _("Routed to %(entities)s, which will say whether they can take it on.")
                    % {"entities": _names(routed)},
                )
            )
        elif name == "accept_by_entity":
            accepted = [r for r in routings if r.answered_at == change.at] or [
                r for r in routings if r.status == "accepted"
            ]
            entries.append(
                TimelineEntry(
                    change.at, _("%(entities)s can take your project on.") % {"entities": _names(accepted[:1])}
                )
            )
        elif name == "return_to_triage":
            entries.append(
                TimelineEntry(
                    change.at,
                    _("The entities contacted could not take it on; the OPALE team is looking for another one."),
                )
            )
        elif name == "start_contracting":
            entries.append(TimelineEntry(change.at, _("Contracting started: the NDA and agreement come next.")))
        elif name == "mark_signed":
            entries.append(TimelineEntry(change.at, _("The partnership agreement is signed.")))
        elif name == "decline":
            entries.append(TimelineEntry(change.at, _("OPALE could not find an entity for this enquiry."), comment))
        elif name == "withdraw":
            entries.append(TimelineEntry(change.at, _("You withdrew the enquiry."), comment))
        elif name == "close_no_go":
            entries.append(TimelineEntry(change.at, _("The enquiry was closed without going further."), comment))
    return entries
