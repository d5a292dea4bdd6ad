"""A service agreement expecting inventive work (issue 6): its terms page warns and offers to start a research
collaboration instead, on the enquiry's start-a-contract page pre-filled for it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from agreements import services
from agreements.choices import AgreementKind

from ..factories import contract, contracting_enquiry
from .kind_data import data_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def service(entity, company, central_user):
    enquiry = contracting_enquiry(entity=entity, actor=central_user, company=company)
    return contract(enquiry=enquiry, entity=entity, actor=central_user, kind=AgreementKind.SERVICE)


def terms_page(client, agreement) -> str:
    return client.get(reverse("admin:agreements_agreement_terms", args=[agreement.pk])).content.decode()


def test_inventive_work_offers_a_research_collaboration_instead(client, service, central_user):
    data = {**data_for(service), "inventive_work_expected": "True"}
    services.agreement_save_terms(agreement=service, actor=central_user, data=data)
    client.force_login(central_user)
    page = terms_page(client, service)
    assert "Start a research collaboration agreement instead…" in page
    start = reverse("admin:partners_enquiry_start_contract", args=[service.enquiry_id])
    assert f"{start}?kind=research_collaboration&amp;entity={service.entity_id}" in page

    form_page = client.get(f"{start}?kind=research_collaboration&entity={service.entity_id}&language=en")
    assert form_page.context["form"]["kind"].value() == "research_collaboration"
    assert form_page.context["form"]["language"].value() == "en"


def test_no_inventive_work_offers_nothing_else(client, service, central_user):
    data = {**data_for(service), "inventive_work_expected": "False"}
    services.agreement_save_terms(agreement=service, actor=central_user, data=data)
    client.force_login(central_user)
    assert "instead…" not in terms_page(client, service)
