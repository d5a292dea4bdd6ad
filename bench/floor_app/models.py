"""Bench-only baselines: one table, no signals, no history, no state machine, as bare Django writes them."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from partners.choices import BudgetBand, EnquiryStage, Language, PartnershipKind


class FloorRecord(models.Model):
    """What a bare Django form-to-row view writes (bench/enquiry_submission.py)."""

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


class BareRecord(models.Model):
    """The triage queue's baseline (bench/triage_queue.py): the columns an enquiry row lists, with no relation,
    no index beyond the primary key and a plain ModelAdmin, as a first Django admin list would be.

    The choices are the enquiry's own, so each bare row mirrors one enquiry (same title, summary, kind, stage
    and date) and a filter or search selects as many rows on both sides.
    """

    reference = models.CharField(max_length=20)
    title = models.CharField(max_length=200)
    summary = models.TextField()
    kind = models.CharField(max_length=20, choices=PartnershipKind.choices)
    status = models.CharField(max_length=20, choices=EnquiryStage.choices)
    received_on = models.DateField()

    def __str__(self) -> str:
        return self.title
