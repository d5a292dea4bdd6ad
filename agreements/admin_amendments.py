"""Amendments on a contract's admin page (issue 6): "Amend…" on a contract in force starts one
(agreements.amendments); the contract lists its amendments, and an amendment links to the contract it amends and
shows what it changes. Mixed into ``AgreementAdmin``, whose scoped ``get_object`` answers 404 outside the user's
scope."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils.translation import gettext

from . import amendments, documents, rules
from .models import Agreement
from .workflow import WorkflowError


class AmendmentAdminMixin:
    def amendment_context(self, request, agreement: Agreement) -> dict:
        """An amendment: the contract it amends and its changes, in the reader's language. A contract that has
        been in force: its amendments, and whether the user may start one now."""
        context = {"amended": None, "amendment_title": "", "changes": None, "amendments": [], "may_amend": False}
        if agreement.amends_id is not None:
            changes = documents.amended_terms(agreement, documents.parties_of(agreement))
            context.update(amended=agreement.amends, amendment_title=amendments.title(agreement), changes=changes)
        elif agreement.in_force_at is not None:  # only a contract that came into force has amendments
            context["amendments"] = list(agreement.amendments.select_related("enquiry").order_by("number"))
            context["may_amend"] = amendments.may_amend(agreement, request.user)
            context["amend_languages"] = Agreement._meta.get_field("language").choices
        return context

    def amendment_urls(self) -> list:
        view = self.admin_site.admin_view
        return [path("<path:object_id>/amend/", view(self.amend_view), name="agreements_agreement_amend")]

    def amend_view(self, request, object_id):
        """POST: start an amendment (its language from the form, the contract's by default), then open it."""
        agreement = self.get_object(request, object_id)
        change_url = reverse("admin:agreements_agreement_change", args=[agreement.pk])
        if request.method != "POST":
            return HttpResponseRedirect(change_url)
        if not rules.can_draft(agreement, request.user):
            raise PermissionDenied
        try:
            amendment = amendments.amendment_request(
                parent=agreement, actor=request.user, language=request.POST.get("language") or None
            )
        except (WorkflowError, ValidationError) as error:
            text = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
            self.message_user(request, text, messages.ERROR)
            return HttpResponseRedirect(change_url)
        self.message_user(
            request,
            gettext("%(title)s started as %(ref)s: change its terms, then send it to the company.")
            % {"title": amendments.title(amendment), "ref": amendment.reference},
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse("admin:agreements_agreement_change", args=[amendment.pk]))
