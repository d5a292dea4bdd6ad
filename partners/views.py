"""Pages of the portal: the public home, and the company's enquiries, company and invitations.

Views fetch within the user's scope (``selectors``), validate a form, call one service or workflow function,
and answer; the rules live in those modules.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Max
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_fsm import can_proceed
from django_ratelimit.core import is_ratelimited
from django_ratelimit.decorators import ratelimit

from agreements.selectors import mark_contracts_waiting_for_the_company

from . import services, workflow
from .choices import PARTNERSHIP_KIND_DESCRIPTIONS, EnquiryStage, PartnershipKind
from .forms import (
    CompanyForm,
    InvitationForm,
    MessageForm,
    NeedsForm,
    PracticalForm,
    ProjectForm,
    ReviewForm,
    WithdrawForm,
)
from .models import Entity, Invitation
from .selectors import company_enquiries
from .timeline import company_timeline

STEPS = [
    ("needs", gettext_lazy("What you need"), NeedsForm),
    ("project", gettext_lazy("Your project"), ProjectForm),
    ("practical", gettext_lazy("Contacts and documents"), PracticalForm),
    ("review", gettext_lazy("Review and send"), ReviewForm),
]
STEP_NAMES = [name for name, _label, _form in STEPS]


def home(request):
    kinds = [(kind.label, PARTNERSHIP_KIND_DESCRIPTIONS[kind]) for kind in PartnershipKind]
    context = {
        "kinds": kinds,
        "entity_count": Entity.objects.filter(is_active=True).count(),
        "first_response_days": settings.ENQUIRY_FIRST_RESPONSE_WORKING_DAYS,
    }
    return render(request, "partners/home.html", context)


def privacy(request):
    return render(request, "partners/privacy.html")


def rate_limited(request, exception=None):
    return render(request, "429.html", status=429)


def _company_enquiries(request):
    """The company member's enquiries; staff use the admin, so anybody else sees nothing here."""
    return company_enquiries(request.user)


def _own_enquiry(request, pk):
    return get_object_or_404(_company_enquiries(request).select_related("company"), pk=pk)


def _shared_files(enquiry):
    """Files the company may see: everything but what staff attached to an internal note."""
    return enquiry.attachments.exclude(message__is_internal=True)


@login_required
def enquiry_list(request):
    if request.user.is_staff and not hasattr(request.user, "company_membership"):
        return redirect("admin:index")
    enquiries = (
        _company_enquiries(request)
        .annotate(last_message_at=Max("messages__created_at"), file_count=Count("attachments", distinct=True))
        .order_by("-created_at")
    )
    mark_contracts_waiting_for_the_company(enquiries)
    return render(request, "partners/enquiry_list.html", {"enquiries": enquiries})


@login_required
@ratelimit(key="user", rate=settings.ENQUIRY_SUBMIT_RATE, method="POST", block=True)
def enquiry_new(request):
    if request.user.is_staff and not hasattr(request.user, "company_membership"):
        return redirect("admin:index")
    if not hasattr(request.user, "company_membership"):
        return redirect(f"{reverse('partners:company_create')}?next={reverse('partners:enquiry_new')}")
    form = NeedsForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        enquiry = services.enquiry_create_draft(user=request.user, form=form)
        messages.success(request, _("Draft saved. You can come back to it at any time from “My enquiries”."))
        return redirect("partners:enquiry_edit", pk=enquiry.pk, step="project")
    return render(request, "partners/enquiry_form.html", _step_context(None, "needs", form))


@login_required
def enquiry_edit(request, pk, step):
    enquiry = _own_enquiry(request, pk)
    if enquiry.stage != EnquiryStage.DRAFT:
        return redirect("partners:enquiry_detail", pk=enquiry.pk)
    if step not in STEP_NAMES:
        raise Http404
    form_class = dict((name, form) for name, _label, form in STEPS)[step]
    if step == "review":
        return _review(request, enquiry)
    form = form_class(request.POST or None, request.FILES or None, instance=enquiry)
    if request.method == "POST" and form.is_valid():
        refused = services.enquiry_update_step(
            enquiry=enquiry, form=form, files=form.cleaned_data.get("files"), actor=request.user
        )
        for message in refused:
            messages.error(request, message)
        if refused:
            return redirect("partners:enquiry_edit", pk=enquiry.pk, step=step)
        target = request.POST.get("go") if request.POST.get("go") in STEP_NAMES else _next_step(step)
        return redirect("partners:enquiry_edit", pk=enquiry.pk, step=target)
    return render(request, "partners/enquiry_form.html", _step_context(enquiry, step, form))


def _review(request, enquiry):
    form = ReviewForm(request.POST or None)
    if request.method == "POST":
        if form.is_bot():
            raise PermissionDenied
        if is_ratelimited(
            request, group="enquiry-submit", key="user", rate=settings.ENQUIRY_SUBMIT_RATE, increment=True
        ):
            return rate_limited(request)
        if form.is_valid():
            try:  # the workflow checks completeness again, under the row lock
                workflow.enquiry_submit(enquiry=enquiry, actor=request.user)
            except (ValidationError, workflow.WorkflowError) as error:
                messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
                return redirect("partners:enquiry_edit", pk=enquiry.pk, step="review")
            return redirect("partners:enquiry_submitted", pk=enquiry.pk)
    context = _step_context(enquiry, "review", form)
    context["problems"] = services.submission_problems(enquiry)
    return render(request, "partners/enquiry_form.html", context)


def _next_step(step: str) -> str:
    return STEP_NAMES[min(STEP_NAMES.index(step) + 1, len(STEP_NAMES) - 1)]


def _step_context(enquiry, step, form):
    index = STEP_NAMES.index(step)
    return {
        "enquiry": enquiry,
        "form": form,
        "step": step,
        "steps": [(name, label, i) for i, (name, label, _form) in enumerate(STEPS)],
        "step_index": index,
        "previous_step": STEP_NAMES[index - 1] if index else None,
        "attachments": enquiry.attachments.all() if enquiry else [],
        "max_files": settings.ATTACHMENTS_PER_ENQUIRY,
        "first_response_days": settings.ENQUIRY_FIRST_RESPONSE_WORKING_DAYS,
    }


@login_required
def enquiry_submitted(request, pk):
    enquiry = _own_enquiry(request, pk)
    if enquiry.stage == EnquiryStage.DRAFT:
        return redirect("partners:enquiry_edit", pk=enquiry.pk, step="review")
    return render(
        request,
        "partners/enquiry_submitted.html",
        {"enquiry": enquiry, "first_response_days": settings.ENQUIRY_FIRST_RESPONSE_WORKING_DAYS},
    )


@login_required
def enquiry_detail(request, pk):
    enquiry = _own_enquiry(request, pk)
    if enquiry.stage == EnquiryStage.DRAFT:
        return redirect("partners:enquiry_edit", pk=enquiry.pk, step="needs")
    return render(request, "partners/enquiry_detail.html", _detail_context(enquiry))


def _detail_context(enquiry, *, message_form=None) -> dict:
    thread = enquiry.messages.filter(is_internal=False).select_related("author").prefetch_related("attachments")
    return {
        "enquiry": enquiry,
        "timeline": company_timeline(enquiry),
        "thread": thread,
        "attachments": _shared_files(enquiry).select_related("uploaded_by").order_by("created_at"),
        "message_form": message_form or MessageForm(enquiry=enquiry),
        "withdraw_form": WithdrawForm(),
        "can_withdraw": can_proceed(enquiry.withdraw),  # the stage machine says, not a copy of its table
    }


def _message_refused(request, enquiry, form):
    """The page again with what was typed kept in the box (a browser cannot keep chosen files: say so)."""
    if request.FILES:
        messages.info(request, _("Your text is kept below; choose the files again before sending."))
    return render(request, "partners/enquiry_detail.html", _detail_context(enquiry, message_form=form))


@login_required
@require_POST
def message_create(request, pk):
    enquiry = _own_enquiry(request, pk)
    form = MessageForm(request.POST, request.FILES, enquiry=enquiry)
    if not form.is_valid():  # each error shows beside its field
        return _message_refused(request, enquiry, form)
    try:
        _message, refused = services.message_post(
            enquiry=enquiry,
            author=request.user,
            body=form.cleaned_data["body"],
            files=form.cleaned_data["files"],
            confidential=form.cleaned_data["confidential"],
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _message_refused(request, enquiry, form)
    for message in refused:
        messages.error(request, message)
    messages.success(request, _("Message sent to the OPALE team."))
    return redirect(reverse("partners:enquiry_detail", args=[enquiry.pk]) + "#thread")


@login_required
@require_POST
def attachment_delete(request, pk, attachment_pk):
    enquiry = _own_enquiry(request, pk)
    if enquiry.stage != EnquiryStage.DRAFT:
        raise Http404
    attachment = get_object_or_404(enquiry.attachments, pk=attachment_pk)
    attachment.file.delete(save=False)
    attachment.delete()
    messages.success(request, _("“%(name)s” removed.") % {"name": attachment.original_name})
    return redirect("partners:enquiry_edit", pk=enquiry.pk, step=request.POST.get("step", "practical"))


@login_required
def attachment_download(request, pk, attachment_pk):
    enquiry = _own_enquiry(request, pk)
    attachment = get_object_or_404(_shared_files(enquiry), pk=attachment_pk)
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )


@login_required
@require_POST
def enquiry_withdraw(request, pk):
    enquiry = _own_enquiry(request, pk)
    form = WithdrawForm(request.POST)
    if form.is_valid():
        try:
            workflow.enquiry_withdraw(enquiry=enquiry, actor=request.user, reason=form.cleaned_data["reason"])
        except (ValidationError, workflow.WorkflowError, PermissionDenied) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        else:
            messages.success(request, _("Enquiry %(ref)s withdrawn.") % {"ref": enquiry.reference or ""})
    else:
        messages.error(request, _("Say why you withdraw the enquiry."))
    return redirect("partners:enquiry_detail", pk=enquiry.pk)


@login_required
def company_create(request):
    if hasattr(request.user, "company_membership"):
        return redirect("partners:company_detail")
    if request.user.is_staff:
        return redirect("admin:index")  # OPALE staff act for OPALE, never for a company
    form = CompanyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.company_create(user=request.user, form=form)
        messages.success(request, _("Your company is registered. Now, your enquiry."))
        next_url = request.GET.get("next")
        return redirect(next_url if next_url == reverse("partners:enquiry_new") else "partners:enquiry_new")
    return render(request, "partners/company_form.html", {"form": form})


@login_required
@ratelimit(key="user", rate="20/h", method="POST", block=True)
def company_detail(request):
    membership = getattr(request.user, "company_membership", None)
    if membership is None:
        return redirect("partners:company_create")
    company = membership.company
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.invitation_send(
                company=company,
                email=form.cleaned_data["email"],
                invited_by=request.user,
                base_url=request.build_absolute_uri("/").rstrip("/"),
                language=request.LANGUAGE_CODE,
            )
        except ValidationError as error:
            form.add_error("email", error)
        else:
            messages.success(request, _("Invitation sent to %(email)s.") % {"email": form.cleaned_data["email"]})
            return redirect("partners:company_detail")
    context = {
        "company": company,
        "members": company.members.select_related("user").order_by("joined_at"),
        "invitations": company.invitations.filter(accepted_at__isnull=True).order_by("-created_at"),
        "form": form,
    }
    return render(request, "partners/company_detail.html", context)


def invitation_accept(request, token):
    invitation = get_object_or_404(Invitation.objects.select_related("company"), token=token)
    if not request.user.is_authenticated:
        return render(request, "partners/invitation_accept.html", {"invitation": invitation})
    if request.method == "POST":
        try:
            services.invitation_accept(invitation=invitation, user=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Welcome to %(company)s on the portal.") % {"company": invitation.company})
            return redirect("partners:enquiry_list")
    return render(request, "partners/invitation_accept.html", {"invitation": invitation})
