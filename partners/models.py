"""Partners domain: who the companies, entities and governing bodies are, and the enquiries between them.

Models hold data and invariants (constraints, ``clean()``); every stage change goes through
``partners/workflow.py``.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from django_fsm import FSMField, transition
from simple_history.models import HistoricalRecords

from . import rules as perms
from .choices import (
    ENQUIRY_BALL_HOLDER,
    ENQUIRY_CLOSED_STAGES,
    BodyKind,
    BudgetBand,
    CompanySize,
    Confidentiality,
    EnquiryStage,
    EntityKind,
    FundingProgramme,
    Language,
    LicenceSubject,
    PartnershipKind,
    Party,
    RoutingStatus,
    Sector,
)
from .protected_stage import ProtectedStageMixin
from .validators import normalise_registration_number
from .workdays import add_working_days, working_days_between

S = EnquiryStage
# A call's deadline presses until an entity takes the enquiry on; then the consortium answers the call itself.
CALL_DEADLINE_STAGES = (S.SUBMITTED, S.IN_TRIAGE, S.AWAITING_COMPANY, S.ROUTED)


class ReferenceTerm(models.Model):
    """A term of a controlled vocabulary, named in both languages of the portal."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=120)
    name_fr = models.CharField(_("name (French)"), max_length=120)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        abstract = True
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.name_fr if (get_language() or "fr").startswith("fr") else self.name_en


class DiseaseArea(ReferenceTerm):
    class Meta(ReferenceTerm.Meta):
        verbose_name = _("disease area")
        verbose_name_plural = _("disease areas")


class Capability(ReferenceTerm):
    class Meta(ReferenceTerm.Meta):
        verbose_name = _("capability")
        verbose_name_plural = _("capabilities")


class Company(models.Model):
    legal_name = models.CharField(_("legal name"), max_length=200)
    country = CountryField(_("country"), default="FR")
    registration_number = models.CharField(
        _("registration number"),
        max_length=40,
        help_text=_("SIREN or SIRET for a French company, VAT number for another EU company."),
    )
    group_name = models.CharField(_("group"), max_length=200, blank=True, help_text=_("Group it belongs to, if any."))
    size = models.CharField(_("size"), max_length=10, choices=CompanySize.choices)
    is_startup = models.BooleanField(_("start-up"), default=False)
    is_spinoff = models.BooleanField(_("academic spin-off"), default=False)
    sector = models.CharField(_("sector"), max_length=12, choices=Sector.choices)
    website = models.URLField(_("website"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        ordering = ["legal_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["country", "registration_number"],
                name="company_unique_registration",
                violation_error_message=_(
                    "This company already has an account on the portal. Ask a colleague who uses it to invite you "
                    "from the “My company” page."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.legal_name

    def clean(self) -> None:
        if self.registration_number:
            try:
                self.registration_number = normalise_registration_number(str(self.country), self.registration_number)
            except ValidationError as error:
                raise ValidationError({"registration_number": error.messages}) from None


class CompanyMember(models.Model):
    """A user acting for a company. One company per user keeps a member's scope unambiguous."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="members", verbose_name=_("company"))
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="company_membership",
        verbose_name=_("user"),
    )
    job_title = models.CharField(_("job title"), max_length=120, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    is_signatory = models.BooleanField(
        _("may sign for the company"), default=False, help_text=_("The person who would sign agreements.")
    )
    joined_at = models.DateTimeField(_("joined"), auto_now_add=True)

    class Meta:
        verbose_name = _("company member")
        verbose_name_plural = _("company members")
        ordering = ["company", "user__last_name"]

    def __str__(self) -> str:
        return f"{self.user.get_full_name() or self.user.get_username()} ({self.company})"


class GoverningBody(models.Model):
    """A supervising institution ("tutelle"), the legal person that negotiates and signs."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    short_name = models.CharField(_("short name"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=BodyKind.choices)
    contracting_office = models.CharField(
        _("contracting office"),
        max_length=200,
        help_text=_("Tech-transfer office, SATT or DRCI that negotiates for the body."),
    )
    address = models.TextField(_("address"), blank=True)
    contact_email = models.EmailField(_("contracting office e-mail"), blank=True)
    signatory_name = models.CharField(_("signatory"), max_length=200, blank=True)
    signatory_title = models.CharField(
        _("signatory's title"), max_length=200, blank=True, help_text=_("Legal representative or delegate.")
    )
    signatory_delegation = models.CharField(
        _("delegation of signature"),
        max_length=200,
        blank=True,
        help_text=_("Reference of the recorded delegation, when the signatory is not the legal representative."),
    )
    legal_staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="governing_bodies",
        verbose_name=_("legal staff"),
        help_text=_("Users of the contracting office who handle this body's contracts."),
    )

    history = HistoricalRecords(m2m_fields=[legal_staff])

    class Meta:
        verbose_name = _("governing body")
        verbose_name_plural = _("governing bodies")
        ordering = ["short_name"]

    def __str__(self) -> str:
        return self.short_name


class Entity(models.Model):
    """An OPALE member: research unit, cooperative group, platform, biobank or cohort."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    code = models.CharField(_("code"), max_length=40, blank=True, help_text=_("For example UMR-S 1131 or U944."))
    kind = models.CharField(_("kind"), max_length=20, choices=EntityKind.choices)
    city = models.CharField(_("city"), max_length=80, blank=True)
    profile = models.TextField(
        _("profile"), help_text=_("What the entity does, in words companies use; routing reads it.")
    )
    disease_areas = models.ManyToManyField(DiseaseArea, blank=True, verbose_name=_("disease areas"))
    capabilities = models.ManyToManyField(Capability, blank=True, verbose_name=_("capabilities"))
    partnership_kinds = models.JSONField(
        _("partnership kinds offered"),
        default=list,
        blank=True,
        help_text=_("Codes of the kinds it takes on."),
    )
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    scientific_contacts = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="entities",
        verbose_name=_("scientific contacts"),
    )
    bodies = models.ManyToManyField(
        GoverningBody, through="Governance", related_name="entities", verbose_name=_("governing bodies")
    )
    is_active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords(m2m_fields=[scientific_contacts])

    class Meta:
        verbose_name = _("entity")
        verbose_name_plural = _("entities")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})" if self.code else self.name

    def clean(self) -> None:
        unknown = set(self.partnership_kinds or []) - set(PartnershipKind.values)
        if unknown:
            raise ValidationError(
                {"partnership_kinds": _("Unknown partnership kinds: %(kinds)s.") % {"kinds": ", ".join(unknown)}}
            )

    @property
    def lead_body(self) -> GoverningBody | None:
        row = next((g for g in self.governances.all() if g.is_lead_negotiator), None)
        return row.body if row else None


class Governance(models.Model):
    """An entity's link to one governing body and the roles that body holds (DOMAIN.md section 1).

    The database holds "at most one" lead negotiator and IP agent per entity; the entity's admin form (and
    the demo loader) hold "at least one", which a single-row constraint cannot express.
    """

    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="governances", verbose_name=_("entity"))
    body = models.ForeignKey(
        GoverningBody, on_delete=models.PROTECT, related_name="governances", verbose_name=_("governing body")
    )
    is_lead_negotiator = models.BooleanField(_("lead negotiator"), default=False)
    is_ip_agent = models.BooleanField(_("IP agent (mandataire unique)"), default=False)
    is_managing_body = models.BooleanField(_("managing body"), default=False)
    is_host_body = models.BooleanField(_("host body"), default=False)
    lead_signs_for_it = models.BooleanField(
        _("the lead negotiator signs for it"),
        default=False,
        help_text=_("A recorded mandate lets the lead negotiator sign contracts for this body."),
    )

    class Meta:
        verbose_name = _("governance")
        verbose_name_plural = _("governance")
        ordering = ["entity", "-is_lead_negotiator", "body__short_name"]
        constraints = [
            models.UniqueConstraint(fields=["entity", "body"], name="governance_unique_body_per_entity"),
            models.UniqueConstraint(
                fields=["entity"],
                condition=Q(is_lead_negotiator=True),
                name="governance_one_lead_negotiator",
                violation_error_message=_("This entity already has a lead negotiator."),
            ),
            models.UniqueConstraint(
                fields=["entity"],
                condition=Q(is_ip_agent=True),
                name="governance_one_ip_agent",
                violation_error_message=_("This entity already has an IP agent (mandataire unique)."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.entity} – {self.body}"

    @property
    def roles(self) -> list[str]:
        labels = [
            (self.is_lead_negotiator, _("lead negotiator")),
            (self.is_ip_agent, _("IP agent")),
            (self.is_managing_body, _("managing body")),
            (self.is_host_body, _("host body")),
        ]
        return [str(label) for on, label in labels if on]


class ReferenceCounter(models.Model):
    """Last enquiry number given in a year; incremented under a row lock so references never collide."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("reference counter")
        verbose_name_plural = _("reference counters")

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class EnquiryQuerySet(models.QuerySet):
    def open(self):
        """Sent to OPALE and not closed: what the central team's queue holds."""
        return self.exclude(stage__in=[S.DRAFT, *ENQUIRY_CLOSED_STAGES])

    def overdue(self, today: dt.date | None = None):
        return self.filter(overdue_from__lte=today or timezone.localdate())


class Enquiry(ProtectedStageMixin, models.Model):
    """A company's request to work with OPALE, from draft to signed partnership or closure."""

    reference = models.CharField(_("reference"), max_length=20, unique=True, null=True, blank=True, editable=False)
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="enquiries", verbose_name=_("company"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    kind = models.CharField(_("partnership kind"), max_length=20, choices=PartnershipKind.choices)
    licence_subject = models.CharField(
        _("what the licence is for"), max_length=10, choices=LicenceSubject.choices, blank=True
    )
    disease_areas = models.ManyToManyField(DiseaseArea, blank=True, verbose_name=_("disease areas"))
    capabilities = models.ManyToManyField(Capability, blank=True, verbose_name=_("capabilities sought"))
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(
        _("non-confidential summary"),
        help_text=_("Do not include confidential information before an NDA is in force."),
    )
    objectives = models.TextField(_("objectives"), blank=True)
    budget_band = models.CharField(_("budget"), max_length=10, choices=BudgetBand.choices, default=BudgetBand.UNKNOWN)
    wished_start = models.DateField(_("desired start date"), null=True, blank=True)
    duration_months = models.PositiveSmallIntegerField(
        _("duration (months)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
    )
    funding_programme = models.CharField(
        _("funding programme"), max_length=20, choices=FundingProgramme.choices, blank=True
    )
    funding_call = models.CharField(_("call for projects"), max_length=200, blank=True)
    funding_deadline = models.DateField(_("call deadline"), null=True, blank=True)
    scientific_project = models.TextField(
        _("scientific project"),
        blank=True,
        help_text=_(
            "Required for access to biological samples: OPALE transfers samples only for a scientific project."
        ),
    )
    data_use = models.TextField(_("intended use of patient data and legal basis"), blank=True)
    nda_required = models.BooleanField(_("an NDA is needed before details are shared"), default=False)
    language = models.CharField(_("preferred language"), max_length=2, choices=Language.choices, default="fr")
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    signatory_name = models.CharField(_("person who would sign"), max_length=200, blank=True)
    consent_at = models.DateTimeField(_("consent to data processing given"), null=True, blank=True)

    stage = FSMField(
        _("stage"),
        max_length=20,
        choices=EnquiryStage.choices,
        default=S.DRAFT,
        protected=True,
        db_index=True,
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("last activity"), auto_now=True)
    stage_changed_at = models.DateTimeField(_("in this stage since"), default=timezone.now)
    # SLA clocks (DESIGN.md section 3): each set once, by the workflow, when its event first happens.
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    first_response_at = models.DateTimeField(_("first response"), null=True, blank=True)
    routed_at = models.DateTimeField(_("routed"), null=True, blank=True)
    answered_at = models.DateTimeField(_("entity answered"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # Kept by save(): the day from which the enquiry is overdue (first response late, or its call deadline
    # near), so the queue can filter and order on it with an index instead of computing it for every row.
    overdue_from = models.DateField(_("overdue from"), null=True, blank=True, editable=False)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assigned to"),
        help_text=_("The central team member who follows the enquiry."),
    )

    objects = EnquiryQuerySet.as_manager()

    class Meta:
        verbose_name = _("enquiry")
        verbose_name_plural = _("enquiries")
        ordering = ["-submitted_at", "-created_at"]
        indexes = [
            # triage queue: open enquiries by stage, oldest first
            models.Index(fields=["stage", "submitted_at"], name="enquiry_stage_submitted"),
            # "My enquiries": a company's enquiries, newest first
            models.Index(fields=["company", "-created_at"], name="enquiry_company_created"),
            # triage queue's default order: overdue first, then what falls due soonest, then newest
            models.Index(fields=["overdue_from", "-submitted_at"], name="enquiry_queue_order"),
        ]
        constraints = [
            models.CheckConstraint(
                # a draft the company discarded (withdrew before sending) never had a reference either
                condition=Q(stage=S.DRAFT)
                | Q(reference__isnull=False)
                | Q(stage=S.WITHDRAWN, submitted_at__isnull=True),
                name="enquiry_reference_once_submitted",
                violation_error_message=_("A submitted enquiry must have a reference."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference or _('draft')} – {self.title}"

    def save(self, *args, **kwargs) -> None:
        overdue_from = self.compute_overdue_from()
        if overdue_from != self.overdue_from:
            self.overdue_from = overdue_from
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "overdue_from"}
        super().save(*args, **kwargs)

    def compute_overdue_from(self) -> dt.date | None:
        """First day the enquiry counts as overdue: the day after its first-response deadline (working days,
        French holidays excluded) while nobody has answered, or the day its call deadline comes near."""
        if self.stage == S.DRAFT or self.stage in ENQUIRY_CLOSED_STAGES or self.submitted_at is None:
            return None
        days = []
        if self.first_response_at is None:
            submitted = timezone.localdate(self.submitted_at)
            due = add_working_days(submitted, settings.ENQUIRY_FIRST_RESPONSE_WORKING_DAYS)
            days.append(due + dt.timedelta(days=1))
        if self.funding_deadline and self.stage in CALL_DEADLINE_STAGES:
            days.append(self.funding_deadline - dt.timedelta(days=settings.FUNDING_DEADLINE_WARNING_DAYS))
        return min(days, default=None)

    def overdue_reasons(self, today: dt.date | None = None) -> list[str]:
        """Why the enquiry is overdue today, in words for the queue (empty when it is not)."""
        today = today or timezone.localdate()
        if self.overdue_from is None or self.overdue_from > today:
            return []
        reasons = []
        if self.first_response_at is None and self.submitted_at is not None:
            due = add_working_days(timezone.localdate(self.submitted_at), settings.ENQUIRY_FIRST_RESPONSE_WORKING_DAYS)
            if due < today:
                reasons.append(_("first response late"))
        if self.funding_deadline and self.stage in CALL_DEADLINE_STAGES:
            left = (self.funding_deadline - today).days
            if left < 0:
                reasons.append(_("call deadline passed"))
            elif left == 0:
                reasons.append(_("call deadline today"))
            elif left <= settings.FUNDING_DEADLINE_WARNING_DAYS:
                reasons.append(
                    ngettext("call deadline in %(days)d day", "call deadline in %(days)d days", left) % {"days": left}
                )
        return reasons

    @property
    def age_in_working_days(self) -> int | None:
        if self.submitted_at is None:
            return None
        end = timezone.localdate(self.closed_at) if self.closed_at else timezone.localdate()
        return working_days_between(timezone.localdate(self.submitted_at), end)

    def clean(self) -> None:
        # What a submitted enquiry must contain is checked by partners.services.submission_problems, since a
        # draft is saved step by step; here only what is never true of any enquiry.
        if self.funding_deadline and self.submitted_at and self.funding_deadline < self.submitted_at.date():
            raise ValidationError({"funding_deadline": _("The call deadline is before the submission.")})

    @property
    def is_closed(self) -> bool:
        return self.stage in ENQUIRY_CLOSED_STAGES

    @property
    def ball_holder(self) -> str:
        """Whose move it is. In contracting, the company's while one of its contracts waits for it (to review or
        to sign), the governing bodies' otherwise; list pages mark that on their rows in one query
        (agreements.selectors.mark_contracts_waiting_for_the_company), a single enquiry asks here."""
        if self.stage == EnquiryStage.CONTRACTING and self.pk:
            waits = getattr(self, "contract_waits_for_company", None)
            if waits is None:
                from agreements.selectors import a_contract_waits_for_the_company  # agreements builds on this app

                waits = self.contract_waits_for_company = a_contract_waits_for_the_company(self)
            if waits:
                return Party.COMPANY
        return ENQUIRY_BALL_HOLDER[EnquiryStage(self.stage)]

    def get_ball_holder_display(self) -> str:
        return str(Party(self.ball_holder).label)

    def has_nda_in_force(self) -> bool:
        """Whether confidential information may be exchanged on this enquiry: an NDA covering it is in force."""
        from agreements.choices import AgreementKind, ContractStage

        return self.agreements.filter(kind=AgreementKind.NDA, stage=ContractStage.IN_FORCE).exists()

    # Stage machine (DESIGN.md section 4). Call these only through partners.workflow.
    @transition(
        field=stage,
        source=S.DRAFT,
        target=S.SUBMITTED,
        permission=perms.can_edit_as_company,
        custom={"admin": False},
    )
    def submit(self) -> None:
        """The company sends its enquiry to OPALE."""

    @transition(
        field=stage,
        source=S.SUBMITTED,
        target=S.IN_TRIAGE,
        permission=perms.is_central_team_user,
        custom={"label": _("Take into triage")},
    )
    def take_into_triage(self) -> None:
        """The central team starts qualifying the enquiry."""

    @transition(
        field=stage,
        source=[S.SUBMITTED, S.IN_TRIAGE],
        target=S.AWAITING_COMPANY,
        permission=perms.is_central_team_user,
        custom={"label": _("Ask the company…")},
    )
    def request_information(self) -> None:
        """The central team asks the company for more information and waits."""

    @transition(
        field=stage,
        source=S.AWAITING_COMPANY,
        target=S.IN_TRIAGE,
        permission=perms.can_edit_as_company,
        custom={"admin": False},
    )
    def provide_information(self) -> None:
        """The company answered; the enquiry is back with the central team."""

    @transition(
        field=stage,
        source=[S.SUBMITTED, S.IN_TRIAGE, S.ROUTED],
        target=S.ROUTED,
        permission=perms.is_central_team_user,
        custom={"label": _("Route to entities…")},
    )
    def route(self) -> None:
        """Sent to one or several entities, which answer yes or no."""

    @transition(
        field=stage,
        source=S.ROUTED,
        target=S.IN_TRIAGE,
        permission=perms.is_central_team_user,
        custom={"admin": False},
    )
    def return_to_triage(self) -> None:
        """Every entity declined: back to the central team to route elsewhere or close."""

    @transition(
        field=stage,
        source=S.ROUTED,
        target=S.ACCEPTED,
        permission=perms.can_answer_as_entity,
        custom={"label": _("Accept for the entity…")},
    )
    def accept_by_entity(self) -> None:
        """An entity said it can take the enquiry on."""

    @transition(
        field=stage,
        source=S.ACCEPTED,
        target=S.CONTRACTING,
        permission=perms.is_central_team_user,
        custom={"label": _("Confirm and start contracting")},
    )
    def start_contracting(self) -> None:
        """The central team confirms; contracts (NDA, agreement) can start."""

    @transition(
        field=stage,
        source=S.CONTRACTING,
        target=S.SIGNED,
        permission=perms.can_sign_partnership,
        custom={"label": _("Mark the partnership signed")},
    )
    def mark_signed(self) -> None:
        """The partnership agreement is signed by every party."""

    @transition(
        field=stage,
        source=[S.SUBMITTED, S.IN_TRIAGE, S.AWAITING_COMPANY, S.ROUTED],
        target=S.DECLINED,
        permission=perms.is_central_team_user,
        custom={"label": _("Decline: no entity can take it on…")},
    )
    def decline(self) -> None:
        """No OPALE entity can take the enquiry on."""

    @transition(
        field=stage,
        source=[S.DRAFT, S.SUBMITTED, S.IN_TRIAGE, S.AWAITING_COMPANY, S.ROUTED, S.ACCEPTED, S.CONTRACTING],
        target=S.WITHDRAWN,
        permission=perms.can_edit_as_company,
        custom={"admin": False},
    )
    def withdraw(self) -> None:
        """The company withdraws its enquiry."""

    @transition(
        field=stage,
        source=[S.SUBMITTED, S.IN_TRIAGE, S.AWAITING_COMPANY, S.ROUTED, S.ACCEPTED, S.CONTRACTING],
        target=S.NO_GO,
        permission=perms.is_central_team_user,
        custom={"label": _("Close as no-go…")},
    )
    def close_no_go(self) -> None:
        """OPALE and the company decide not to go on."""


class Routing(models.Model):
    """An enquiry sent to one entity, who sent it and why, and the entity's answer."""

    enquiry = models.ForeignKey(Enquiry, on_delete=models.CASCADE, related_name="routings", verbose_name=_("enquiry"))
    entity = models.ForeignKey(Entity, on_delete=models.PROTECT, related_name="routings", verbose_name=_("entity"))
    routed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("routed by"),
    )
    routed_at = models.DateTimeField(_("routed"), default=timezone.now)
    reason = models.TextField(_("why this entity"), blank=True)
    note_to_entity = models.TextField(_("note to the entity"), blank=True)
    status = models.CharField(_("answer"), max_length=10, choices=RoutingStatus.choices, default=RoutingStatus.PENDING)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    answer_reason = models.TextField(_("reason given"), blank=True)

    class Meta:
        verbose_name = _("routing")
        verbose_name_plural = _("routings")
        ordering = ["enquiry", "routed_at"]
        constraints = [
            models.UniqueConstraint(fields=["enquiry", "entity"], name="routing_unique_entity_per_enquiry"),
            models.CheckConstraint(
                condition=~Q(status=RoutingStatus.DECLINED) | ~Q(answer_reason=""),
                name="routing_decline_has_reason",
                violation_error_message=_("A decline needs a reason."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enquiry} → {self.entity}"


class RoutingRule(models.Model):
    """A hint from the central team: enquiries matching these criteria suit this entity."""

    name = models.CharField(_("name"), max_length=120)
    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="routing_rules", verbose_name=_("entity"))
    kind = models.CharField(_("partnership kind"), max_length=20, choices=PartnershipKind.choices, blank=True)
    disease_area = models.ForeignKey(
        DiseaseArea, on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("disease area")
    )
    capability = models.ForeignKey(
        Capability, on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("capability")
    )
    keywords = models.CharField(
        _("keywords"),
        max_length=300,
        blank=True,
        help_text=_("Comma-separated words or phrases looked for in the enquiry's title, summary and objectives."),
    )
    weight = models.PositiveSmallIntegerField(
        _("weight"), default=10, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        ordering = ["entity", "name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if not (self.kind or self.disease_area_id or self.capability_id or self.keywords.strip()):
            raise ValidationError(
                _("A rule needs at least one criterion: a kind, a disease area, a capability or keywords.")
            )

    @property
    def keyword_list(self) -> list[str]:
        return [w.strip().lower() for w in self.keywords.split(",") if w.strip()]


class Message(models.Model):
    """A message in an enquiry's thread; internal notes are for OPALE staff only."""

    enquiry = models.ForeignKey(Enquiry, on_delete=models.CASCADE, related_name="messages", verbose_name=_("enquiry"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("author"),
    )
    body = models.TextField(_("message"))
    is_internal = models.BooleanField(
        _("internal note"), default=False, help_text=_("Seen by OPALE staff only, never by the company.")
    )
    created_at = models.DateTimeField(_("sent"), default=timezone.now)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["enquiry", "created_at"]
        indexes = [models.Index(fields=["enquiry", "created_at"], name="message_thread")]

    def __str__(self) -> str:
        return f"{self.enquiry}: {self.body[:40]}"


def attachment_path(instance: Attachment, filename: str) -> str:
    # Stored under the hash, never the user's name, so a name cannot traverse or collide.
    return f"attachments/{instance.sha256[:2]}/{instance.sha256}"


class Attachment(models.Model):
    """A file shared on an enquiry; confidential files wait for an NDA in force."""

    enquiry = models.ForeignKey(
        Enquiry, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("enquiry")
    )
    message = models.ForeignKey(
        Message,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="attachments",
        verbose_name=_("message"),
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    file = models.FileField(_("file"), upload_to=attachment_path)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    confidentiality = models.CharField(
        _("confidentiality"),
        max_length=20,
        choices=Confidentiality.choices,
        default=Confidentiality.NON_CONFIDENTIAL,
    )
    created_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["enquiry", "created_at"]

    def __str__(self) -> str:
        return self.original_name

    def clean(self) -> None:
        if self.size and self.size > settings.ATTACHMENT_MAX_BYTES:
            raise ValidationError(
                {"file": _("Files are limited to %(mb)d MB.") % {"mb": settings.ATTACHMENT_MAX_BYTES // 2**20}}
            )
        if self.confidentiality == Confidentiality.CONFIDENTIAL and not self.enquiry.has_nda_in_force():
            raise ValidationError(
                {
                    "confidentiality": _(
                        "Confidential files are accepted only once an NDA is in force for this enquiry. "
                        "Share a non-confidential version, or ask for an NDA first."
                    )
                }
            )


def _invitation_token() -> str:
    return secrets.token_urlsafe(32)


class Invitation(models.Model):
    """A member's invitation to a colleague: the only way to join an existing company."""

    company = models.ForeignKey(
        Company, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("company")
    )
    email = models.EmailField(_("e-mail"))
    token = models.CharField(_("token"), max_length=64, unique=True, default=_invitation_token, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("invited by")
    )
    created_at = models.DateTimeField(_("sent"), default=timezone.now)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("accepted by"),
    )

    VALID_DAYS = 14

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} → {self.company}"

    @property
    def expires_at(self):
        return self.created_at + dt.timedelta(days=self.VALID_DAYS)

    @property
    def is_usable(self) -> bool:
        return self.accepted_at is None and timezone.now() < self.expires_at
