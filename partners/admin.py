"""Admin for the central team's reference data and enquiries; every queryset is cut to the user's scope."""

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, OuterRef, Prefetch, Subquery
from django.forms.models import BaseInlineFormSet
from django.http import Http404
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from agreements.models import StageChange

from .choices import EnquiryStage
from .models import (
    Attachment,
    Capability,
    Company,
    CompanyMember,
    DiseaseArea,
    Enquiry,
    Entity,
    Governance,
    GoverningBody,
    Message,
    Routing,
    RoutingRule,
)
from .rules import is_central_team
from .selectors import enquiries_visible_to

STAGE_COLOURS = {
    EnquiryStage.DRAFT: "secondary",
    EnquiryStage.SUBMITTED: "primary",
    EnquiryStage.IN_TRIAGE: "info",
    EnquiryStage.AWAITING_COMPANY: "warning",
    EnquiryStage.ROUTED: "info",
    EnquiryStage.ACCEPTED: "success",
    EnquiryStage.CONTRACTING: "success",
    EnquiryStage.SIGNED: "dark",
    EnquiryStage.DECLINED: "danger",
    EnquiryStage.WITHDRAWN: "secondary",
    EnquiryStage.NO_GO: "danger",
}


def stage_badge(enquiry: Enquiry) -> str:
    colour = STAGE_COLOURS.get(enquiry.stage, "secondary")
    return format_html('<span class="opale-badge opale-badge-{}">{}</span>', colour, enquiry.get_stage_display())


class ReferenceTermAdmin(admin.ModelAdmin):
    list_display = ["code", "name_en", "name_fr", "position"]
    list_editable = ["position"]
    search_fields = ["code", "name_en", "name_fr"]


admin.site.register(DiseaseArea, ReferenceTermAdmin)
admin.site.register(Capability, ReferenceTermAdmin)


class CompanyMemberInline(admin.TabularInline):
    model = CompanyMember
    extra = 0
    autocomplete_fields = ["user"]
    fields = ["user", "job_title", "phone", "is_signatory", "joined_at"]
    readonly_fields = ["joined_at"]


class ScopedHistoryMixin:
    """simple_history's history pages read the history table directly; cut them to the admin's scope."""

    def _require_in_scope(self, request, object_id):
        if not self.get_queryset(request).filter(pk=object_id).exists():
            raise Http404

    def history_view(self, request, object_id, extra_context=None):
        self._require_in_scope(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._require_in_scope(request, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)


@admin.register(Company)
class CompanyAdmin(ScopedHistoryMixin, SimpleHistoryAdmin):
    list_display = [
        "legal_name",
        "country",
        "registration_number",
        "size",
        "sector",
        "is_startup",
        "enquiry_count",
    ]
    list_filter = ["size", "sector", "is_startup", "is_spinoff", "country"]
    search_fields = ["legal_name", "registration_number", "group_name"]
    inlines = [CompanyMemberInline]

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if is_central_team(request.user):
            return qs.annotate(enquiry_total=Count("enquiries"))
        visible = enquiries_visible_to(request.user)
        in_scope = qs.filter(Exists(visible.filter(company=OuterRef("pk"))))
        count = visible.filter(company=OuterRef("pk")).order_by().values("company").annotate(n=Count("pk"))
        return in_scope.annotate(enquiry_total=Subquery(count.values("n")[:1]))

    @admin.display(description=_("enquiries"), ordering="enquiry_total")
    def enquiry_count(self, company):
        return company.enquiry_total


class GovernanceInlineFormSet(BaseInlineFormSet):
    """Exactly one lead negotiator and one IP agent per entity (the database forbids a second)."""

    def clean(self):
        super().clean()
        rows = [f.cleaned_data for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        if not rows:
            return
        messages = {
            "is_lead_negotiator": _(
                "An entity needs exactly one lead negotiator among its governing bodies (ticked now: %(count)d)."
            ),
            "is_ip_agent": _(
                "An entity needs exactly one IP agent (mandataire unique) among its governing bodies "
                "(ticked now: %(count)d)."
            ),
        }
        for flag, message in messages.items():
            count = sum(1 for row in rows if row.get(flag))
            if count != 1:
                raise ValidationError(message % {"count": count})


class GovernanceInline(admin.TabularInline):
    model = Governance
    formset = GovernanceInlineFormSet
    extra = 0
    autocomplete_fields = ["body"]


class RoutingRuleInline(admin.TabularInline):
    model = RoutingRule
    extra = 0
    fields = ["name", "kind", "disease_area", "capability", "keywords", "weight", "is_active"]


@admin.register(Entity)
class EntityAdmin(SimpleHistoryAdmin):
    list_display = ["name", "code", "kind", "city", "lead_negotiator", "is_active"]
    list_filter = ["kind", "is_active", "disease_areas", "capabilities", "governances__body"]
    search_fields = ["name", "code", "profile", "city"]
    filter_horizontal = ["disease_areas", "capabilities", "scientific_contacts"]
    inlines = [GovernanceInline, RoutingRuleInline]

    def get_queryset(self, request):
        leads = Governance.objects.filter(is_lead_negotiator=True).select_related("body")
        return super().get_queryset(request).prefetch_related(Prefetch("governances", queryset=leads))

    @admin.display(description=_("lead negotiator"))
    def lead_negotiator(self, entity):
        return entity.lead_body or "—"


class GovernanceOfBodyInline(admin.TabularInline):
    model = Governance
    extra = 0
    autocomplete_fields = ["entity"]
    verbose_name_plural = _("entities under this body")


@admin.register(GoverningBody)
class GoverningBodyAdmin(SimpleHistoryAdmin):
    list_display = ["short_name", "name", "kind", "contracting_office", "signatory_name"]
    list_filter = ["kind"]
    search_fields = ["name", "short_name", "contracting_office"]
    filter_horizontal = ["legal_staff"]
    inlines = [GovernanceOfBodyInline]


@admin.register(Governance)
class GovernanceAdmin(admin.ModelAdmin):
    list_display = ["entity", "body", "is_lead_negotiator", "is_ip_agent", "is_managing_body", "is_host_body"]
    list_filter = ["is_lead_negotiator", "is_ip_agent", "body"]
    search_fields = ["entity__name", "body__short_name", "body__name"]
    list_select_related = ["entity", "body"]
    autocomplete_fields = ["entity", "body"]


class ScopedToEnquiryMixin:
    """Rows hanging off an enquiry are visible, and can be attached, exactly when the enquiry is."""

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if is_central_team(request.user):
            return qs
        return qs.filter(enquiry__in=enquiries_visible_to(request.user))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "enquiry":
            kwargs["queryset"] = enquiries_visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class RoutingInline(admin.TabularInline):
    model = Routing

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("enquiry", "entity", "routed_by")

    extra = 0
    fields = ["entity", "status", "routed_by", "routed_at", "note_to_entity", "answered_at", "answer_reason"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False  # routing is a workflow action (partners.workflow.enquiry_route)


class MessageInline(admin.StackedInline):
    model = Message

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("enquiry", "author")

    extra = 0
    fields = ["author", "created_at", "is_internal", "body"]
    readonly_fields = ["author", "created_at"]


class AttachmentInline(admin.TabularInline):
    model = Attachment

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("enquiry", "uploaded_by")

    extra = 0
    fields = ["original_name", "content_type", "size", "confidentiality", "uploaded_by", "created_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class StageChangeInline(admin.TabularInline):
    model = StageChange
    verbose_name_plural = _("timeline")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("enquiry", "actor")

    extra = 0
    fields = ["at", "from_label", "to_label", "actor", "comment"]
    readonly_fields = fields
    can_delete = False
    ordering = ["at", "pk"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


ENQUIRY_CLOCKS = [
    "created_at",
    "updated_at",
    "stage_changed_at",
    "submitted_at",
    "first_response_at",
    "routed_at",
    "answered_at",
    "closed_at",
]


@admin.register(Enquiry)
class EnquiryAdmin(admin.ModelAdmin):
    list_display = [
        "reference",
        "title",
        "company",
        "company_size",
        "kind",
        "stage_badge",
        "ball",
        "submitted_at",
    ]
    list_filter = ["stage", "kind", "disease_areas", "company__size", "company__sector", "routings__entity"]
    search_fields = ["reference", "title", "company__legal_name", "summary"]
    list_select_related = ["company"]
    date_hierarchy = "submitted_at"
    readonly_fields = ["reference", "stage", "submitted_by", *ENQUIRY_CLOCKS]
    autocomplete_fields = ["company"]
    filter_horizontal = ["disease_areas", "capabilities"]
    inlines = [RoutingInline, MessageInline, AttachmentInline, StageChangeInline]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "reference",
                    "stage",
                    "company",
                    "submitted_by",
                    "kind",
                    "title",
                    "summary",
                    "objectives",
                ]
            },
        ),
        (
            _("Scope"),
            {
                "fields": [
                    "disease_areas",
                    "capabilities",
                    "budget_band",
                    "wished_start",
                    "duration_months",
                    "nda_required",
                    "language",
                ]
            },
        ),
        (
            _("Call, samples and data"),
            {
                "fields": [
                    "funding_programme",
                    "funding_call",
                    "funding_deadline",
                    "scientific_project",
                    "data_use",
                ]
            },
        ),
        (_("Contact"), {"fields": ["contact_name", "contact_email", "signatory_name", "consent_at"]}),
        (
            _("Clocks"),
            {"fields": ENQUIRY_CLOCKS, "classes": ["collapse"]},
        ),
    ]

    def get_queryset(self, request):
        qs = enquiries_visible_to(request.user).select_related("company")
        ordering = self.get_ordering(request)
        return qs.order_by(*ordering) if ordering else qs

    def get_inline_instances(self, request, obj=None):
        inlines = super().get_inline_instances(request, obj)
        return inlines if obj is not None else []

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for instance in instances:
            if isinstance(instance, Message) and instance.author_id is None:
                instance.author = request.user
            instance.save()
        for deleted in formset.deleted_objects:
            deleted.delete()
        formset.save_m2m()

    def has_delete_permission(self, request, obj=None):
        return False  # an enquiry's history is kept: close it (no-go, declined, withdrawn) instead

    @admin.display(description=_("stage"), ordering="stage")
    def stage_badge(self, enquiry):
        return stage_badge(enquiry)

    @admin.display(description=_("size"), ordering="company__size")
    def company_size(self, enquiry):
        return enquiry.company.get_size_display()

    @admin.display(description=_("who holds the ball"))
    def ball(self, enquiry):
        return enquiry.get_ball_holder_display()


@admin.register(Routing)
class RoutingAdmin(ScopedToEnquiryMixin, admin.ModelAdmin):
    list_display = ["enquiry", "entity", "status", "routed_at", "answered_at"]
    list_filter = ["status", "entity"]
    search_fields = ["enquiry__reference", "enquiry__title", "entity__name"]
    list_select_related = ["enquiry", "entity"]
    readonly_fields = ["enquiry", "entity", "routed_by", "routed_at", "status", "answered_by", "answered_at"]

    def has_change_permission(self, request, obj=None):
        # Entities answer through the workflow, never by editing the row (another entity's, even less).
        return is_central_team(request.user) and super().has_change_permission(request, obj)


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = ["name", "entity", "kind", "disease_area", "capability", "weight", "is_active"]
    list_filter = ["is_active", "kind", "entity"]
    search_fields = ["name", "keywords", "entity__name"]
    list_select_related = ["entity", "disease_area", "capability"]
    autocomplete_fields = ["entity"]


@admin.register(Message)
class MessageAdmin(ScopedToEnquiryMixin, admin.ModelAdmin):
    list_display = ["enquiry", "author", "is_internal", "created_at"]
    list_filter = ["is_internal"]
    search_fields = ["enquiry__reference", "body"]
    list_select_related = ["enquiry", "author"]
    readonly_fields = ["author", "created_at"]
    autocomplete_fields = ["enquiry"]

    def save_model(self, request, obj, form, change):
        if obj.author_id is None:
            obj.author = request.user
        super().save_model(request, obj, form, change)


@admin.register(Attachment)
class AttachmentAdmin(ScopedToEnquiryMixin, admin.ModelAdmin):
    list_display = ["original_name", "enquiry", "content_type", "size", "confidentiality", "created_at"]
    list_filter = ["confidentiality", "content_type"]
    search_fields = ["original_name", "enquiry__reference", "sha256"]
    list_select_related = ["enquiry"]
    readonly_fields = [
        "enquiry",
        "message",
        "uploaded_by",
        "file",
        "original_name",
        "content_type",
        "size",
        "sha256",
        "created_at",
    ]

    def has_add_permission(self, request):
        return False  # files come in through the enquiry pages, which sniff, hash and size-check them
