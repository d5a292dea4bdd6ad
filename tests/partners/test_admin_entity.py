"""The entity page of the admin holds "exactly one lead negotiator and one IP agent" among its bodies."""

import pytest
from django.urls import reverse

from partners.choices import EntityKind
from partners.models import Entity, Governance

from ..factories import GovernanceFactory, GoverningBodyFactory

pytestmark = pytest.mark.django_db

LEAD_MESSAGE = "An entity needs exactly one lead negotiator among its governing bodies (ticked now: {})."
IP_MESSAGE = "An entity needs exactly one IP agent (mandataire unique) among its governing bodies (ticked now: {})."


def entity_form(name: str, rows: list[dict], *, entity: Entity | None = None) -> dict:
    """The POST of the entity add/change page with its two inlines (governance, routing rules)."""
    data = {
        "name": name,
        "code": "U1170",
        "kind": EntityKind.RESEARCH_UNIT,
        "city": "Villejuif",
        "profile": "Normal and pathological haematopoiesis.",
        "partnership_kinds": '["bilateral_rd"]',
        "contact_email": "",
        "is_active": "on",
        "governances-TOTAL_FORMS": str(len(rows)),
        "governances-INITIAL_FORMS": str(sum(1 for row in rows if row.get("id"))),
        "governances-MIN_NUM_FORMS": "0",
        "governances-MAX_NUM_FORMS": "1000",
        "routing_rules-TOTAL_FORMS": "0",
        "routing_rules-INITIAL_FORMS": "0",
        "routing_rules-MIN_NUM_FORMS": "0",
        "routing_rules-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        for key, value in row.items():
            if value is True:
                data[f"governances-{i}-{key}"] = "on"
            elif value not in (False, None):
                data[f"governances-{i}-{key}"] = str(value)
        if entity is not None:
            data[f"governances-{i}-entity"] = str(entity.pk)
    return data


@pytest.fixture
def bodies(db):
    return GoverningBodyFactory(short_name="Inserm"), GoverningBodyFactory(short_name="UPSaclay")


@pytest.fixture
def admin_client(client, central_user):
    client.force_login(central_user)
    return client


@pytest.mark.parametrize(
    ("lead_flags", "message"),
    [
        pytest.param((False, False), LEAD_MESSAGE.format(0), id="no lead negotiator"),
        pytest.param((True, True), LEAD_MESSAGE.format(2), id="two lead negotiators"),
    ],
)
def test_adding_an_entity_needs_exactly_one_lead_negotiator(admin_client, bodies, lead_flags, message):
    rows = [
        {"body": body.pk, "is_lead_negotiator": lead, "is_ip_agent": i == 0}
        for i, (body, lead) in enumerate(zip(bodies, lead_flags, strict=True))
    ]
    response = admin_client.post(reverse("admin:partners_entity_add"), entity_form("Gustave Roussy U1170", rows))

    assert response.status_code == 200  # the form again, with the error
    assert message in response.text
    assert not Entity.objects.filter(name="Gustave Roussy U1170").exists()


def test_two_ip_agents_are_refused_too(admin_client, bodies):
    rows = [{"body": body.pk, "is_lead_negotiator": i == 0, "is_ip_agent": True} for i, body in enumerate(bodies)]
    response = admin_client.post(reverse("admin:partners_entity_add"), entity_form("Gustave Roussy U1170", rows))
    assert IP_MESSAGE.format(2) in response.text
    assert not Entity.objects.filter(name="Gustave Roussy U1170").exists()


def test_one_lead_negotiator_and_one_ip_agent_are_saved(admin_client, bodies):
    inserm, saclay = bodies
    rows = [
        {"body": inserm.pk, "is_lead_negotiator": True, "is_ip_agent": True, "is_managing_body": True},
        {"body": saclay.pk, "is_host_body": True},
    ]
    response = admin_client.post(reverse("admin:partners_entity_add"), entity_form("Gustave Roussy U1170", rows))

    assert response.status_code == 302, response.context and response.context["errors"]
    entity = Entity.objects.get(name="Gustave Roussy U1170")
    assert entity.lead_body == inserm
    assert set(Governance.objects.filter(entity=entity).values_list("body__short_name", "is_host_body")) == {
        ("Inserm", False),
        ("UPSaclay", True),
    }


def test_moving_the_lead_to_another_body_on_the_change_page(admin_client, bodies):
    inserm, saclay = bodies
    first = GovernanceFactory(body=inserm, is_lead_negotiator=True, is_ip_agent=True)
    second = GovernanceFactory(entity=first.entity, body=saclay)
    entity = first.entity
    url = reverse("admin:partners_entity_change", args=[entity.pk])

    # Both ticked for a moment: refused with the message, nothing changes.
    rows = [
        {"id": first.pk, "body": inserm.pk, "is_lead_negotiator": True, "is_ip_agent": True},
        {"id": second.pk, "body": saclay.pk, "is_lead_negotiator": True},
    ]
    response = admin_client.post(url, entity_form(entity.name, rows, entity=entity))
    assert LEAD_MESSAGE.format(2) in response.text
    assert entity.lead_body == inserm

    # Moved in one save: the formset saves the rows in order, the database never holds two leads.
    rows = [
        {"id": first.pk, "body": inserm.pk, "is_ip_agent": True},
        {"id": second.pk, "body": saclay.pk, "is_lead_negotiator": True},
    ]
    response = admin_client.post(url, entity_form(entity.name, rows, entity=entity))
    assert response.status_code == 302
    assert Entity.objects.get(pk=entity.pk).lead_body == saclay


def test_an_entity_without_any_body_yet_may_be_saved(admin_client):
    """Reference data is entered step by step: the rule bites once bodies are listed."""
    response = admin_client.post(reverse("admin:partners_entity_add"), entity_form("New platform", []))
    assert response.status_code == 302
    assert Entity.objects.filter(name="New platform").exists()
