"""Admin for contracts; the stage-change audit trail is read-only for everyone."""

from django.contrib import admin

from partners.rules import is_central_team
from partners.selectors import enquiries_visible_to

from .models import StageChange


@admin.register(StageChange)
class StageChangeAdmin(admin.ModelAdmin):
    list_display = ["at", "enquiry", "from_label", "to_label", "actor", "comment"]
    list_filter = ["to_stage", "transition"]
    search_fields = ["enquiry__reference", "comment"]
    list_select_related = ["enquiry", "actor"]
    date_hierarchy = "at"

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if is_central_team(request.user):
            return qs
        return qs.filter(enquiry__in=enquiries_visible_to(request.user))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
