"""The steps before signature on a contract's admin page (agreements.approvals): each step with its decision, date
and reference, and for the central team and the lead body's legal staff a page to record one. A mixin of
AgreementAdmin, so the contract's admin keeps one scope (``get_object`` answers 404 outside it)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import approvals, rules
from .models import Agreement, ApprovalDecision


class ApprovalForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=ApprovalDecision.choices)
    decided_on = forms.DateField(
        label=_("Date of the decision"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    reference = forms.CharField(
        label=_("Reference"),
        required=False,
        max_length=200,
        help_text=_("The committee's or authority's reference, the minutes, the declaration number."),
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, approval, **kwargs):
        super().__init__(*args, **kwargs)
        if not approval.may_be_waived:
            self.fields["decision"].choices = [
                c for c in ApprovalDecision.choices if c[0] != ApprovalDecision.NOT_APPLICABLE
            ]


class ApprovalAdminMixin:
    def approval_context(self, request, agreement: Agreement) -> dict:
        steps = approvals.of(agreement)
        open_to_record = not agreement.is_closed and agreement.in_force_at is None
        if open_to_record and len(steps) < len(approvals.needed(agreement)):
            approvals.sync(agreement)  # a step the contract came to need (its entity changed): its row, to record
            steps = approvals.of(agreement)
        editable = (
            bool(steps)
            and open_to_record
            and rules.can_draft(agreement, request.user)
            and not agreement.signatures.exists()
        )
        return {"approvals": steps, "approvals_editable": editable}

    def approval_urls(self) -> list:
        return [
            path(
                "<path:object_id>/approval/<int:approval_pk>/",
                self.admin_site.admin_view(self.approval_view),
                name="agreements_agreement_approval",
            )
        ]

    def approval_view(self, request, object_id, approval_pk):
        agreement = self.get_object(request, object_id)
        if agreement is None:
            raise Http404
        approval = get_object_or_404(agreement.approvals, pk=approval_pk)
        change_url = reverse("admin:agreements_agreement_change", args=[agreement.pk])
        if not rules.can_draft(agreement, request.user):
            raise PermissionDenied
        initial = {
            "decision": approval.decision,
            "decided_on": approval.decided_on,
            "reference": approval.reference,
            "note": approval.note,
        }
        form = ApprovalForm(request.POST or None, initial=initial, approval=approval)
        if request.method == "POST" and form.is_valid():
            try:
                approvals.approval_record(approval=approval, actor=request.user, **form.cleaned_data)
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    for field, errors in error.message_dict.items():
                        form.add_error(field if field in form.fields else None, errors)
                else:
                    self.message_user(request, " ".join(error.messages), messages.ERROR)
                    return HttpResponseRedirect(change_url)
            except PermissionDenied as error:
                self.message_user(request, str(error), messages.ERROR)
                return HttpResponseRedirect(change_url)
            else:
                self.message_user(
                    request,
                    gettext("“%(step)s” recorded.") % {"step": approval.get_kind_display()},
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": agreement,
            "approval": approval,
            "title": f"{approval.get_kind_display()} – {agreement.reference}",
            "form": form,
        }
        return TemplateResponse(request, "admin/agreements/agreement/approval_form.html", context)
