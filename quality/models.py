"""Satisfaction surveys: one invitation per contact and event, answered once through a link sent by e-mail."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

VALID_DAYS = 60


def token_digest(token: str) -> str:
    """Only the digest is stored: a database leak gives no usable link."""
    return hashlib.sha256(token.encode()).hexdigest()


def _expiry() -> dt.datetime:
    return timezone.now() + dt.timedelta(days=VALID_DAYS)


class SurveyEvent(models.TextChoices):
    NDA_IN_FORCE = "nda_in_force", _("NDA in force")
    AGREEMENT_SIGNED = "agreement_signed", _("Agreement signed")
    ENQUIRY_CLOSED = "enquiry_closed", _("Enquiry closed")


class SurveyInvitation(models.Model):
    """A company contact asked, once, how an event of their partnership went. The raw token lives only in the
    e-mailed link."""

    enquiry = models.ForeignKey(
        "partners.Enquiry", on_delete=models.CASCADE, related_name="survey_invitations", verbose_name=_("enquiry")
    )
    contract = models.ForeignKey(
        "agreements.Agreement",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="survey_invitations",
        verbose_name=_("contract"),
    )
    event = models.CharField(_("event"), max_length=20, choices=SurveyEvent.choices)
    email = models.EmailField(_("contact e-mail"))
    language = models.CharField(_("language"), max_length=8)
    token_sha256 = models.CharField(_("token digest"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("sent"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"), default=_expiry)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        verbose_name = _("survey invitation")
        verbose_name_plural = _("survey invitations")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["email", "event", "enquiry", "contract"],
                condition=Q(contract__isnull=False),
                name="survey_once_per_contact_event_contract",
            ),
            # NULLs are distinct in a unique index: the enquiry's own events need their own constraint
            models.UniqueConstraint(
                fields=["email", "event", "enquiry"],
                condition=Q(contract__isnull=True),
                name="survey_once_per_contact_event_enquiry",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email}: {self.get_event_display()}"

    @property
    def is_expired(self) -> bool:
        return timezone.now() >= self.expires_at


def _score(low: int, high: int, label):
    return models.PositiveSmallIntegerField(label, validators=[MinValueValidator(low), MaxValueValidator(high)])


class SurveyAnswer(models.Model):
    """What the contact answered; kept apart from the invitation so that the admin lists answers only."""

    invitation = models.OneToOneField(
        SurveyInvitation, on_delete=models.CASCADE, related_name="answer", verbose_name=_("invitation")
    )
    recommendation = _score(0, 10, _("would recommend OPALE (0-10)"))
    responsiveness = _score(1, 5, _("responsiveness (1-5)"))
    clarity = _score(1, 5, _("clarity of the process (1-5)"))
    expertise_fit = _score(1, 5, _("fit of the expertise offered (1-5)"))
    comment = models.TextField(_("comment"), blank=True)
    answered_at = models.DateTimeField(_("answered"), default=timezone.now)

    class Meta:
        verbose_name = _("survey answer")
        verbose_name_plural = _("survey answers")
        ordering = ["-answered_at"]
        constraints = [
            models.CheckConstraint(condition=Q(recommendation__lte=10), name="survey_recommendation_0_10"),
            models.CheckConstraint(
                condition=Q(responsiveness__range=(1, 5), clarity__range=(1, 5), expertise_fit__range=(1, 5)),
                name="survey_ratings_1_5",
            ),
        ]
        indexes = [
            # the admin's date hierarchy and period filter
            models.Index(fields=["answered_at"], name="survey_answer_answered_at"),
        ]

    def __str__(self) -> str:
        return f"{self.invitation}: {self.recommendation}/10"
