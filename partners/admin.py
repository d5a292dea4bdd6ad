"""Admin for the central team's reference data, routings, messages and files; every queryset is cut to the
user's scope. The enquiry itself (the triage queue and its page) is in ``admin_enquiry.py``."""

import logging

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, OuterRef, Prefetch, Subquery
from django.forms.models import BaseInlineFormSet
from django.http import FileResponse, Http404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from . import admin_enquiry  # noqa: F401 - registers the enquiry's admin
from .admin_scope import NotFoundOutsideScopeMixin, shows_decline_reasons
from .choices import Confidentiality
from .models import (
    Attachment,
    Capability,
    Company,
    CompanyMember,
    DiseaseArea,
    Entity,
    Governance,
    GoverningBody,
    Message,
    Routing,
    RoutingRule,
)
from .rules import is_central_team, is_entity_contact, is_legal_staff
from .selectors import enquiries_visible_to, routings_visible_to

logger = logging.getLogger(__name__)


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
class CompanyAdmin(NotFoundOutsideScopeMixin, ScopedHistoryMixin, SimpleHistoryAdmin):
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


class ScopedToEnquiryMixin(NotFoundOutsideScopeMixin):
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


@admin.register(Routing)
class RoutingAdmin(ScopedToEnquiryMixin, admin.ModelAdmin):
    list_display = ["enquiry", "entity", "status", "routed_at", "answered_at"]
    list_filter = ["status", "entity"]
    search_fields = ["enquiry__reference", "enquiry__title", "entity__name"]
    list_select_related = ["enquiry", "entity"]
    readonly_fields = ["enquiry", "entity", "routed_by", "routed_at", "status", "answered_by", "answered_at"]

    def get_queryset(self, request):
        return routings_visible_to(request.user, super().get_queryset(request))

    def get_exclude(self, request, obj=None):
        if shows_decline_reasons(request.user) or is_entity_contact(request.user):
            return super().get_exclude(request, obj)
        return ["answer_reason"]

    def has_change_permission(self, request, obj=None):
        # Entities answer through the workflow, never by editing the row (another entity's, even less).
        return is_central_team(request.user) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False  # a routing is part of the enquiry's record: route again or close instead


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = ["name", "entity", "kind", "disease_area", "capability", "weight", "is_active"]
    list_filter = ["is_active", "kind", "entity"]
    search_fields = ["name", "keywords", "entity__name"]
    list_select_related = ["entity", "disease_area", "capability"]
    autocomplete_fields = ["entity"]


@admin.register(Message)
class MessageAdmin(ScopedToEnquiryMixin, admin.ModelAdmin):
    """The thread, to search and read; staff write on the enquiry's page, which also e-mails the company."""

    list_display = ["enquiry", "author", "is_internal", "created_at"]
    list_filter = ["is_internal"]
    search_fields = ["enquiry__reference", "body"]
    list_select_related = ["enquiry", "author"]
    readonly_fields = ["enquiry", "author", "created_at", "is_internal", "body"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # a sent message is a record: write another one

    def has_delete_permission(self, request, obj=None):
        return False


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
        "download",
        "original_name",
        "content_type",
        "size",
        "sha256",
        "created_at",
    ]

    def get_queryset(self, request):
        # as on the enquiry page: confidential files are for the central team and legal staff
        qs = super().get_queryset(request)
        if is_central_team(request.user) or is_legal_staff(request.user):
            return qs
        return qs.filter(confidentiality=Confidentiality.NON_CONFIDENTIAL)

    def has_delete_permission(self, request, obj=None):
        return False  # a shared file is part of the enquiry's record

    def has_add_permission(self, request):
        return False  # files come in through the enquiry pages, which sniff, hash and size-check them

    def get_urls(self):
        download = path(
            "<path:object_id>/download/",
            self.admin_site.admin_view(self.download_view),
            name="partners_attachment_download",
        )
        return [download, *super().get_urls()]

    def download_view(self, request, object_id):
        """Media files are not served by URL: each download goes through the user's scope (get_object)."""
        attachment = self.get_object(request, object_id)
        logger.info(
            "User %s downloads attachment %s of enquiry %s", request.user.pk, attachment.pk, attachment.enquiry_id
        )
        return FileResponse(
            attachment.file.open("rb"),
            as_attachment=True,
            filename=attachment.original_name,
            content_type=attachment.content_type,
        )

    @admin.display(description=_("file"))
    def download(self, attachment):
        url = reverse("admin:partners_attachment_download", args=[attachment.pk])
        return format_html('<a href="{}">{}</a>', url, gettext("Download"))
