"""Contract kinds, stages and party roles (DESIGN.md section 4, DOMAIN.md sections 2 and 3)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AgreementKind(models.TextChoices):
    NDA = "nda", _("Non-disclosure agreement (NDA)")
    RESEARCH_COLLABORATION = "research_collaboration", _("Research collaboration agreement")
    SERVICE = "service", _("Service agreement")
    CONSULTANCY = "consultancy", _("Consultancy agreement")
    CONSORTIUM = "consortium", _("Consortium agreement")
    CIFRE = "cifre", _("CIFRE collaboration contract")
    INDUSTRIAL_CHAIR = "industrial_chair", _("Industrial chair agreement")
    JOINT_LAB = "joint_lab", _("Joint laboratory agreement")
    PATENT_LICENCE = "patent_licence", _("Patent licence")
    OPTION = "option", _("Option agreement")
    DATA_ACCESS = "data_access", _("Data access licence")
    MATERIAL_TRANSFER = "material_transfer", _("Material transfer agreement")
    FRAMEWORK = "framework", _("Framework agreement")


class NdaDirection(models.TextChoices):
    MUTUAL = "mutual", _("Mutual")
    COMPANY_DISCLOSES = "company", _("One-way: the company discloses")
    ACADEMIC_DISCLOSES = "academic", _("One-way: the academic side discloses")


class ContractStage(models.TextChoices):
    """The stages of both machines: the NDA's and the agreement's (each uses its own, and the closed ones)."""

    # NDA
    REQUESTED = "requested", _("Requested")
    SENT_FOR_REVIEW = "sent_for_review", _("Sent to the company for review")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    SIGNED_BY_COMPANY = "signed_by_company", _("Signed by the company")
    # agreement
    SCOPING = "scoping", _("Scoping")
    INTERNAL_REVIEW = "internal_review", _("Internal review")
    SENT_TO_COMPANY = "sent_to_company", _("Sent to the company")
    IN_NEGOTIATION = "in_negotiation", _("In negotiation")
    IN_SIGNATURE = "in_signature", _("In signature")
    COMPLETED = "completed", _("Completed")
    # both
    DRAFTING = "drafting", _("Drafting")
    AGREED = "agreed", _("Agreed")
    IN_FORCE = "in_force", _("In force")
    EXPIRED = "expired", _("Expired")
    TERMINATED = "terminated", _("Terminated")
    CANCELLED = "cancelled", _("Cancelled")


CONTRACT_CLOSED_STAGES = [
    ContractStage.COMPLETED,
    ContractStage.EXPIRED,
    ContractStage.TERMINATED,
    ContractStage.CANCELLED,
]
# Stages in which the text may still change (a new draft version can be made).
CONTRACT_OPEN_STAGES = [
    ContractStage.REQUESTED,
    ContractStage.SCOPING,
    ContractStage.DRAFTING,
    ContractStage.SENT_FOR_REVIEW,
    ContractStage.CHANGES_REQUESTED,
    ContractStage.INTERNAL_REVIEW,
    ContractStage.SENT_TO_COMPANY,
    ContractStage.IN_NEGOTIATION,
    ContractStage.AGREED,
    ContractStage.SIGNED_BY_COMPANY,
    ContractStage.IN_SIGNATURE,
]


class PartyRole(models.TextChoices):
    COMPANY = "company", _("Company")
    LEAD_NEGOTIATOR = "lead_negotiator", _("Lead negotiator (signs for the academic side)")
    CO_OWNER = "co_owner", _("Co-owning governing body")
