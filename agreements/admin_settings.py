"""The contract settings in the admin: one row the legal team edits (defaults and bounds of contract terms). The
list goes straight to that row; it can be neither added twice nor deleted."""

from django.contrib import admin
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .models import ContractSettings


@admin.register(ContractSettings)
class ContractSettingsAdmin(admin.ModelAdmin):
    fieldsets = [
        (
            _("Non-disclosure agreements"),
            {
                "fields": [
                    ("nda_disclosure_months_min", "nda_disclosure_months_default", "nda_disclosure_months_max"),
                    ("nda_survival_years_min", "nda_survival_years_default", "nda_survival_years_max"),
                    "nda_survival_years_warning",
                    "nda_oral_confirmation_days_default",
                ]
            },
        ),
        (
            _("Collaborations and publications"),
            {
                "fields": [
                    "collaboration_months_max",
                    "industrial_chair_months_default",
                    ("publication_review_days_default", "publication_deferral_days_default"),
                ]
            },
        ),
        (_("Options"), {"fields": [("option_months_min", "option_months_default", "option_months_max")]}),
        (_("Warnings"), {"fields": ["expiry_warning_days", "deadline_warning_days"]}),
    ]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def changelist_view(self, request, extra_context=None):
        row = ContractSettings.current()
        return HttpResponseRedirect(reverse("admin:agreements_contractsettings_change", args=[row.pk]))
