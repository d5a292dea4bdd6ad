"""Admin for contracts; the stage-change audit trail is read-only for everyone."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from partners.admin_scope import NotFoundOutsideScopeMixin, shows_decline_reasons, with_readable_comments
from partners.rules import is_central_team
from partners.selectors import enquiries_visible_to

from .models import StageChange


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
