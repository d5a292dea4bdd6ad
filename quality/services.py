"""Satisfaction surveys: who is asked after which event, and the answer taken once.

The workflows (``partners.workflow``, ``agreements.workflow``) call ``survey_after_commit`` inside the transaction
of the change: the invitations are made and e-mailed only once it commits, so a rolled-back change asks nobody.
Nothing is sent while ``partners.notices.silenced()`` (the demo loader replays past events).
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from partners import notices
from partners.models import Enquiry

from .forms import SurveyAnswerForm
from .models import VALID_DAYS, FiguresVersion, SurveyAnswer, SurveyEvent, SurveyInvitation, token_digest


class SurveyClosed(Exception):
    """The link cannot be answered (unknown, expired or used); its message is shown to the person as it is."""


def survey_url(token: str) -> str:
    return settings.PORTAL_URL + reverse("quality:survey", args=[token])


def survey_after_commit(*, event: str, enquiry_id: int, contract_id: int | None = None) -> None:
    """Ask the company's contact about ``event`` once the caller's transaction commits (nothing while silenced)."""
    if notices.is_silenced():  # the notices' own switch: the demo loader tells nobody anything
        return
    transaction.on_commit(
        lambda: surveys_for_event(event=event, enquiry=Enquiry.objects.get(pk=enquiry_id), contract_id=contract_id)
    )


def _contact(enquiry: Enquiry) -> tuple[str, object] | None:
    """The enquiry's contact person; the member who submitted it when no contact address was given."""
    recipients = notices.company_recipients(enquiry)
    email = (enquiry.contact_email or "").strip().lower() or next(iter(recipients), "")
    return (email, recipients[email]) if email else None


def surveys_for_event(*, event: str, enquiry: Enquiry, contract_id: int | None = None) -> list[SurveyInvitation]:
    """Make the invitation and e-mail its link, in the enquiry's language. Safe to run twice: a contact already
    asked about this event is not asked again."""
    SurveyEvent(event)  # an unknown event is a programming error
    contact = _contact(enquiry)
    if contact is None:
        return []
    email, user = contact
    with transaction.atomic():
        already = SurveyInvitation.objects.filter(email=email, event=event, enquiry=enquiry, contract_id=contract_id)
        if already.exists():
            return []
        token = secrets.token_urlsafe(32)
        now = timezone.now()
        invitation = SurveyInvitation.objects.create(
            enquiry=enquiry,
            contract_id=contract_id,
            event=event,
            email=email,
            language=enquiry.language,
            token_sha256=token_digest(token),
            created_at=now,
            expires_at=now + dt.timedelta(days=VALID_DAYS),
        )
        notices.send(
            recipients={email: user},
            template="survey_invitation",
            language=enquiry.language,
            context=lambda: {
                **notices.enquiry_context(enquiry),
                "event": invitation.get_event_display(),
                "days": (invitation.expires_at - invitation.created_at).days,
                "url": survey_url(token),
            },
        )
    return [invitation]


def survey_invitation_for(token: str, *, lock: bool = False) -> SurveyInvitation:
    """The invitation a link opens, or ``SurveyClosed`` saying why it cannot be answered."""
    invitations = SurveyInvitation.objects.select_related("enquiry__company")
    if lock:
        invitations = invitations.select_for_update()
    invitation = invitations.filter(token_sha256=token_digest(token or "")).first()
    if invitation is None:
        raise SurveyClosed(_("This survey link is not valid. Please use the link from your e-mail as it is."))
    if invitation.answered_at is not None:
        raise SurveyClosed(_("This survey has already been answered. Thank you again for your answer."))
    if invitation.is_expired:
        raise SurveyClosed(
            _("This survey link has expired: a survey can be answered for %(days)d days.") % {"days": VALID_DAYS}
        )
    return invitation


def survey_answer(*, token: str, data) -> SurveyAnswer:
    """Take the answer once: the invitation row is locked, so two submissions at once record one answer.
    Raises ``SurveyClosed`` for a link that cannot be answered, ``ValidationError`` for scores out of range."""
    with transaction.atomic():
        invitation = survey_invitation_for(token, lock=True)
        form = SurveyAnswerForm(data)
        if not form.is_valid():
            raise ValidationError(form.errors)
        now = timezone.now()
        answer = form.save(commit=False)
        answer.invitation = invitation
        answer.answered_at = now
        answer.full_clean()
        answer.save()
        invitation.answered_at = now
        invitation.save(update_fields=["answered_at"])
        FiguresVersion.bump()  # the dashboard's satisfaction figures change
        if answer.recommendation <= settings.QUALITY_LOW_SCORE:
            _low_score(answer)
    return answer


def _low_score(answer: SurveyAnswer) -> None:
    """The central team hears of an unhappy company at once, in the staff's language, with the admin link."""
    invitation = answer.invitation
    notices.send(
        recipients=notices.central_team_recipients(),
        template="survey_low_score",
        language=notices.staff_language(),
        context=lambda: {
            **notices.enquiry_context(invitation.enquiry),
            "event": invitation.get_event_display(),
            "recommendation": answer.recommendation,
            "responsiveness": answer.responsiveness,
            "clarity": answer.clarity,
            "expertise_fit": answer.expertise_fit,
            "comment": answer.comment,
            "url": settings.PORTAL_URL + reverse("admin:quality_surveyanswer_change", args=[answer.pk]),
        },
    )
