"""Invariants the models hold, and the messages a user reads when one is broken."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from partners.choices import LicenceSubject, PartnershipKind, RoutingStatus
from partners.models import Company, Enquiry, Governance, Routing, RoutingRule
from partners.services import submission_problems

from ..factories import (
    CompanyFactory,
    EnquiryFactory,
    EntityFactory,
    GovernanceFactory,
    GoverningBodyFactory,
    RoutingFactory,
    siren,
)

pytestmark = pytest.mark.django_db


class TestGovernance:
    @pytest.mark.parametrize(
        ("flag", "message"),
        [
            ("is_lead_negotiator", "This entity already has a lead negotiator."),
            ("is_ip_agent", "This entity already has an IP agent (mandataire unique)."),
        ],
    )
    def test_a_second_holder_of_a_single_role_is_refused(self, flag, message):
        first = GovernanceFactory(**{flag: True})
        second = Governance(entity=first.entity, body=GoverningBodyFactory(), **{flag: True})

        with pytest.raises(ValidationError) as caught:
            second.validate_constraints()
        assert message in caught.value.messages

        with pytest.raises(IntegrityError), transaction.atomic():
            second.save()
        assert Governance.objects.filter(entity=first.entity, **{flag: True}).count() == 1

    def test_the_same_body_may_lead_several_entities(self):
        body = GoverningBodyFactory()
        first = EntityFactory(lead_body=body)
        second = EntityFactory(lead_body=body)

        assert first.lead_body == body
        assert second.lead_body == body

    def test_other_roles_may_be_held_by_several_bodies(self):
        governance = GovernanceFactory(lead=True, is_host_body=True)
        other = Governance(
            entity=governance.entity, body=GoverningBodyFactory(), is_host_body=True, is_managing_body=True
        )
        other.full_clean()
        other.save()

        assert governance.entity.governances.filter(is_host_body=True).count() == 2

    def test_a_body_is_linked_once_to_an_entity(self):
        governance = GovernanceFactory()
        with pytest.raises(IntegrityError), transaction.atomic():
            Governance.objects.create(entity=governance.entity, body=governance.body)


class TestCompanyRegistration:
    def test_a_bad_siren_is_refused_with_a_clear_message_on_the_field(self):
        good = siren(73282932)
        bad = good[:-1] + str((int(good[-1]) + 1) % 10)
        company = CompanyFactory.build(registration_number=bad)

        with pytest.raises(ValidationError) as caught:
            company.full_clean()

        [message] = caught.value.message_dict["registration_number"]
        assert f"“{bad}” is not a valid SIREN or SIRET" in message
        assert "Kbis" in message

    def test_a_siren_is_stored_compact(self):
        company = CompanyFactory.build(registration_number="732 829 320")
        company.full_clean()
        assert company.registration_number == "732829320"

    def test_a_siret_is_accepted(self):
        company = CompanyFactory.build(registration_number="732 829 320 00074")
        company.full_clean()
        assert company.registration_number == "73282932000074"

    def test_a_french_number_of_the_wrong_length_says_what_is_expected(self):
        company = CompanyFactory.build(registration_number="1234")
        with pytest.raises(ValidationError) as caught:
            company.full_clean()
        [message] = caught.value.message_dict["registration_number"]
        assert "SIREN (9 digits), its SIRET (14 digits) or its FR VAT number" in message

    def test_an_eu_vat_number_is_accepted_with_or_without_its_prefix(self):
        with_prefix = CompanyFactory.build(country="DE", registration_number="DE 136 695 976")
        without_prefix = CompanyFactory.build(country="DE", registration_number="136695976")
        with_prefix.full_clean()
        without_prefix.full_clean()
        assert with_prefix.registration_number == without_prefix.registration_number == "DE136695976"

    def test_a_bad_eu_vat_number_is_refused_with_an_example(self):
        company = CompanyFactory.build(country="BE", registration_number="BE0123456789")
        with pytest.raises(ValidationError) as caught:
            company.full_clean()
        [message] = caught.value.message_dict["registration_number"]
        assert "is not a valid EU VAT number" in message
        assert "FR40303265045" in message

    def test_a_french_company_may_give_its_vat_number(self):
        company = CompanyFactory.build(registration_number="FR 40 303 265 045")
        company.full_clean()
        assert company.registration_number == "FR40303265045"

    def test_a_company_is_registered_once_per_country(self):
        first = CompanyFactory()
        duplicate = CompanyFactory.build(registration_number=first.registration_number)
        with pytest.raises(ValidationError) as caught:
            duplicate.full_clean()
        assert caught.value.messages
        with pytest.raises(IntegrityError), transaction.atomic():
            duplicate.save()
        assert Company.objects.filter(registration_number=first.registration_number).count() == 1


class TestValidationMessages:
    def test_a_routing_rule_needs_a_criterion(self):
        rule = RoutingRule(name="Empty", entity=EntityFactory(), kind="", keywords="  ")
        with pytest.raises(ValidationError) as caught:
            rule.full_clean()
        assert caught.value.message_dict["__all__"] == [
            "A rule needs at least one criterion: a kind, a disease area, a capability or keywords."
        ]

    @pytest.mark.parametrize("criterion", [{"kind": PartnershipKind.LICENCE}, {"keywords": "car-t"}])
    def test_one_criterion_is_enough(self, criterion):
        rule = RoutingRule(name="One", entity=EntityFactory(), **{"kind": "", "keywords": "", **criterion})
        rule.full_clean()

    def test_a_decline_without_a_reason_is_refused(self):
        routing = RoutingFactory()
        routing.status = RoutingStatus.DECLINED
        routing.answer_reason = ""

        with pytest.raises(ValidationError) as caught:
            routing.full_clean()
        assert "A decline needs a reason." in caught.value.messages
        with pytest.raises(IntegrityError), transaction.atomic():
            routing.save()
        assert Routing.objects.get(pk=routing.pk).status == RoutingStatus.PENDING

    def test_a_call_for_projects_names_its_programme_and_deadline_before_submission(self):
        enquiry = EnquiryFactory(company=CompanyFactory(), kind=PartnershipKind.COLLABORATIVE_CALL)
        assert ("project", "Name the funding programme and the call's deadline.") in submission_problems(enquiry)

        enquiry.funding_programme = "horizon_europe"
        enquiry.funding_deadline = dt.date(2030, 1, 15)
        assert submission_problems(enquiry) == []

    def test_samples_need_a_scientific_project_before_submission(self):
        enquiry = EnquiryFactory(
            company=CompanyFactory(), kind=PartnershipKind.LICENCE, licence_subject=LicenceSubject.SAMPLES
        )
        assert ("project", "Describe the scientific project the samples are for (OPALE's rule).") in (
            submission_problems(enquiry)
        )
        enquiry.scientific_project = "MRD assay validation on 200 paired samples."
        assert submission_problems(enquiry) == []

    def test_an_entity_offers_known_partnership_kinds_only(self):
        entity = EntityFactory.build(partnership_kinds=["bilateral_rd", "time_travel"])
        with pytest.raises(ValidationError) as caught:
            entity.full_clean()
        assert caught.value.message_dict["partnership_kinds"] == ["Unknown partnership kinds: time_travel."]

    def test_a_submitted_enquiry_must_have_a_reference(self):
        enquiry = EnquiryFactory(submitted=True)
        with pytest.raises(IntegrityError), transaction.atomic():
            Enquiry.objects.filter(pk=enquiry.pk).update(reference=None)


def test_reloading_an_enquiry_keeps_its_stage_protected_for_every_thread(monkeypatch, company):
    """django-fsm's mixin switched the shared field's protection off while reloading, so a request in
    another thread could fail after its enquiry was saved (seen under gunicorn threads by the benchmark)."""
    from django.db import models

    from partners import workflow as flow

    field = Enquiry._meta.get_field("stage")
    seen = []
    original = models.Model.refresh_from_db

    def spy(self, *args, **kwargs):
        seen.append(field.protected)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(models.Model, "refresh_from_db", spy)
    enquiry = EnquiryFactory(company=company, submitted=True)
    flow.enquiry_withdraw(enquiry=Enquiry.objects.get(pk=enquiry.pk), actor=company.members.first().user, reason="No.")

    enquiry.refresh_from_db()

    assert seen and all(seen)
    assert enquiry.stage == "withdrawn"
    with pytest.raises(AttributeError):
        enquiry.stage = "draft"
