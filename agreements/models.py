"""Contracts (NDAs and agreements), their parties, and the audit trail of stage changes.

One ``Agreement`` table holds every contract; its two stage machines are two proxy models, ``Nda`` and
``Contract``, each with its own transitions (so ``graph_transitions`` draws each machine on its own). Every
stage change goes through ``agreements/workflow.py``.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from partners.protected_stage import ProtectedStageMixin

from . import rules as perms
from .choices import CONTRACT_CLOSED_STAGES, AgreementKind, ContractStage, PartyRole

C = ContractStage


class StageChangeQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionDenied("Stage changes are an audit trail: they are never edited.")

    def delete(self):
        raise PermissionDenied("Stage changes are an audit trail: they are never deleted.")


class StageChange(models.Model):
    """One transition of an enquiry or of one of its contracts: who, when, from, to, why."""

    enquiry = models.ForeignKey(
        "partners.Enquiry",
        on_delete=models.PROTECT,
        related_name="stage_changes",
        verbose_name=_("enquiry"),
    )
    agreement = models.ForeignKey(
        "agreements.Agreement",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="stage_changes",
        verbose_name=_("contract"),
        help_text=_("Empty for a change of the enquiry itself."),
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

    for stages in (EnquiryStage, ContractStage):
        if code in stages.values:
            return str(stages(code).label)
    return code


class Agreement(ProtectedStageMixin, models.Model):
    """One contract between the company of an enquiry and the governing bodies of one entity."""

    enquiry = models.ForeignKey(
        "partners.Enquiry", on_delete=models.PROTECT, related_name="agreements", verbose_name=_("enquiry")
    )
    entity = models.ForeignKey(
        "partners.Entity", on_delete=models.PROTECT, related_name="agreements", verbose_name=_("entity")
    )
    kind = models.CharField(_("kind"), max_length=30, choices=AgreementKind.choices)
    number = models.PositiveSmallIntegerField(
        _("number"), default=1, help_text=_("Its rank among the enquiry's contracts.")
    )
    language = models.CharField(
        _("language of the text"),
        max_length=2,
        choices=[("fr", _("French")), ("en", _("French and English"))],
        default="fr",
        help_text=_(
            "A contract with a French public body is written in French; an English version may stand beside it."
        ),
    )
    stage = FSMField(_("stage"), max_length=20, choices=ContractStage.choices, protected=True, db_index=True)
    terms = models.JSONField(
        _("terms"), default=dict, blank=True, help_text=_("The kind's terms, as its form checked them.")
    )
    starts_on = models.DateField(_("effective date"), null=True, blank=True)
    ends_on = models.DateField(_("end date"), null=True, blank=True)
    in_force_at = models.DateTimeField(_("in force since"), null=True, blank=True)
    expiry_warned_at = models.DateTimeField(_("expiry warning sent"), null=True, blank=True)
    signature_deadline = models.DateField(
        _("sign by"),
        null=True,
        blank=True,
        help_text=_(
            "The date by which its rules require it signed: 6 months after the thesis starts for a CIFRE contract, "
            "12 months after the project starts for an ANR consortium."
        ),
    )
    deadline_warned_at = models.DateTimeField(_("deadline warning sent"), null=True, blank=True)
    amends = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="amendments",
        verbose_name=_("amends"),
        help_text=_("The contract in force this amendment changes."),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("asked by")
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    stage_changed_at = models.DateTimeField(_("in this stage since"), default=timezone.now)

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        ordering = ["enquiry", "number"]
        constraints = [
            models.UniqueConstraint(fields=["enquiry", "number"], name="agreement_number_per_enquiry"),
        ]
        indexes = [
            # the expiry task: contracts in force by end date
            models.Index(fields=["stage", "ends_on"], name="agreement_expiry"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} – {self.get_kind_display()}"

    @property
    def reference(self) -> str:
        return f"{self.enquiry.reference}-{self.number}"

    @property
    def is_nda(self) -> bool:
        return self.kind == AgreementKind.NDA

    @property
    def amendment_number(self) -> int | None:
        """Its rank among the amendments of the contract it amends (1 for the first; a cancelled one takes no
        number), or None for a contract."""
        if self.amends_id is None:
            return None
        earlier = Agreement.objects.filter(amends_id=self.amends_id, number__lte=self.number)
        return earlier.exclude(stage=ContractStage.CANCELLED).count() or 1

    @property
    def is_closed(self) -> bool:
        return self.stage in CONTRACT_CLOSED_STAGES

    def as_machine(self) -> Agreement:
        """The same row as its stage machine (``Nda`` or ``Contract``), whose transitions apply to it."""
        machine = Nda if self.is_nda else Contract
        if isinstance(self, machine):
            return self
        return machine.objects.get(pk=self.pk)


class AgreementParty(models.Model):
    """A party to a contract: the company, or a governing body with its role, and whether it must sign."""

    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, related_name="parties", verbose_name=_("contract")
    )
    role = models.CharField(_("role"), max_length=20, choices=PartyRole.choices)
    company = models.ForeignKey(
        "partners.Company", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("company")
    )
    body = models.ForeignKey(
        "partners.GoverningBody",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agreement_parties",
        verbose_name=_("governing body"),
    )
    must_sign = models.BooleanField(_("signs"), default=True)
    signs_through = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("signed for by"),
        help_text=_("The lead negotiator, when a mandate on the governance lets it sign for this body."),
    )

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        ordering = ["agreement", "role", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(role=PartyRole.COMPANY) & models.Q(company__isnull=False, body__isnull=True))
                | (~models.Q(role=PartyRole.COMPANY) & models.Q(company__isnull=True, body__isnull=False)),
                name="agreement_party_company_or_body",
            ),
            models.UniqueConstraint(
                fields=["agreement", "body"], condition=models.Q(body__isnull=False), name="agreement_party_body_once"
            ),
        ]

    def __str__(self) -> str:
        return str(self.company or self.body)


# ---- the two stage machines ---------------------------------------------------------------------------------
class NdaManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(kind=AgreementKind.NDA)


class ContractManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().exclude(kind=AgreementKind.NDA)


OPEN_NDA = [C.REQUESTED, C.DRAFTING, C.SENT_FOR_REVIEW, C.CHANGES_REQUESTED, C.AGREED, C.SIGNED_BY_COMPANY]
OPEN_CONTRACT = [
    C.SCOPING,
    C.DRAFTING,
    C.INTERNAL_REVIEW,
    C.SENT_TO_COMPANY,
    C.IN_NEGOTIATION,
    C.AGREED,
    C.IN_SIGNATURE,
]


class Nda(Agreement):
    """The NDA's machine (DESIGN.md section 4). Call the transitions only through agreements.workflow."""

    objects = NdaManager()

    class Meta:
        proxy = True
        verbose_name = _("NDA")
        verbose_name_plural = _("NDAs")

    @transition(field="stage", source=C.REQUESTED, target=C.DRAFTING, permission=perms.can_draft)
    def start_drafting(self) -> None:
        """Legal staff of the lead body start the text."""

    @transition(
        field="stage", source=[C.DRAFTING, C.CHANGES_REQUESTED], target=C.SENT_FOR_REVIEW, permission=perms.can_draft
    )
    def send_for_review(self) -> None:
        """The draft goes to the company."""

    @transition(field="stage", source=C.SENT_FOR_REVIEW, target=C.CHANGES_REQUESTED, permission=perms.can_review)
    def request_changes(self) -> None:
        """The company asks for changes (its comment says which)."""

    @transition(field="stage", source=C.SENT_FOR_REVIEW, target=C.AGREED, permission=perms.can_review)
    def agree(self) -> None:
        """The company accepts the text as it stands."""

    @transition(field="stage", source=C.AGREED, target=C.SIGNED_BY_COMPANY, permission=perms.can_review)
    def sign_by_company(self) -> None:
        """The company signed; the academic signatures follow."""

    @transition(field="stage", source=C.SIGNED_BY_COMPANY, target=C.IN_FORCE, permission=perms.can_draft)
    def enter_into_force(self) -> None:
        """Every party that must sign has signed."""

    @transition(field="stage", source=C.IN_FORCE, target=C.EXPIRED)
    def expire(self) -> None:
        """Its end date passed (the periodic task)."""

    @transition(field="stage", source=C.IN_FORCE, target=C.TERMINATED, permission=perms.can_draft)
    def terminate(self) -> None:
        """Ended early, with a reason."""

    @transition(field="stage", source=OPEN_NDA, target=C.CANCELLED, permission=perms.can_cancel)
    def cancel(self) -> None:
        """Abandoned before it came into force, with a reason."""


class Contract(Agreement):
    """The agreement's machine, shared by every kind but the NDA (DESIGN.md section 4)."""

    objects = ContractManager()

    class Meta:
        proxy = True
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")

    @transition(field="stage", source=C.SCOPING, target=C.DRAFTING, permission=perms.can_draft)
    def start_drafting(self) -> None:
        """The scope is clear; legal staff of the lead body write the text."""

    @transition(field="stage", source=C.DRAFTING, target=C.INTERNAL_REVIEW, permission=perms.can_draft)
    def submit_for_internal_review(self) -> None:
        """The bodies' own approvals before the company sees the text."""

    @transition(field="stage", source=C.INTERNAL_REVIEW, target=C.DRAFTING, permission=perms.can_draft)
    def return_to_drafting(self) -> None:
        """The internal review asks for changes."""

    @transition(
        field="stage",
        source=[C.INTERNAL_REVIEW, C.IN_NEGOTIATION],
        target=C.SENT_TO_COMPANY,
        permission=perms.can_draft,
    )
    def send_to_company(self) -> None:
        """The draft goes to the company."""

    @transition(field="stage", source=C.SENT_TO_COMPANY, target=C.IN_NEGOTIATION, permission=perms.can_review)
    def request_changes(self) -> None:
        """The company asks for changes: a negotiation round."""

    @transition(field="stage", source=C.SENT_TO_COMPANY, target=C.AGREED, permission=perms.can_review)
    def agree(self) -> None:
        """The company accepts the text as it stands."""

    @transition(field="stage", source=C.AGREED, target=C.IN_SIGNATURE, permission=perms.can_draft)
    def open_signature(self) -> None:
        """The signature circuit starts: every party that must sign."""

    @transition(field="stage", source=C.IN_SIGNATURE, target=C.IN_FORCE, permission=perms.can_draft)
    def enter_into_force(self) -> None:
        """Every party that must sign has signed."""

    @transition(field="stage", source=C.IN_FORCE, target=C.COMPLETED, permission=perms.can_draft)
    def complete(self) -> None:
        """The work is done; surviving obligations remain."""

    @transition(field="stage", source=C.IN_FORCE, target=C.EXPIRED)
    def expire(self) -> None:
        """Its end date passed (the periodic task)."""

    @transition(field="stage", source=C.IN_FORCE, target=C.TERMINATED, permission=perms.can_draft)
    def terminate(self) -> None:
        """Ended early, with a reason."""

    @transition(field="stage", source=OPEN_CONTRACT, target=C.CANCELLED, permission=perms.can_cancel)
    def cancel(self) -> None:
        """Abandoned before it came into force, with a reason."""


def draft_path(instance: DraftVersion, filename: str) -> str:
    return f"drafts/{instance.agreement_id}/{instance.agreement_id}-v{instance.number}-{instance.language}.pdf"


class DraftVersion(models.Model):
    """One generated PDF of a contract: made from these terms and this template, by a task, never in a request.

    ``content_hash`` identifies what it was made from (terms, parties, template, language): asking again for an
    unchanged draft finds the version already made instead of rendering it twice."""

    class Status(models.TextChoices):
        RENDERING = "rendering", _("Being made")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, related_name="versions", verbose_name=_("contract")
    )
    number = models.PositiveSmallIntegerField(_("version"))
    language = models.CharField(_("language"), max_length=2)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.RENDERING)
    error = models.TextField(_("error"), blank=True)
    content_hash = models.CharField(_("content hash"), max_length=64, db_index=True)
    terms = models.JSONField(_("terms it was made from"), default=dict)
    template_name = models.CharField(_("template"), max_length=200)
    body_template = models.ForeignKey(
        "ContractTemplate",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="versions",
        verbose_name=_("governing body's template"),
        help_text=_("The body's own template version it was made from; empty: the portal's template."),
    )
    is_final = models.BooleanField(_("final (no watermark)"), default=False)
    pdf = models.FileField(_("PDF"), upload_to=draft_path, blank=True)
    sha256 = models.CharField(_("SHA-256 of the PDF"), max_length=64, blank=True)
    pages = models.PositiveSmallIntegerField(_("pages"), null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("asked by")
    )
    created_at = models.DateTimeField(_("asked"), default=timezone.now)
    rendered_at = models.DateTimeField(_("made"), null=True, blank=True)

    class Meta:
        verbose_name = _("draft version")
        verbose_name_plural = _("draft versions")
        ordering = ["agreement", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "number"], name="draft_version_number"),
        ]

    def __str__(self) -> str:
        return f"{self.agreement.reference} v{self.number}"


class Signature(models.Model):
    """A simple electronic signature (or a wet-signed scan), recorded honestly and never changed: who, as whom,
    their consent, when, from where, and the SHA-256 of the exact PDF they signed."""

    agreement = models.ForeignKey(
        Agreement, on_delete=models.PROTECT, related_name="signatures", verbose_name=_("contract")
    )
    party = models.ForeignKey(
        AgreementParty, on_delete=models.PROTECT, related_name="signatures", verbose_name=_("party")
    )
    version = models.ForeignKey(
        DraftVersion, on_delete=models.PROTECT, related_name="signatures", verbose_name=_("version signed")
    )
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("signed by (account)")
    )
    signer_name = models.CharField(_("signer's name"), max_length=200)
    signer_title = models.CharField(_("signer's title"), max_length=200)
    consent = models.BooleanField(_("consent to sign electronically"), default=False)
    pdf_sha256 = models.CharField(_("SHA-256 of the PDF signed"), max_length=64)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    wet_scan = models.FileField(_("wet-signed scan"), upload_to="signatures/", blank=True)
    signed_at = models.DateTimeField(_("signed"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        ordering = ["agreement", "signed_at"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "party"], name="signature_once_per_party"),
            models.CheckConstraint(
                condition=models.Q(consent=True) | ~models.Q(wet_scan=""), name="signature_consented_or_scanned"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.signer_name} ({self.party}) – {self.agreement.reference}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise PermissionDenied("A signature is a record: it is never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied("A signature is a record: it is never deleted.")


class ApprovalKind(models.TextChoices):
    """Steps recorded before signature (DOMAIN.md section 3; issue 6)."""

    DPO_SIGN_OFF = "dpo_sign_off", _("Data protection officer's sign-off")
    TRANSPARENCY = "transparency", _("Transparency declaration (Transparence Santé)")
    ANTI_GIFT = "anti_gift", _("Anti-gift declaration or authorisation")
    SCIENTIFIC_COUNCIL = "scientific_council", _("Cooperative group's scientific council")
    DATA_ACCESS_COMMITTEE = "data_access_committee", _("Data access committee")
    PUBLICATION_CHARTER = "publication_charter", _("Publication charter accepted by the company")
    PATIENT_COMMITTEE = "patient_committee", _("Patient committee's review of the information notes")
    ETHICS = "ethics", _("Ethics committee (CPP) opinion")
    REGULATORY = "regulatory", _("Regulatory approval (ANSM)")


class ApprovalDecision(models.TextChoices):
    PENDING = "pending", _("Awaited")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")


class Approval(models.Model):
    """One step a contract needs before its signature (a committee's decision, a declaration, a sign-off), with
    its date and decision. agreements.approvals says which a contract needs and records them."""

    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, related_name="approvals", verbose_name=_("contract")
    )
    kind = models.CharField(_("step"), max_length=30, choices=ApprovalKind.choices)
    may_be_waived = models.BooleanField(
        _("may be marked not applicable"), default=False, help_text=_("Some steps apply only to some projects.")
    )
    decision = models.CharField(
        _("decision"), max_length=20, choices=ApprovalDecision.choices, default=ApprovalDecision.PENDING
    )
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    reference = models.CharField(_("reference"), max_length=200, blank=True)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded"), null=True, blank=True)

    class Meta:
        verbose_name = _("approval before signature")
        verbose_name_plural = _("approvals before signature")
        ordering = ["agreement", "pk"]
        constraints = [models.UniqueConstraint(fields=["agreement", "kind"], name="approval_once_per_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.get_decision_display()}"

    @property
    def clears(self) -> bool:
        """Whether this step no longer holds the signature back."""
        return self.decision == ApprovalDecision.APPROVED or (
            self.decision == ApprovalDecision.NOT_APPLICABLE and self.may_be_waived
        )


class ContractTemplate(models.Model):
    """A governing body's own text for one kind of contract in one language, versioned: legal staff write or
    upload it, preview it as a PDF, then put it in use. The portal's templates are used where a body has none."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Being prepared")
        IN_USE = "in_use", _("In use")
        RETIRED = "retired", _("Retired")

    body = models.ForeignKey(
        "partners.GoverningBody",
        on_delete=models.PROTECT,
        related_name="contract_templates",
        verbose_name=_("governing body"),
    )
    kind = models.CharField(_("kind"), max_length=30, choices=AgreementKind.choices)
    language = models.CharField(
        _("language of the text"), max_length=2, choices=[("fr", _("French")), ("en", _("French and English"))]
    )
    number = models.PositiveSmallIntegerField(_("version"))
    source = models.TextField(_("template"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    note = models.CharField(_("what changed"), max_length=300, blank=True)
    preview = models.FileField(_("preview PDF"), upload_to="template-previews/", blank=True)
    preview_requested_at = models.DateTimeField(_("preview asked for"), null=True, blank=True)
    preview_error = models.TextField(_("why the preview failed"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("written by")
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    in_use_since = models.DateTimeField(_("in use since"), null=True, blank=True)

    class Meta:
        verbose_name = _("contract template")
        verbose_name_plural = _("contract templates")
        ordering = ["body", "kind", "language", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["body", "kind", "language", "number"], name="template_version_unique"),
            models.UniqueConstraint(
                fields=["body", "kind", "language"],
                condition=models.Q(status="in_use"),
                name="template_one_in_use",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.body} – {self.get_kind_display()} ({self.language}) v{self.number}"


class ContractSettings(models.Model):
    """Defaults and bounds of contract terms, which the legal team changes in the admin (DOMAIN.md section 3).

    One row (pk 1), read with ``ContractSettings.current()``."""

    nda_disclosure_months_default = models.PositiveSmallIntegerField(
        _("NDA: disclosure period, default (months)"), default=24
    )
    nda_disclosure_months_min = models.PositiveSmallIntegerField(
        _("NDA: disclosure period, minimum (months)"), default=1
    )
    nda_disclosure_months_max = models.PositiveSmallIntegerField(
        _("NDA: disclosure period, maximum (months)"), default=60
    )
    nda_survival_years_default = models.PositiveSmallIntegerField(_("NDA: survival, default (years)"), default=5)
    nda_survival_years_min = models.PositiveSmallIntegerField(_("NDA: survival, minimum (years)"), default=1)
    nda_survival_years_max = models.PositiveSmallIntegerField(_("NDA: survival, maximum (years)"), default=15)
    nda_survival_years_warning = models.PositiveSmallIntegerField(
        _("NDA: survival above which to warn (years)"), default=10
    )
    nda_oral_confirmation_days_default = models.PositiveSmallIntegerField(
        _("NDA: days to confirm an oral disclosure in writing, default"), default=15
    )
    publication_review_days_default = models.PositiveSmallIntegerField(
        _("Publication review period, default (days)"), default=30
    )
    publication_deferral_days_default = models.PositiveSmallIntegerField(
        _("Publication deferral for a patent filing, default (days)"), default=90
    )
    collaboration_months_max = models.PositiveSmallIntegerField(
        _("Collaboration: longest duration (months)"), default=120
    )
    expiry_warning_days = models.PositiveSmallIntegerField(
        _("Warn the parties this many days before expiry"), default=30
    )
    deadline_warning_days = models.PositiveSmallIntegerField(
        _("Warn this many days before a signature deadline (CIFRE, ANR consortium)"), default=30
    )
    option_months_min = models.PositiveSmallIntegerField(_("Option: shortest duration (months)"), default=6)
    option_months_max = models.PositiveSmallIntegerField(_("Option: longest duration (months)"), default=12)
    option_months_default = models.PositiveSmallIntegerField(_("Option: duration, default (months)"), default=12)
    industrial_chair_months_default = models.PositiveSmallIntegerField(
        _("Industrial chair: duration, default (months)"), default=48
    )

    class Meta:
        verbose_name = _("contract settings")
        verbose_name_plural = _("contract settings")

    def __str__(self) -> str:
        return str(_("Contract settings"))

    # (minimum, default, maximum) triples: a default outside its bounds would pre-fill a value the form refuses.
    BOUNDS = (
        ("nda_disclosure_months_min", "nda_disclosure_months_default", "nda_disclosure_months_max"),
        ("nda_survival_years_min", "nda_survival_years_default", "nda_survival_years_max"),
        ("option_months_min", "option_months_default", "option_months_max"),
    )

    def clean(self) -> None:
        errors = {}
        for low, default, high in self.BOUNDS:
            lowest, usual, highest = getattr(self, low), getattr(self, default), getattr(self, high)
            if None in (lowest, usual, highest):
                continue
            if lowest < 1:
                errors[low] = _("At least 1.")
            elif lowest > highest:
                errors[high] = _("The maximum is below the minimum (%(min)s).") % {"min": lowest}
            elif not lowest <= usual <= highest:
                errors[default] = _("The default must lie between the minimum (%(min)s) and the maximum (%(max)s).") % {
                    "min": lowest,
                    "max": highest,
                }
        if self.industrial_chair_months_default and self.collaboration_months_max:
            if self.industrial_chair_months_default > self.collaboration_months_max:
                errors["industrial_chair_months_default"] = _(
                    "Longer than the longest collaboration (%(max)s months)."
                ) % {"max": self.collaboration_months_max}
        if errors:
            raise ValidationError(errors)

    @classmethod
    def current(cls) -> ContractSettings:
        settings_row, _created = cls.objects.get_or_create(pk=1)
        return settings_row


class DraftDownload(models.Model):
    """One download of a draft version: who took which text, and when (issue 5: every download is logged).
    A record, never changed."""

    version = models.ForeignKey(
        DraftVersion, on_delete=models.CASCADE, related_name="downloads", verbose_name=_("version")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("downloaded by")
    )
    at = models.DateTimeField(_("downloaded"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("draft download")
        verbose_name_plural = _("draft downloads")
        ordering = ["version", "at"]

    def __str__(self) -> str:
        return f"{self.version} – {self.user}"
