"""The outbox in the admin: what was sent to whom, what is pending and why. Read-only but for 'send again'."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import Notification
from .services import dispatch


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "recipient", "subject", "template", "language", "status", "attempts", "sent_at"]
    list_filter = ["status", "template", "language"]
    search_fields = ["recipient", "subject"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in Notification._meta.fields]
    actions = ["send_again"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        # security e-mails (sign-in codes, password links) are in here: superusers only
        return request.user.is_active and request.user.is_superuser

    @admin.action(description=_("Send again now"))
    def send_again(self, request, queryset):
        ids = list(queryset.exclude(status=Notification.Status.SENT).values_list("pk", flat=True))
        queryset.filter(pk__in=ids).update(status=Notification.Status.PENDING)
        for pk in ids:
            dispatch(pk)
        self.message_user(
            request,
            ngettext("%(n)d e-mail queued again.", "%(n)d e-mails queued again.", len(ids)) % {"n": len(ids)},
            messages.SUCCESS,
        )
