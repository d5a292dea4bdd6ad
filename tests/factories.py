"""factory_boy factories for every model the tests build.

Rows that only the workflow may write (an enquiry's stage, its reference, ``StageChange``) are made by calling
``partners.workflow``: ``EnquiryFactory(submitted=True)`` submits the draft through ``enquiry_submit``, which
allocates the reference and records the stage change, exactly as the portal does.
"""

from __future__ import annotations

import hashlib

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from stdnum import luhn

from partners import workflow
from partners.choices import (
    BodyKind,
    CompanySize,
    Confidentiality,
    EntityKind,
    PartnershipKind,
    RoutingStatus,
    Sector,
)
from partners.models import (
    Attachment,
    Capability,
    Company,
    CompanyMember,
    DiseaseArea,
    Enquiry,
    Entity,
    Governance,
    GoverningBody,
    Message,
    Routing,
    RoutingRule,
)

PASSWORD = "opale-test-password"


def siren(n: int) -> str:
    """A valid SIREN: 8 digits from ``n`` followed by their Luhn check digit."""
    body = f"{n:08d}"
    return body + luhn.calc_check_digit(body)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password(PASSWORD)
    is_staff = False

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        """``UserFactory(groups=["Central team"])``: the role groups exist from migration partners/0002."""
        if create and extracted:
            self.groups.add(*(Group.objects.get(name=name) for name in extracted))


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company

    legal_name = factory.Sequence(lambda n: f"Biotech {n} SAS")
    country = "FR"
    registration_number = factory.Sequence(lambda n: siren(30_000_000 + n))
    size = CompanySize.SME
    sector = Sector.BIOPHARMA
    website = factory.LazyAttribute(lambda c: f"https://{c.legal_name.split()[1]}.example.com")


class CompanyMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CompanyMember

    company = factory.SubFactory(CompanyFactory)
    user = factory.SubFactory(UserFactory)
    job_title = "Head of business development"
    is_signatory = False


class DiseaseAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DiseaseArea
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"area-{n}")
    name_en = factory.LazyAttribute(lambda a: f"Area {a.code}")
    name_fr = factory.LazyAttribute(lambda a: f"Domaine {a.code}")


class CapabilityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Capability
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"capability-{n}")
    name_en = factory.LazyAttribute(lambda c: f"Capability {c.code}")
    name_fr = factory.LazyAttribute(lambda c: f"Compétence {c.code}")


class GoverningBodyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GoverningBody
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Université de test {n}")
    short_name = factory.Sequence(lambda n: f"UT{n}")
    kind = BodyKind.UNIVERSITY
    contracting_office = factory.LazyAttribute(lambda b: f"SATT {b.short_name}")
    contact_email = factory.LazyAttribute(lambda b: f"contrats@{b.short_name.lower()}.example.org")

    @factory.post_generation
    def legal_staff(self, create, extracted, **kwargs):
        if create and extracted:
            self.legal_staff.add(*extracted)


class EntityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Entity
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Research unit {n}")
    code = factory.Sequence(lambda n: f"U{900 + n}")
    kind = EntityKind.RESEARCH_UNIT
    city = "Paris"
    profile = "Leukemic stem cells, AML biomarkers and preclinical models."
    partnership_kinds = factory.LazyFunction(lambda: [PartnershipKind.BILATERAL_RD, PartnershipKind.CONSULTANCY])

    @factory.post_generation
    def contacts(self, create, extracted, **kwargs):
        """``EntityFactory(contacts=[user])`` makes ``user`` one of its scientific contacts."""
        if create and extracted:
            self.scientific_contacts.add(*extracted)

    @factory.post_generation
    def lead_body(self, create, extracted, **kwargs):
        """``EntityFactory(lead_body=body)``: ``body`` is its lead negotiator and IP agent."""
        if create and extracted:
            GovernanceFactory(entity=self, body=extracted, is_lead_negotiator=True, is_ip_agent=True)


class GovernanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Governance

    entity = factory.SubFactory(EntityFactory)
    body = factory.SubFactory(GoverningBodyFactory)
    is_lead_negotiator = False
    is_ip_agent = False
    is_managing_body = False
    is_host_body = False

    class Params:
        lead = factory.Trait(is_lead_negotiator=True, is_ip_agent=True, is_managing_body=True)


class EnquiryFactory(factory.django.DjangoModelFactory):
    """A draft by default; ``submitted=True`` (or ``submitted=<user>``) sends it through the workflow."""

    class Meta:
        model = Enquiry
        skip_postgeneration_save = True

    company = factory.SubFactory(CompanyFactory)
    kind = PartnershipKind.BILATERAL_RD
    title = factory.Sequence(lambda n: f"Enquiry {n}: CD123 antibody on AML blasts")
    summary = "We look for a partner to test our anti-CD123 antibody on primary AML samples."
    objectives = "Efficacy on primary samples and a biomarker of response."
    language = "fr"
    contact_name = "Claire Martin"
    contact_email = "claire.martin@example.com"

    @factory.post_generation
    def disease_areas(self, create, extracted, **kwargs):
        """Acute myeloid leukemia unless given: a submitted enquiry names at least one disease area."""
        if create:
            self.disease_areas.set(extracted if extracted is not None else DiseaseArea.objects.filter(code="aml"))

    @factory.post_generation
    def submitted(self, create, extracted, **kwargs):
        if not (create and extracted):
            return
        actor = extracted if isinstance(extracted, get_user_model()) else _member_of(self.company)
        workflow.enquiry_submit(enquiry=self, actor=actor, **kwargs)
        self.refresh_from_db()


def _member_of(company: Company):
    member = company.members.select_related("user").first()
    return member.user if member else CompanyMemberFactory(company=company).user


def submitted_enquiry(**kwargs) -> Enquiry:
    """A submitted enquiry with its reference and its first StageChange, as the company's member made it
    (``submitted=<user>`` names who submitted it)."""
    kwargs.setdefault("submitted", True)
    return EnquiryFactory(**kwargs)


def routed_enquiry(*, entities: list[Entity], actor, **kwargs) -> Enquiry:
    """Submitted by the company, then routed by ``actor`` (a central-team user) to ``entities``."""
    enquiry = submitted_enquiry(**kwargs)
    return workflow.enquiry_route(enquiry=enquiry, actor=actor, entities=entities, note="Please have a look.")


class RoutingFactory(factory.django.DjangoModelFactory):
    """A bare routing row (no stage change): for scope tests. Real routing goes through ``enquiry_route``."""

    class Meta:
        model = Routing

    enquiry = factory.SubFactory(EnquiryFactory, submitted=True)
    entity = factory.SubFactory(EntityFactory)
    routed_by = None
    reason = "Matches the entity's AML profile."
    status = RoutingStatus.PENDING


class RoutingRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoutingRule

    name = factory.Sequence(lambda n: f"Rule {n}")
    entity = factory.SubFactory(EntityFactory)
    kind = PartnershipKind.BILATERAL_RD
    keywords = "aml, cd123"
    weight = 10


class MessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Message

    enquiry = factory.SubFactory(EnquiryFactory, submitted=True)
    author = factory.SubFactory(UserFactory)
    body = factory.Sequence(lambda n: f"Message {n}: could you tell us more about the samples?")
    is_internal = False


class AttachmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attachment
        exclude = ["content"]

    enquiry = factory.SubFactory(EnquiryFactory, submitted=True)
    uploaded_by = factory.SubFactory(UserFactory)
    content = factory.Sequence(lambda n: f"Non-confidential summary, version {n}.\n".encode())
    original_name = factory.Sequence(lambda n: f"summary-{n}.txt")
    content_type = "text/plain"
    size = factory.LazyAttribute(lambda a: len(a.content))
    sha256 = factory.LazyAttribute(lambda a: hashlib.sha256(a.content).hexdigest())
    file = factory.LazyAttribute(lambda a: ContentFile(a.content, name=a.original_name))
    confidentiality = Confidentiality.NON_CONFIDENTIAL


def contracting_enquiry(*, entity: Entity, actor, **kwargs) -> Enquiry:
    """Routed to ``entity``, accepted for it and confirmed for contracting, all by ``actor`` (central team)."""
    enquiry = routed_enquiry(entities=[entity], actor=actor, **kwargs)
    workflow.enquiry_answer_routing(routing=enquiry.routings.get(entity=entity), actor=actor, accept=True)
    return workflow.enquiry_start_contracting(enquiry=enquiry, actor=actor)


def nda(*, enquiry: Enquiry, entity: Entity, actor, **kwargs):
    """An NDA asked for through ``agreements.workflow``: parties, number and first StageChange as the portal
    makes them."""
    from agreements import workflow as contracts
    from agreements.choices import AgreementKind

    return contracts.agreement_request(enquiry=enquiry, entity=entity, kind=AgreementKind.NDA, actor=actor, **kwargs)


def contract(*, enquiry: Enquiry, entity: Entity, actor, kind: str = "research_collaboration", **kwargs):
    """An agreement other than an NDA (a research collaboration unless ``kind`` says), asked for through
    ``agreements.workflow``; the enquiry must be in contracting."""
    from agreements import workflow as contracts

    return contracts.agreement_request(enquiry=enquiry, entity=entity, kind=kind, actor=actor, **kwargs)


def terms_data(agreement, **overrides) -> dict:
    """Complete, valid form input for the terms of ``agreement``, from its kind's module in
    ``tests/agreements/kind_data/`` (one per kind, each with a ``data(agreement)`` function)."""
    from .agreements.kind_data import data_for

    return {**data_for(agreement), **overrides}


def fill_terms(agreement, *, actor, **overrides):
    """``agreement`` with complete terms saved through ``agreements.services``, so it may go to the company."""
    from agreements import services

    return services.agreement_save_terms(agreement=agreement, actor=actor, data=terms_data(agreement, **overrides))
