"""The bare admin list the triage queue is measured against (bench/triage_queue.py): Django's defaults only."""

from django.contrib import admin

from .models import BareRecord


@admin.register(BareRecord)
class BareRecordAdmin(admin.ModelAdmin):
    list_display = ["reference", "title", "kind", "status", "received_on"]
    list_filter = ["status"]
    search_fields = ["title", "summary"]
