"""Survey answers for the central team only: other staff do not see the section, and its pages answer 403.
Both lists are read-only: an answer is the company's word, an invitation a record of what was sent."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from partners.models import Entity, GoverningBody
from partners.rules import is_central_team

from .models import SurveyAnswer, SurveyInvitation


class CentralTeamReadOnlyMixin:
    def has_module_permission(self, request):
        return is_central_team(request.user)

    def has_view_permission(self, request, obj=None):
        return is_central_team(request.user)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class EntityFilter(admin.SimpleListFilter):
    """The contract's entity; for an enquiry closed without contract, the entities it was routed to."""

    title = _("entity")
    parameter_name = "entity"

    def lookups(self, request, model_admin):
        return [(entity.pk, str(entity)) for entity in Entity.objects.order_by("name")]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        return queryset.filter(
            Q(invitation__contract__entity=self.value())
            | Q(invitation__contract__isnull=True, invitation__enquiry__routings__entity=self.value())
        ).distinct()


class BodyFilter(admin.SimpleListFilter):
    """The lead negotiator of the contract's entity, or of the entities the enquiry was routed to."""

    title = _("governing body")
    parameter_name = "body"

    def lookups(self, request, model_admin):
        return [(body.pk, str(body)) for body in GoverningBody.objects.order_by("short_name")]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        by_contract = Q(
            invitation__contract__entity__governances__body=self.value(),
            invitation__contract__entity__governances__is_lead_negotiator=True,
        )
        by_routing = Q(
            invitation__contract__isnull=True,
            invitation__enquiry__routings__entity__governances__body=self.value(),
            invitation__enquiry__routings__entity__governances__is_lead_negotiator=True,
        )
        return queryset.filter(by_contract | by_routing).distinct()


@admin.register(SurveyAnswer)
class SurveyAnswerAdmin(CentralTeamReadOnlyMixin, admin.ModelAdmin):
    list_display = [
        "answered_at",
        "reference",
        "company",
        "event",
        "recommendation",
        "responsiveness",
        "clarity",
        "expertise_fit",
        "comment",
    ]
    list_filter = [EntityFilter, BodyFilter, "invitation__contract__kind", "invitation__event"]
    date_hierarchy = "answered_at"
    search_fields = ["invitation__enquiry__reference", "invitation__enquiry__company__legal_name", "comment"]
    # one query for the page: the answer, its invitation, enquiry and company joined
    list_select_related = ["invitation__enquiry__company", "invitation__contract"]

    @admin.display(description=_("enquiry"), ordering="invitation__enquiry__reference")
    def reference(self, answer):
        return answer.invitation.enquiry.reference

    @admin.display(description=_("company"), ordering="invitation__enquiry__company__legal_name")
    def company(self, answer):
        return answer.invitation.enquiry.company.legal_name

    @admin.display(description=_("event"), ordering="invitation__event")
    def event(self, answer):
        return answer.invitation.get_event_display()


@admin.register(SurveyInvitation)
class SurveyInvitationAdmin(CentralTeamReadOnlyMixin, admin.ModelAdmin):
    list_display = ["created_at", "enquiry", "contract", "event", "email", "expires_at", "answered_at"]
    list_filter = ["event", "contract__kind"]
    date_hierarchy = "created_at"
    search_fields = ["email", "enquiry__reference"]
    list_select_related = ["enquiry", "contract"]
    exclude = ["token_sha256"]
