"""Admin for contracts (each scoped to the user, moved through agreements.workflow) and the stage-change audit
trail, read-only for everyone."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from partners.admin_scope import NotFoundOutsideScopeMixin, shows_decline_reasons, with_readable_comments
from partners.rules import is_central_team
from partners.selectors import enquiries_visible_to

from . import rules, services, workflow
from .admin_amendments import AmendmentAdminMixin
from .admin_approvals import ApprovalAdminMixin
from .admin_drafts import DraftVersionsAdminMixin
from .admin_settings import ContractSettingsAdmin  # noqa: F401 -- registers the settings page
from .admin_signatures import SignatureAdminMixin
from .admin_templates import ContractTemplateAdmin  # noqa: F401 -- registers the governing bodies' templates
from .choices import AgreementKind
from .models import Agreement, AgreementParty, StageChange
from .selectors import agreements_visible_to
from .terms import KINDS


@admin.register(StageChange)
class StageChangeAdmin(NotFoundOutsideScopeMixin, admin.ModelAdmin):
    list_display = ["at", "enquiry", "from_label", "to_label", "actor", "note"]
    list_filter = ["to_stage", "transition"]
    search_fields = ["enquiry__reference", "comment"]
    fields = ["at", "enquiry", "transition", "from_stage", "to_stage", "actor", "note"]
    readonly_fields = fields
    list_select_related = ["enquiry", "actor"]
    date_hierarchy = "at"

    def get_queryset(self, request):
        qs = with_readable_comments(super().get_queryset(request), request.user)
        if is_central_team(request.user):
            return qs
        return qs.filter(enquiry__in=enquiries_visible_to(request.user))

    def get_search_fields(self, request):
        # the words of a hidden decline reason must not find its row either
        return self.search_fields if shows_decline_reasons(request.user) else ["enquiry__reference"]

    @admin.display(description=_("comment"))
    def note(self, change):
        return change.readable_comment or "—"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PartyInline(admin.TabularInline):
    model = AgreementParty
    extra = 0
    fields = ["role", "company", "body", "must_sign", "signs_through"]
    readonly_fields = fields
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("company", "body", "signs_through__body")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ContractStageChangeInline(admin.TabularInline):
    model = StageChange
    fk_name = "agreement"
    verbose_name_plural = _("timeline")
    extra = 0
    fields = ["at", "from_label", "to_label", "actor", "comment"]
    readonly_fields = fields
    can_delete = False
    ordering = ["at", "pk"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 4}))


# The steps offered on a contract's page: the workflow function of each, and whether it asks for a reason.
# Entering into force follows the signatures, and expiry the end date: neither is a button.
STEPS = {
    "start_drafting": (workflow.agreement_start_drafting, None, _("Start drafting")),
    "submit_for_internal_review": (
        workflow.agreement_submit_for_internal_review,
        None,
        _("Submit for internal review"),
    ),
    "return_to_drafting": (workflow.agreement_return_to_drafting, "comment", _("Back to drafting")),
    "send_for_review": (workflow.agreement_send_to_company, None, _("Send to the company")),
    "send_to_company": (workflow.agreement_send_to_company, None, _("Send to the company")),
    "request_changes": (workflow.agreement_request_changes, "comment", _("Ask for changes")),
    "agree": (workflow.agreement_agree, None, _("Accept the text")),
    "open_signature": (workflow.agreement_open_signature, None, _("Open the signature circuit")),
    "complete": (workflow.agreement_complete, None, _("Mark completed")),
    "terminate": (workflow.agreement_terminate, "reason", _("Terminate")),
    "cancel": (workflow.agreement_cancel, "reason", _("Cancel")),
}


CLOSING_STEPS = {"cancel", "terminate"}


@admin.register(Agreement)
class AgreementAdmin(
    AmendmentAdminMixin,
    ApprovalAdminMixin,
    DraftVersionsAdminMixin,
    SignatureAdminMixin,
    NotFoundOutsideScopeMixin,
    admin.ModelAdmin,
):
    list_display = ["reference_link", "kind", "entity", "company", "stage", "signature_deadline", "stage_changed_at"]
    list_filter = ["kind", "stage"]
    search_fields = ["enquiry__reference", "enquiry__company__legal_name", "entity__name"]
    list_select_related = ["enquiry", "enquiry__company", "entity"]
    fields = [
        "enquiry",
        "entity",
        "kind",
        "number",
        "language",
        "stage",
        "starts_on",
        "ends_on",
        "signature_deadline",
        "in_force_at",
    ]
    readonly_fields = fields
    inlines = [PartyInline, ContractStageChangeInline]
    change_form_template = "admin/agreements/agreement/change_form.html"

    def get_queryset(self, request):
        return agreements_visible_to(request.user).select_related("enquiry", "enquiry__company", "entity")

    def has_add_permission(self, request):
        return False  # a contract starts from its enquiry's page (partners.admin_enquiry)

    def has_delete_permission(self, request, obj=None):
        return False  # cancel it instead: its history is kept

    @admin.display(description=_("reference"), ordering="enquiry__reference")
    def reference_link(self, agreement):
        return agreement.reference

    @admin.display(description=_("company"), ordering="enquiry__company__legal_name")
    def company(self, agreement):
        return agreement.enquiry.company

    def steps_for(self, request, agreement) -> list[tuple[str, str]]:
        machine = agreement.as_machine()
        steps = [
            (t.name, STEPS[t.name][2])
            for t in machine.get_available_user_stage_transitions(user=request.user)
            if t.name in STEPS
        ]
        return sorted(steps, key=lambda step: step[0] in CLOSING_STEPS)  # the way forward first

    def change_view(self, request, object_id, form_url="", extra_context=None):
        agreement = self.get_object(request, object_id)
        context = {**(extra_context or {}), "steps": self.steps_for(request, agreement), "closing": CLOSING_STEPS}
        spec = KINDS.get(agreement.kind)
        context["terms"] = spec.readable(agreement) if spec else None
        context["terms_editable"] = services.terms_editable(agreement, request.user)
        context.update(self.draft_context(request, agreement))
        context.update(self.signature_context(request, agreement))
        context.update(self.approval_context(request, agreement))
        context.update(self.amendment_context(request, agreement))
        return super().change_view(request, object_id, form_url, context)

    def get_urls(self):
        step = path(
            "<path:object_id>/step/<str:name>/",
            self.admin_site.admin_view(self.step_view),
            name="agreements_agreement_step",
        )
        terms = path(
            "<path:object_id>/terms/", self.admin_site.admin_view(self.terms_view), name="agreements_agreement_terms"
        )
        return [
            step,
            terms,
            *self.draft_urls(),
            *self.signature_urls(),
            *self.approval_urls(),
            *self.amendment_urls(),
            *super().get_urls(),
        ]

    def terms_view(self, request, object_id):
        """The kind's terms form; saved through agreements.services, which checks permission and stage again."""
        agreement = self.get_object(request, object_id)
        change_url = reverse("admin:agreements_agreement_change", args=[agreement.pk])
        spec = KINDS.get(agreement.kind)
        if not rules.can_draft(agreement, request.user):
            raise PermissionDenied
        if not services.terms_editable(agreement, request.user):
            refusal = (
                gettext("The terms for this kind of contract are not available yet.")
                if spec is None
                else gettext("Contract %(ref)s is “%(stage)s”: its terms can no longer change.")
                % {"ref": agreement.reference, "stage": agreement.get_stage_display()}
            )
            self.message_user(request, refusal, messages.ERROR)
            return HttpResponseRedirect(change_url)
        form = spec.form(request.POST or None, agreement=agreement)
        if request.method == "POST" and form.is_valid():
            try:
                services.agreement_save_terms(agreement=agreement, actor=request.user, data=request.POST)
            except ValidationError as error:  # the settings changed in between: show the form again
                form.add_error(None, error)
            except (workflow.WorkflowError, PermissionDenied) as error:  # the stage moved on in between
                self.message_user(request, str(error), messages.ERROR)
                return HttpResponseRedirect(change_url)
            else:
                self.message_user(request, gettext("The terms are saved."), messages.SUCCESS)
                for warning in form.warnings:
                    self.message_user(request, warning, messages.WARNING)
                return HttpResponseRedirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": agreement,
            "title": gettext("Terms of %(ref)s") % {"ref": agreement.reference},
            "form": form,
            "instead": self._instead(agreement, form.suggestion),
        }
        return TemplateResponse(request, "admin/agreements/agreement/terms_form.html", context)

    @staticmethod
    def _instead(agreement, kind: str | None) -> dict | None:
        """The kind the terms call for instead, with the enquiry's start-a-contract page pre-filled for it."""
        if not kind:
            return None
        query = urlencode({"kind": kind, "entity": agreement.entity_id, "language": agreement.language})
        url = reverse("admin:partners_enquiry_start_contract", args=[agreement.enquiry_id])
        return {"label": AgreementKind(kind).label, "url": f"{url}?{query}"}

    def step_view(self, request, object_id, name):
        agreement = self.get_object(request, object_id)
        if name not in STEPS:
            raise Http404(gettext("There is no such step."))
        run, asks, label = STEPS[name]
        change_url = reverse("admin:agreements_agreement_change", args=[agreement.pk])
        if name not in dict(self.steps_for(request, agreement)):
            self.message_user(request, gettext("This step is not possible on this contract now."), messages.ERROR)
            return HttpResponseRedirect(change_url)
        form = ReasonForm(request.POST or None) if asks else None
        if request.method == "POST" and (form is None or form.is_valid()):
            extra = {asks: form.cleaned_data["reason"]} if asks else {}
            try:
                agreement = run(agreement=agreement, actor=request.user, **extra)
            except (workflow.WorkflowError, PermissionDenied, ValidationError) as error:
                text = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
                self.message_user(request, text, messages.ERROR)
            else:
                self.message_user(
                    request,
                    gettext("Contract %(ref)s is now “%(stage)s”.")
                    % {"ref": agreement.reference, "stage": agreement.get_stage_display()},
                    messages.SUCCESS,
                )
            return HttpResponseRedirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": agreement,
            "title": f"{label} – {agreement.reference}",
            "form": form,
        }
        return TemplateResponse(request, "admin/agreements/agreement/step_form.html", context)
