"""The e-mails of a contract's steps: who is told, in their language, through the outbox (partners.notices).

One template (``contract_update``) says what happened in a sentence chosen here, the comment when the step
has one for that reader, and where to look: the company's contract page, or the contract's admin page for staff.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from partners import notices as outbox

from .choices import PartyRole
from .models import Agreement

COMPANY, LEAD, CENTRAL = "company", "lead", "central"

# step -> (who reads, what happened, whether those readers see the step's comment)
EVENTS = {
    "request": ((LEAD, CENTRAL), _("A contract was asked for: %(kind)s with %(entity)s."), False),
    "start_drafting": ((COMPANY,), _("The legal staff have started drafting the %(kind)s."), False),
    "send_for_review": ((COMPANY,), _("A draft of the %(kind)s is ready for your review."), False),
    "send_to_company": ((COMPANY,), _("A draft of the %(kind)s is ready for your review."), False),
    "request_changes": ((LEAD, CENTRAL), _("The company asks for changes to the %(kind)s."), True),
    "agree": ((LEAD, CENTRAL), _("The company accepts the text of the %(kind)s."), False),
    "sign_by_company": (
        (LEAD, CENTRAL),
        _("The company has signed the %(kind)s: the academic signatures are awaited."),
        False,
    ),
    "open_signature": ((COMPANY, LEAD), _("The %(kind)s is ready to be signed by each party."), False),
    "enter_into_force": ((COMPANY, LEAD, CENTRAL), _("Every party has signed: the %(kind)s is in force."), False),
    "terminate": ((COMPANY, LEAD, CENTRAL), _("The %(kind)s has been terminated."), True),
    "cancel": ((COMPANY, LEAD, CENTRAL), _("The %(kind)s has been cancelled."), True),
    "expire": ((COMPANY, LEAD), _("The %(kind)s has reached its end date and expired."), False),
    "deadline_warning": (
        (COMPANY, LEAD, CENTRAL),
        lambda days: (
            ngettext(
                "The %(kind)s must be signed by %(date)s, in %(days)d day: its rules set that deadline.",
                "The %(kind)s must be signed by %(date)s, in %(days)d days: its rules set that deadline.",
                days,
            )
            if days >= 0
            else _("The %(kind)s had to be signed by %(date)s: that deadline has passed.")
        ),
        False,
    ),
    "expiry_warning": (
        (COMPANY, LEAD),
        lambda days: ngettext(
            "The %(kind)s ends on %(date)s, in %(days)d day.", "The %(kind)s ends on %(date)s, in %(days)d days.", days
        ),
        False,
    ),
}


def contract_changed(agreement: Agreement, step: str, *, comment: str = "", **extra) -> None:
    """Tell whoever the step concerns (EVENTS); a step not listed there tells nobody."""
    if step not in EVENTS:
        return
    readers, sentence, shows_comment = EVENTS[step]
    enquiry = agreement.enquiry
    lead = agreement.parties.filter(role=PartyRole.LEAD_NEGOTIATOR).select_related("body").first()
    audiences = {
        COMPANY: (outbox.company_recipients(enquiry), enquiry.language, company_url(agreement)),
        LEAD: (outbox.legal_recipients(lead.body) if lead else {}, outbox.staff_language(), admin_url(agreement)),
        CENTRAL: (outbox.central_team_recipients(), outbox.staff_language(), admin_url(agreement)),
    }
    told: set[str] = set()
    for reader in readers:
        recipients, language, url = audiences[reader]
        recipients = {email: user for email, user in recipients.items() if email not in told}
        told.update(recipients)

        def context(url=url):
            kind = agreement.get_kind_display()
            return {
                "reference": agreement.reference,
                "kind": kind,
                "entity": agreement.entity.name,
                "company": enquiry.company.legal_name,
                "stage": agreement.get_stage_display(),
                "what": _sentence(sentence, extra)
                % {"kind": kind, "entity": agreement.entity.name, **_readable(extra)},
                "comment": comment if shows_comment else "",
                "url": url,
            }

        outbox.send(recipients=recipients, template="contract_update", language=language, context=context)


def _sentence(sentence, extra: dict) -> str:
    return sentence(extra.get("days", 0)) if callable(sentence) else str(sentence)


def _readable(extra: dict) -> dict:
    """Dates as the reader writes them (called in the reader's language)."""
    return {key: date_format(value) if isinstance(value, dt.date) else value for key, value in extra.items()}


def admin_url(agreement: Agreement) -> str:
    return settings.PORTAL_URL + reverse("admin:agreements_agreement_change", args=[agreement.pk])


def company_url(agreement: Agreement) -> str:
    return settings.PORTAL_URL + reverse(
        "agreements:contract_detail", kwargs={"enquiry_pk": agreement.enquiry_id, "pk": agreement.pk}
    )
