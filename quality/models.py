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


# ---- service-level clocks ---------------------------------------------------------------------------------------
# Stored by quality.clocks each time a stage changes (one enquiry's rows, recomputed from its StageChange records),
# so that the dashboard aggregates them in the database and never walks every timeline on a page view.


class FunnelStep(models.IntegerChoices):
    """How far an enquiry went; the funnel counts the enquiries at or beyond each step."""

    SUBMITTED = 1, _("Submitted")
    RESPONDED = 2, _("First response")
    ROUTED = 3, _("Routed to an entity")
    ACCEPTED = 4, _("Accepted by an entity")
    CONTRACTING = 5, _("Contracting")
    SIGNED = 6, _("Partnership signed")


def _days(label):
    return models.PositiveIntegerField(label, null=True, blank=True, help_text=_("Working days."))


def _ball_days(label):
    return models.PositiveIntegerField(label, default=0, help_text=_("Working days, stages already left."))


class BallDays(models.Model):
    """Working days spent in stages already left, by who held the ball."""

    company_days = _ball_days(_("company"))
    central_team_days = _ball_days(_("central team"))
    entity_days = _ball_days(_("entity"))
    governing_body_days = _ball_days(_("governing bodies"))

    class Meta:
        abstract = True


class EnquiryClock(BallDays):
    """One enquiry's clocks, in working days from its submission (French public holidays excluded)."""

    enquiry = models.OneToOneField(
        "partners.Enquiry", on_delete=models.CASCADE, primary_key=True, related_name="clock", verbose_name=_("enquiry")
    )
    submitted_on = models.DateField(_("submitted"))
    quarter = models.DateField(_("quarter"), help_text=_("First day of the quarter of submission."))
    stage = models.CharField(_("stage"), max_length=20)
    furthest = models.PositiveSmallIntegerField(_("furthest step"), choices=FunnelStep.choices)
    entity = models.ForeignKey(
        "partners.Entity",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("entity"),
        help_text=_("The first entity that accepted it, or else the first it was routed to."),
    )
    body = models.ForeignKey(
        "partners.GoverningBody",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("governing body"),
        help_text=_("That entity's lead negotiator."),
    )
    first_response_days = _days(_("to first response"))
    routing_days = _days(_("to routing"))
    entity_answer_days = _days(_("entity's answer"))
    nda_days = _days(_("to NDA in force"))
    signed_days = _days(_("to agreement signed"))

    class Meta:
        verbose_name = _("enquiry clock")
        verbose_name_plural = _("enquiry clocks")
        indexes = [
            models.Index(fields=["submitted_on", "entity"], name="enquiryclock_period"),
            models.Index(fields=["entity", "submitted_on"], name="enquiryclock_entity"),
        ]

    def __str__(self) -> str:
        return str(self.enquiry)


class ContractClock(BallDays):
    """One contract's clock: working days from its request to its coming into force."""

    agreement = models.OneToOneField(
        "agreements.Agreement",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="clock",
        verbose_name=_("contract"),
    )
    enquiry = models.ForeignKey(
        "partners.Enquiry", on_delete=models.CASCADE, related_name="+", verbose_name=_("enquiry")
    )
    kind = models.CharField(_("kind"), max_length=30)
    is_amendment = models.BooleanField(_("amendment"), default=False)
    stage = models.CharField(_("stage"), max_length=20)
    entity = models.ForeignKey("partners.Entity", on_delete=models.CASCADE, related_name="+", verbose_name=_("entity"))
    body = models.ForeignKey(
        "partners.GoverningBody",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("governing body"),
        help_text=_("The lead negotiator."),
    )
    requested_on = models.DateField(_("asked for"))
    quarter = models.DateField(_("quarter"), help_text=_("First day of the quarter it was asked for."))
    in_force_days = _days(_("to in force"))

    class Meta:
        verbose_name = _("contract clock")
        verbose_name_plural = _("contract clocks")
        indexes = [models.Index(fields=["requested_on", "entity"], name="contractclock_period")]

    def __str__(self) -> str:
        return str(self.agreement)


class StageSpell(models.Model):
    """A stretch of time an enquiry or a contract spent in one stage with one party holding the ball. A stage
    entered twice (reopened) gives two spells; a signature circuit splits when the company has signed."""

    enquiry = models.ForeignKey(
        "partners.Enquiry", on_delete=models.CASCADE, related_name="+", verbose_name=_("enquiry")
    )
    agreement = models.ForeignKey(
        "agreements.Agreement",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("contract"),
    )
    entity = models.ForeignKey(
        "partners.Entity", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("entity")
    )
    stage = models.CharField(_("stage"), max_length=20)
    ball = models.CharField(_("ball held by"), max_length=20)
    entered_at = models.DateTimeField(_("entered"))
    left_at = models.DateTimeField(_("left"), null=True, blank=True)
    working_days = models.PositiveIntegerField(_("working days"), null=True, blank=True)

    class Meta:
        verbose_name = _("stage spell")
        verbose_name_plural = _("stage spells")
        indexes = [
            models.Index(fields=["enquiry"], name="stagespell_enquiry"),
            # the dashboard: contracts' finished spells of a period, and those still open
            models.Index(fields=["entered_at", "entity"], name="stagespell_period"),
            # the contracts waiting longest today: the oldest open stretches first, a few read
            models.Index(
                fields=["entered_at"],
                name="stagespell_open_contracts",
                condition=Q(agreement__isnull=False, left_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.stage} ({self.ball})"


class FiguresVersion(models.Model):
    """One row whose number goes up each time clocks are recomputed or a survey is answered: the dashboard keeps
    its figures in the cache under this number, so they are computed again only once something changed."""

    ONLY = 1

    number = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("dashboard figures version")

    def __str__(self) -> str:
        return str(self.number)

    @classmethod
    def bump(cls) -> None:
        if not cls.objects.filter(pk=cls.ONLY).update(number=models.F("number") + 1):
            cls.objects.get_or_create(pk=cls.ONLY)
