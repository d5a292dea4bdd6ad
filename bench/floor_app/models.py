"""One table, no signals, no history, no state machine: what a bare Django form-to-row view writes."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from partners.choices import BudgetBand, Language


class FloorRecord(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(max_length=200)
    summary = models.TextField()
    objectives = models.TextField()
    budget_band = models.CharField(max_length=10, choices=BudgetBand.choices)
    wished_start = models.DateField(null=True, blank=True)
    duration_months = models.PositiveSmallIntegerField(null=True, blank=True)
    contact_name = models.CharField(max_length=200)
    contact_email = models.EmailField()
    nda_required = models.BooleanField(default=False)
    language = models.CharField(max_length=2, choices=Language.choices)
    document = models.FileField(upload_to="bench-floor/")
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.title
