from django import forms

from .models import FloorRecord


class FloorForm(forms.ModelForm):
    class Meta:
        model = FloorRecord
        fields = [
            "title",
            "summary",
            "objectives",
            "budget_band",
            "wished_start",
            "duration_months",
            "contact_name",
            "contact_email",
            "nda_required",
            "language",
            "document",
        ]
