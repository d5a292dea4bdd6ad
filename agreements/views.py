"""The company's contract pages: a contract of one of its enquiries, its drafts to download, and the steps the
company takes on the portal (ask for changes, accept the text, sign).

Every view fetches the contract within the member's scope (its own company's enquiry, then
``agreements_visible_to``): a contract of another company answers 404. The steps are the workflow's and the
signature circuit's; a refusal comes back as the message they raise.
"""

from __future__ import annotations

from axes.helpers import get_client_ip_address
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_fsm import can_proceed, has_transition_perm

from partners.models import Entity
from partners.selectors import company_enquiries

from . import amendments, documents, drafts, signatures, workflow
from .choices import AgreementKind, ContractStage, PartyRole
from .forms import ChangesForm, NdaAskForm, SignForm
from .models import Agreement, DraftVersion
from .progress import progress
from .selectors import agreements_visible_to

# Stages in which the page shows the signature circuit (besides any contract that has a signature).
SIGNATURE_STAGES = frozenset({ContractStage.SIGNED_BY_COMPANY, ContractStage.IN_SIGNATURE})


def _own_contract(request, enquiry_pk: int, pk: int) -> Agreement:
    enquiry = get_object_or_404(company_enquiries(request.user), pk=enquiry_pk)
    contracts = agreements_visible_to(request.user).filter(enquiry=enquiry)
    return get_object_or_404(contracts.select_related("enquiry__company", "entity"), pk=pk)


def _may(agreement: Agreement, user, step: str) -> bool:
    """Whether the stage machine offers ``step`` to ``user`` now (stage and permission)."""
    method = getattr(agreement.as_machine(), step)
    return can_proceed(method) and has_transition_perm(method, user)


def _context(request, agreement: Agreement, *, changes_form=None, sign_form=None) -> dict:
    versions = list(
        drafts.versions_downloadable_by(agreement, request.user).select_related("requested_by").order_by("-number")
    )
    being_made = bool(versions) and agreement.versions.filter(status=DraftVersion.Status.RENDERING).exists()
    company_party = agreement.parties.get(role=PartyRole.COMPANY)
    to_sign = signatures.version_to_sign(agreement)
    circuit = signatures.signatories(agreement)
    signed_by_company = any(s.signed for s in circuit if s.party.pk == company_party.pk)
    signing_open = signatures.may_sign_now(agreement, company_party) and not signed_by_company
    may_sign = signing_open and to_sign is not None and signatures.may_sign_for(company_party, request.user)
    if may_sign and sign_form is None:
        membership = request.user.company_membership
        sign_form = SignForm(
            initial={
                "signer_name": request.user.get_full_name(),
                "signer_title": membership.job_title,
                "version": to_sign.pk,
            }
        )
    return {
        "enquiry": agreement.enquiry,
        "agreement": agreement,
        "progress": progress(agreement),
        "parties": sorted(
            agreement.parties.select_related("company", "body", "signs_through__body"),
            key=lambda p: (signatures.PARTY_ORDER.get(p.role, 9), p.pk),
        ),
        "versions": versions,
        "latest": versions[0] if versions else None,
        "being_made": being_made,
        "circuit": circuit,
        "show_circuit": bool(signing_open) or agreement.stage in SIGNATURE_STAGES or any(s.signed for s in circuit),
        "may_review": _may(agreement, request.user, "agree"),
        "changes_form": changes_form or ChangesForm(),
        "signing_open": signing_open,
        "to_sign": to_sign if signing_open else None,
        "sign_form": sign_form if may_sign else None,
        "company_signatories": signatures.company_signatories(agreement) if signing_open and not may_sign else [],
        **_amendment_context(agreement),
    }


def _amendment_context(agreement: Agreement) -> dict:
    """An amendment: the contract it amends, and what it changes once its text went to the company. A contract
    that came into force: the amendments in force that changed it."""
    if agreement.amends_id is not None:
        shown = agreement.stage not in drafts.COMPANY_NOT_YET  # before that, the text is the legal staff's draft
        changes = documents.amended_terms(agreement, documents.parties_of(agreement)) if shown else []
        return {"amended": agreement.amends, "changes": changes, "amended_by": []}
    amended_by = amendments.in_force(agreement) if agreement.in_force_at is not None else []
    return {"amended": None, "changes": [], "amended_by": amended_by}


@login_required
def contract_detail(request, enquiry_pk, pk):
    agreement = _own_contract(request, enquiry_pk, pk)
    return render(request, "agreements/agreement_detail.html", _context(request, agreement))


@login_required
def version_download(request, enquiry_pk, pk, number):
    """A ready PDF of the contract, if the company may read it now; drafts.draft_download records the download."""
    agreement = _own_contract(request, enquiry_pk, pk)
    try:
        version = drafts.draft_download(agreement=agreement, number=number, user=request.user)
    except DraftVersion.DoesNotExist:
        raise Http404 from None
    if not version.pdf:
        raise Http404
    name = f"{agreement.reference}-v{version.number}{'-final' if version.is_final else ''}.pdf"
    return FileResponse(version.pdf.open("rb"), as_attachment=True, filename=name, content_type="application/pdf")


def _refusal(request, error) -> None:
    text = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
    messages.error(request, text)


@login_required
@require_POST
def contract_request_changes(request, enquiry_pk, pk):
    agreement = _own_contract(request, enquiry_pk, pk)
    form = ChangesForm(request.POST)
    if not form.is_valid():
        return render(request, "agreements/agreement_detail.html", _context(request, agreement, changes_form=form))
    try:
        workflow.agreement_request_changes(
            agreement=agreement, actor=request.user, comment=form.cleaned_data["comment"]
        )
    except (workflow.WorkflowError, PermissionDenied, ValidationError) as error:
        _refusal(request, error)
    else:
        messages.success(request, _("Your request for changes was sent to the legal staff."))
    return redirect("agreements:contract_detail", enquiry_pk=enquiry_pk, pk=pk)


@login_required
@require_POST
def contract_accept(request, enquiry_pk, pk):
    agreement = _own_contract(request, enquiry_pk, pk)
    try:
        workflow.agreement_agree(agreement=agreement, actor=request.user)
    except (workflow.WorkflowError, PermissionDenied, ValidationError) as error:
        _refusal(request, error)
    else:
        messages.success(request, _("You accepted the text of contract %(ref)s.") % {"ref": agreement.reference})
    return redirect("agreements:contract_detail", enquiry_pk=enquiry_pk, pk=pk)


@login_required
@require_POST
def contract_sign(request, enquiry_pk, pk):
    agreement = _own_contract(request, enquiry_pk, pk)
    form = SignForm(request.POST)
    if not form.is_valid():
        return render(request, "agreements/agreement_detail.html", _context(request, agreement, sign_form=form))
    version = agreement.versions.filter(pk=form.cleaned_data["version"]).first()
    if version is None:
        raise Http404
    try:
        signatures.agreement_sign(
            agreement=agreement,
            party=agreement.parties.get(role=PartyRole.COMPANY),
            actor=request.user,
            signer_name=form.cleaned_data["signer_name"],
            signer_title=form.cleaned_data["signer_title"],
            consent=form.cleaned_data["consent"],
            ip_address=get_client_ip_address(request),
            version=version,
        )
    except (workflow.WorkflowError, PermissionDenied, ValidationError) as error:
        _refusal(request, error)
    else:
        messages.success(request, _("You signed contract %(ref)s for your company.") % {"ref": agreement.reference})
    return redirect("agreements:contract_detail", enquiry_pk=enquiry_pk, pk=pk)


@login_required
@require_POST
def nda_ask(request, enquiry_pk):
    """The company asks for an NDA from its enquiry page; the lead body's legal staff are told and draft it."""
    enquiry = get_object_or_404(company_enquiries(request.user), pk=enquiry_pk)
    # Any entity the enquiry went to: the workflow then says why one is refused (declined, an NDA under way).
    form = NdaAskForm(request.POST, entities=Entity.objects.filter(routings__enquiry=enquiry), enquiry=enquiry)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect("partners:enquiry_detail", pk=enquiry.pk)
    try:
        agreement = workflow.agreement_request(
            enquiry=enquiry,
            entity=form.cleaned_data["entity"],
            kind=AgreementKind.NDA,
            actor=request.user,
            language=form.cleaned_data["language"],
        )
    except (workflow.WorkflowError, PermissionDenied, ValidationError) as error:
        _refusal(request, error)
        return redirect("partners:enquiry_detail", pk=enquiry.pk)
    messages.success(
        request,
        _("Your request for an NDA was sent: the legal staff of %(body)s will draft it and send it to you for review.")
        % {"body": agreement.parties.get(role=PartyRole.LEAD_NEGOTIATOR).body.name},
    )
    return redirect("agreements:contract_detail", enquiry_pk=enquiry.pk, pk=agreement.pk)
