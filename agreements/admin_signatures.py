"""The signature circuit on a contract's admin page: who has signed and who is awaited, and, for the legal staff
of a body that must sign now, "Sign for <body>" and "Upload a wet-signed scan". A mixin of AgreementAdmin, so the
contract's admin keeps one scope (``get_object`` answers 404 outside it); agreements.signatures decides."""

from __future__ import annotations

from axes.helpers import get_client_ip_address
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext

from . import signatures, workflow
from .choices import PartyRole
from .forms import SignForm, WetScanForm
from .models import Agreement, AgreementParty


class SignatureAdminMixin:
    def signature_context(self, request, agreement: Agreement) -> dict:
        """What the change page shows of the circuit, and the parties the user may sign for now."""
        circuit = signatures.signatories(agreement)
        signable = [
            p
            for p in signatures.parties_user_may_sign_now(agreement, request.user, circuit)
            if p.role != PartyRole.COMPANY
        ]
        return {
            "circuit": circuit,
            "show_circuit": any(s.signed or signatures.may_sign_now(agreement, s.party) for s in circuit),
            "signable": signable,
            "version_to_sign": signatures.version_to_sign(agreement) if signable else None,
        }

    def signature_urls(self) -> list:
        wrap = self.admin_site.admin_view
        return [
            path("<path:object_id>/sign/<int:party_pk>/", wrap(self.sign_view), name="agreements_agreement_sign"),
            path(
                "<path:object_id>/wet-scan/<int:party_pk>/",
                wrap(self.wet_scan_view),
                name="agreements_agreement_wet_scan",
            ),
        ]

    def _signing_party(self, request, object_id, party_pk) -> tuple[Agreement, AgreementParty]:
        agreement = self.get_object(request, object_id)
        if agreement is None:
            raise Http404
        party = get_object_or_404(agreement.parties.select_related("body"), pk=party_pk, body__isnull=False)
        return agreement, party

    def _refuse_unless_signable(self, request, agreement, party):
        """The pages open only for a party the user may sign for now (the service checks again, under lock)."""
        if party in signatures.parties_user_may_sign_now(agreement, request.user):
            return None
        self.message_user(
            request,
            gettext("You cannot sign for %(body)s on contract %(ref)s now.")
            % {"body": party.body.name, "ref": agreement.reference},
            messages.ERROR,
        )
        return HttpResponseRedirect(reverse("admin:agreements_agreement_change", args=[agreement.pk]))

    def sign_view(self, request, object_id, party_pk):
        """An electronic signature for a body, by its legal staff, on the version the circuit is on."""
        agreement, party = self._signing_party(request, object_id, party_pk)
        if refusal := self._refuse_unless_signable(request, agreement, party):
            return refusal
        version = signatures.version_to_sign(agreement)
        initial = {"signer_name": request.user.get_full_name(), "version": version.pk if version else None}
        form = SignForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            chosen = agreement.versions.filter(pk=form.cleaned_data["version"]).first()
            if chosen is None:
                raise Http404
            return self._run(
                request,
                agreement,
                party,
                lambda: signatures.agreement_sign(
                    agreement=agreement,
                    party=party,
                    actor=request.user,
                    signer_name=form.cleaned_data["signer_name"],
                    signer_title=form.cleaned_data["signer_title"],
                    consent=form.cleaned_data["consent"],
                    ip_address=get_client_ip_address(request),
                    version=chosen,
                ),
            )
        title = gettext("Sign for %(body)s") % {"body": party.body.name}
        return self._form_page(request, agreement, party, form, title, version)

    def wet_scan_view(self, request, object_id, party_pk):
        """The scan of a copy a body's signatory signed by hand, instead of an electronic signature."""
        agreement, party = self._signing_party(request, object_id, party_pk)
        if refusal := self._refuse_unless_signable(request, agreement, party):
            return refusal
        initial = {"signer_name": party.body.signatory_name, "signer_title": party.body.signatory_title}
        form = WetScanForm(request.POST or None, request.FILES or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            return self._run(
                request,
                agreement,
                party,
                lambda: signatures.agreement_upload_wet_signature(
                    agreement=agreement,
                    party=party,
                    actor=request.user,
                    scan=form.cleaned_data["scan"],
                    signer_name=form.cleaned_data["signer_name"],
                    signer_title=form.cleaned_data["signer_title"],
                    ip_address=get_client_ip_address(request),
                ),
            )
        title = gettext("Upload a wet-signed scan for %(body)s") % {"body": party.body.name}
        return self._form_page(request, agreement, party, form, title, signatures.version_to_sign(agreement))

    def _run(self, request, agreement, party, sign):
        change_url = reverse("admin:agreements_agreement_change", args=[agreement.pk])
        try:
            sign()
        except (workflow.WorkflowError, PermissionDenied, ValidationError) as error:
            text = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
            self.message_user(request, text, messages.ERROR)
        else:
            agreement = Agreement.objects.get(pk=agreement.pk)
            self.message_user(
                request,
                gettext("Signed for %(body)s. Contract %(ref)s is “%(stage)s”.")
                % {"body": party.body.name, "ref": agreement.reference, "stage": agreement.get_stage_display()},
                messages.SUCCESS,
            )
        return HttpResponseRedirect(change_url)

    def _form_page(self, request, agreement, party, form, title, version):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": agreement,
            "title": f"{title} – {agreement.reference}",
            "party": party,
            "form": form,
            "version": version,
        }
        return TemplateResponse(request, "admin/agreements/agreement/sign_form.html", context)
