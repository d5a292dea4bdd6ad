"""Use cases that are not stage changes: companies, drafts, messages, invitations, assignment.

Stage changes live in ``workflow.py``; each function here is one use case in one transaction.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from notifications.services import notify

from . import notices, rules
from .attachments import CONFIDENTIAL_BEFORE_NDA, attachment_add
from .choices import Confidentiality, EnquiryStage, LicenceSubject, PartnershipKind
from .models import Company, CompanyMember, Enquiry, Invitation, Message


def company_create(*, user, form) -> Company:
    """The member's company, made on their first enquiry; they become its first member."""
    if hasattr(user, "company_membership"):
        raise PermissionDenied(_("You already belong to a company."))
    with transaction.atomic():
        company = form.save()
        CompanyMember.objects.create(company=company, user=user, is_signatory=False)
    return company


def enquiry_create_draft(*, user, form) -> Enquiry:
    with transaction.atomic():
        enquiry = form.save(commit=False)
        enquiry.company_id = user.company_membership.company_id
        enquiry.contact_name = user.get_full_name()
        enquiry.contact_email = user.email
        # the language the member uses the portal in, until they choose another on step 3
        enquiry.language = "en" if (translation.get_language() or "").startswith("en") else "fr"
        enquiry.save()
        form.save_m2m()
    return enquiry


def submission_problems(enquiry: Enquiry) -> list[tuple[str, str]]:
    """What keeps a draft from being submitted, as (step, message) pairs a person can act on."""
    problems = []
    if not enquiry.title or not enquiry.kind:
        problems.append(("needs", _("Give your enquiry a title and choose a kind of partnership.")))
    if enquiry.kind != PartnershipKind.OTHER and not enquiry.disease_areas.exists():
        problems.append(("needs", _("Choose at least one disease area.")))
    if enquiry.kind == PartnershipKind.LICENCE and not enquiry.licence_subject:
        problems.append(("needs", _("Say what the licence would be for.")))
    if not enquiry.summary.strip() or not enquiry.objectives.strip():
        problems.append(("project", _("Write the non-confidential summary and the objectives.")))
    if enquiry.kind == PartnershipKind.COLLABORATIVE_CALL and not (
        enquiry.funding_programme and enquiry.funding_deadline
    ):
        problems.append(("project", _("Name the funding programme and the call's deadline.")))
    if enquiry.licence_subject == LicenceSubject.SAMPLES and not enquiry.scientific_project.strip():
        problems.append(("project", _("Describe the scientific project the samples are for (OPALE's rule).")))
    from .forms import needs_data_use

    if needs_data_use(enquiry) and not enquiry.data_use.strip():
        problems.append(("project", _("Say what the patient data would be used for and on what legal basis.")))
    if not enquiry.contact_name or not enquiry.contact_email:
        problems.append(("practical", _("Give the name and e-mail of the person OPALE should talk to.")))
    return problems


def enquiry_update_step(*, enquiry: Enquiry, form, files, actor) -> list[str]:
    """Save one step of a draft and any files sent with it. Returns the messages of refused files: a refused
    file never loses what was typed, which is saved first."""
    if enquiry.stage != "draft":
        raise PermissionDenied(_("This enquiry has been submitted: it can no longer be edited."))
    with transaction.atomic():
        form.save()
    return attachments_add(enquiry=enquiry, files=files, actor=actor)


def attachments_add(
    *, enquiry: Enquiry, files, actor, message: Message | None = None, confidentiality=Confidentiality.NON_CONFIDENTIAL
) -> list[str]:
    refused = []
    for upload in files or []:
        try:
            with transaction.atomic():
                attachment_add(
                    enquiry=enquiry, upload=upload, actor=actor, message=message, confidentiality=confidentiality
                )
        except ValidationError as error:
            refused.extend(error.messages)
    return refused


def message_post(
    *, enquiry: Enquiry, author, body: str, files=(), confidential: bool = False
) -> tuple[Message, list[str]]:
    """A company member writes to the OPALE team on the enquiry's thread; files marked confidential only once
    an NDA covering the enquiry is in force (refused before anything is posted: the message may be about them)."""
    if enquiry.is_closed:
        raise ValidationError(_("This enquiry is closed: start a new one to write to OPALE again."))
    if confidential and files and not enquiry.has_nda_in_force():
        raise ValidationError(CONFIDENTIAL_BEFORE_NDA, code="needs_nda")
    confidentiality = Confidentiality.CONFIDENTIAL if confidential else Confidentiality.NON_CONFIDENTIAL
    with transaction.atomic():
        message = Message.objects.create(enquiry=enquiry, author=author, body=body.strip(), is_internal=False)
        Enquiry.objects.filter(pk=enquiry.pk).update(updated_at=timezone.now())
        # The update holds the row lock, so the stage read next is current. Written while OPALE waits for the
        # company, the message is its answer: the ball goes back to the central team, who get that e-mail.
        if Enquiry.objects.filter(pk=enquiry.pk, stage=EnquiryStage.AWAITING_COMPANY).exists():
            from .workflow import enquiry_provide_information  # workflow imports this module

            enquiry_provide_information(enquiry=enquiry, actor=author, answer=message.body)
        else:
            notices.company_message_posted(message)
    refused = attachments_add(
        enquiry=enquiry, files=files, actor=author, message=message, confidentiality=confidentiality
    )
    return message, refused


def staff_message_post(*, enquiry: Enquiry, author, body: str, internal: bool) -> Message:
    """OPALE staff write on the enquiry's thread: to the company, or as an internal note among staff."""
    body = (body or "").strip()
    if not body:
        raise ValidationError(_("Write the message first."))
    if not rules.can_view_enquiry(author, enquiry):
        raise PermissionDenied(_("You cannot write on this enquiry."))
    if enquiry.is_closed:
        raise ValidationError(_("This enquiry is closed: its thread is kept as it is."))
    if not internal and not rules.may_write_to_the_company(author, enquiry):
        raise PermissionDenied(
            _("Your entity is no longer working on this enquiry: write an internal note to the central team instead.")
        )
    with transaction.atomic():
        message = Message.objects.create(enquiry=enquiry, author=author, body=body, is_internal=internal)
        Enquiry.objects.filter(pk=enquiry.pk).update(updated_at=timezone.now())
        if not internal:
            notices.staff_message_posted(message)
    return message


def enquiry_assign(*, enquiry: Enquiry, actor, assignee) -> Enquiry:
    """A central team member takes an enquiry to follow (or gives it to a colleague of the team)."""
    if not rules.is_central_team(actor):
        raise PermissionDenied(_("Only the central team assigns enquiries."))
    if assignee is not None and not rules.is_central_team(assignee):
        raise ValidationError(_("Enquiries are followed by members of the central team."))
    Enquiry.objects.filter(pk=enquiry.pk).update(assigned_to=assignee, updated_at=timezone.now())
    enquiry.assigned_to = assignee
    return enquiry


def invitation_send(*, company: Company, email: str, invited_by, base_url: str, language: str) -> Invitation:
    email = email.strip().lower()
    if company.members.filter(user__email__iexact=email).exists():
        raise ValidationError(_("%(email)s is already a member of %(company)s.") % {"email": email, "company": company})
    with transaction.atomic():
        invitation = Invitation.objects.create(company=company, email=email, invited_by=invited_by)
        notify(
            to=email,
            template="invitation",
            language=language,
            context={
                "company": company.legal_name,
                "inviter": invited_by.get_full_name() or invited_by.email,
                "url": base_url + reverse("partners:invitation_accept", args=[invitation.token]),
                "days": Invitation.VALID_DAYS,
            },
        )
    return invitation


def invitation_accept(*, invitation: Invitation, user) -> CompanyMember:
    """The invited colleague joins the company: only with the invited, verified address, and only once."""
    from allauth.account.models import EmailAddress

    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if not invitation.is_usable:
            raise ValidationError(_("This invitation has expired or has already been used. Ask for a new one."))
        if hasattr(user, "company_membership"):
            raise ValidationError(_("You already belong to a company: one account acts for one company only."))
        if not EmailAddress.objects.filter(user=user, email__iexact=invitation.email, verified=True).exists():
            raise ValidationError(
                _("This invitation was sent to %(email)s. Sign in with that address to accept it.")
                % {"email": invitation.email}
            )
        member = CompanyMember.objects.create(company=invitation.company, user=user)
        invitation.accepted_at, invitation.accepted_by = timezone.now(), user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
    return member
