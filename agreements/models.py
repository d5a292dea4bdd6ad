"""Contracts and the audit trail of stage changes.

The NDA and agreement models come with the contract engine; ``StageChange`` is here from the start because
every enquiry transition is recorded in it, and contract transitions will be recorded in the same table.
"""

from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class StageChangeQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionDenied("Stage changes are an audit trail: they are never edited.")

    def delete(self):
        raise PermissionDenied("Stage changes are an audit trail: they are never deleted.")


class StageChange(models.Model):
    """One transition of an enquiry (or, later, of one of its contracts): who, when, from, to, why."""

    enquiry = models.ForeignKey(
        "partners.Enquiry",
        on_delete=models.PROTECT,
        related_name="stage_changes",
        verbose_name=_("enquiry"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
        help_text=_("Empty when the portal itself made the change (a periodic task, for example)."),
    )
    transition = models.CharField(_("transition"), max_length=40)
    from_stage = models.CharField(_("from stage"), max_length=20)
    to_stage = models.CharField(_("to stage"), max_length=20)
    comment = models.TextField(_("comment"), blank=True)
    at = models.DateTimeField(_("changed at"), default=timezone.now, editable=False)

    objects = StageChangeQuerySet.as_manager()

    class Meta:
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")
        ordering = ["enquiry", "at", "pk"]
        indexes = [
            # an enquiry's timeline, and the SLA clocks computed from it
            models.Index(fields=["enquiry", "at"], name="stagechange_timeline"),
        ]

    def __str__(self) -> str:
        return f"{self.from_label} → {self.to_label}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise PermissionDenied("Stage changes are an audit trail: they are never edited.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied("Stage changes are an audit trail: they are never deleted.")

    @property
    @admin.display(description=_("from stage"))
    def from_label(self) -> str:
        return _stage_label(self.from_stage)

    @property
    @admin.display(description=_("to stage"))
    def to_label(self) -> str:
        return _stage_label(self.to_stage)


def _stage_label(code: str) -> str:
    from partners.choices import EnquiryStage

    return str(EnquiryStage(code).label) if code in EnquiryStage.values else code
