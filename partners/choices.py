"""Vocabularies shared by models, forms, admin filters and demo data (DOMAIN.md sections 2 and 6)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CompanySize(models.TextChoices):
    MICRO = "micro", _("Micro-enterprise (< 10 staff)")
    SME = "sme", _("SME (< 250 staff)")
    MIDCAP = "midcap", _("Mid-cap (< 5,000 staff)")
    LARGE = "large", _("Large group")


class Sector(models.TextChoices):
    BIOPHARMA = "biopharma", _("Biopharma")
    DIAGNOSTICS = "ivd", _("In-vitro diagnostics")
    MEDTECH = "medtech", _("Medtech")
    DIGITAL = "digital", _("Digital health")
    OTHER = "other", _("Other")


class BodyKind(models.TextChoices):
    UNIVERSITY = "university", _("University")
    RESEARCH_ORG = "research_org", _("National research organisation")
    HOSPITAL = "hospital", _("Public hospital")
    CANCER_CENTRE = "cancer_centre", _("Cancer centre")
    FOUNDATION = "foundation", _("Foundation")
    ASSOCIATION = "association", _("Cooperative-group association")


class EntityKind(models.TextChoices):
    RESEARCH_UNIT = "research_unit", _("Research unit")
    COOPERATIVE_GROUP = "cooperative_group", _("Clinical cooperative group")
    PLATFORM = "platform", _("Technology platform")
    BIOBANK = "biobank", _("Biobank")
    COHORT = "cohort", _("Cohort or database")


class PartnershipKind(models.TextChoices):
    BILATERAL_RD = "bilateral_rd", _("Bilateral R&D project")
    CONSULTANCY = "consultancy", _("Consultancy or expertise")
    PLATFORM_USE = "platform_use", _("Use of platforms, models or networks")
    COLLABORATIVE_CALL = "collaborative_call", _("Collaborative R&D answering a call for projects")
    JOINT_LAB = "joint_lab", _("Joint laboratory, industrial PhD (CIFRE) or industrial chair")
    LICENCE = "licence", _("Licence (patent, database extract, biological samples)")
    OTHER = "other", _("Other")


PARTNERSHIP_KIND_DESCRIPTIONS = {
    PartnershipKind.BILATERAL_RD: _(
        "A research project run jointly by your teams and an OPALE entity, with shared results."
    ),
    PartnershipKind.CONSULTANCY: _("Advice or expertise from OPALE researchers and clinicians."),
    PartnershipKind.PLATFORM_USE: _(
        "Target discovery, compound screening, biomarkers, preclinical or clinical validation, "
        "bioproduction of CAR-T batches."
    ),
    PartnershipKind.COLLABORATIVE_CALL: _(
        "A consortium answering a call: Horizon Europe, EU Cancer Mission, ERC, ANR, Bpifrance, regional."
    ),
    PartnershipKind.JOINT_LAB: _("A long-term structure: joint laboratory, CIFRE PhD or industrial chair."),
    PartnershipKind.LICENCE: _(
        "Rights to patents, database extracts or biological samples (samples only with a scientific project)."
    ),
    PartnershipKind.OTHER: _("Anything else: tell us what you have in mind."),
}


class LicenceSubject(models.TextChoices):
    PATENT = "patent", _("Patents or know-how")
    DATA = "data", _("A database extract (patient data)")
    SAMPLES = "samples", _("Biological samples")


class BudgetBand(models.TextChoices):
    UNDER_50K = "lt50k", _("Under 50 k€")
    FROM_50K = "50k_200k", _("50 k€ to 200 k€")
    FROM_200K = "200k_500k", _("200 k€ to 500 k€")
    FROM_500K = "500k_1m", _("500 k€ to 1 M€")
    OVER_1M = "gt1m", _("Over 1 M€")
    UNKNOWN = "unknown", _("Not known yet")


class FundingProgramme(models.TextChoices):
    HORIZON_EUROPE = "horizon_europe", _("Horizon Europe")
    CANCER_MISSION = "eu_cancer_mission", _("EU Cancer Mission")
    ERC = "erc", _("ERC")
    ANR = "anr", _("ANR")
    BPIFRANCE = "bpifrance", _("Bpifrance")
    REGIONAL = "regional", _("Regional programme")
    OTHER = "other", _("Other")


class Language(models.TextChoices):
    FRENCH = "fr", _("French")
    ENGLISH = "en", _("English")


class Party(models.TextChoices):
    """Who holds the ball: whose move it is for the enquiry or contract to go on."""

    COMPANY = "company", _("The company")
    CENTRAL_TEAM = "central_team", _("The OPALE central team")
    ENTITY = "entity", _("The entity")
    GOVERNING_BODY = "governing_body", _("The governing bodies")
    NOBODY = "nobody", _("Nobody (closed)")


class EnquiryStage(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    IN_TRIAGE = "in_triage", _("In triage")
    AWAITING_COMPANY = "awaiting_company", _("Awaiting information from the company")
    ROUTED = "routed", _("Routed to entities")
    ACCEPTED = "accepted", _("Accepted by an entity")
    CONTRACTING = "contracting", _("Contracting")
    SIGNED = "signed", _("Partnership signed")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn by the company")
    NO_GO = "no_go", _("Closed: no-go")


ENQUIRY_CLOSED_STAGES = frozenset(
    {EnquiryStage.SIGNED, EnquiryStage.DECLINED, EnquiryStage.WITHDRAWN, EnquiryStage.NO_GO}
)
ENQUIRY_OPEN_STAGES = [s for s in EnquiryStage if s not in ENQUIRY_CLOSED_STAGES and s != EnquiryStage.DRAFT]

# Whose move it is in each enquiry stage (DESIGN.md section 1: "who holds the ball").
ENQUIRY_BALL_HOLDER = {
    EnquiryStage.DRAFT: Party.COMPANY,
    EnquiryStage.SUBMITTED: Party.CENTRAL_TEAM,
    EnquiryStage.IN_TRIAGE: Party.CENTRAL_TEAM,
    EnquiryStage.AWAITING_COMPANY: Party.COMPANY,
    EnquiryStage.ROUTED: Party.ENTITY,
    EnquiryStage.ACCEPTED: Party.CENTRAL_TEAM,
    EnquiryStage.CONTRACTING: Party.GOVERNING_BODY,
    EnquiryStage.SIGNED: Party.NOBODY,
    EnquiryStage.DECLINED: Party.NOBODY,
    EnquiryStage.WITHDRAWN: Party.NOBODY,
    EnquiryStage.NO_GO: Party.NOBODY,
}


class RoutingStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting the entity's answer")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


class Confidentiality(models.TextChoices):
    NON_CONFIDENTIAL = "non_confidential", _("Non-confidential")
    CONFIDENTIAL = "confidential", _("Confidential (only under an NDA in force)")
