"""Every admin page of the portal opens for the central team, in a number of queries that does not grow
with the rows shown: an N+1 (a foreign key read per row) fails these tests."""

import pytest
from django.contrib import admin
from django.urls import reverse

from agreements import workflow as contracts
from agreements.choices import AgreementKind
from agreements.models import ContractSettings, ContractTemplate
from partners import workflow
from partners.roles import CENTRAL_TEAM

from ..factories import (
    AttachmentFactory,
    CompanyMemberFactory,
    EntityFactory,
    GoverningBodyFactory,
    MessageFactory,
    RoutingRuleFactory,
    UserFactory,
    routed_enquiry,
)

pytestmark = pytest.mark.django_db

PORTAL_APPS = {"partners", "agreements"}
PORTAL_MODELS = [model for model in admin.site._registry if model._meta.app_label in PORTAL_APPS]

# Every admin page costs the same five queries before its own: the session, the user, the user's groups
# (read once per request by the role predicates of partners.rules, which the admin's app list asks through
# RoutingAdmin's change permission) and the user's and groups' permissions.
REQUEST = 5
# A changelist then counts the filtered rows, counts all rows ("3 results (30 total)"), and reads one page.
LIST = 3

CHANGELIST_QUERIES = {
    "diseasearea": REQUEST + LIST,
    "capability": REQUEST + LIST,
    "company": REQUEST + LIST,  # enquiry counts come from one annotated query
    "entity": REQUEST + LIST + 3 + 1,  # filters: disease areas, capabilities, bodies; + lead bodies prefetch
    "governingbody": REQUEST + LIST,
    "governance": REQUEST + LIST + 1,  # filter: bodies
    "enquiry": REQUEST + LIST + 3 + 1,  # filters: disease areas, entities, bodies; the page's disease areas
    "routing": REQUEST + LIST + 1,  # filter: entities
    "routingrule": REQUEST + LIST + 1,  # filter: entities
    "message": REQUEST + LIST,
    "attachment": REQUEST + LIST + 1,  # filter: the content types in use
    "agreement": REQUEST + LIST,
    "stagechange": REQUEST + LIST + 2 + 2,  # date hierarchy: bounds, days; filters: stages, transitions in use
    "contractsettings": REQUEST + 1,  # the one row (made if missing), then a redirect to its page
    "contracttemplate": REQUEST + LIST + 1,  # filter: the governing bodies
}
# Changelists that send the user straight to their one object.
REDIRECTING = {"contractsettings"}

# A change page reads its object, then what its form and inlines show: each in one query, except Django's
# inline widgets, which read their row's choices per row (one row per inline here).
CHANGE_QUERIES = {
    "diseasearea": REQUEST + 2,  # object, content type (history link)
    "capability": REQUEST + 2,
    # object with its enquiry count, member rows, content type, a member's user, the company again (the inline's
    # key), the user autocomplete's selection
    "company": REQUEST + 6,
    # object, lead body, selected disease areas, capabilities and contacts, governance rows, rule rows, content
    # type, choices of disease areas, capabilities and users; per governance row its entity, body and body
    # autocomplete; per rule row its disease area and capability choices
    "entity": REQUEST + 16,
    # object, selected legal staff, governance rows, content type, user choices; per governance row its entity,
    # body and entity autocomplete
    "governingbody": REQUEST + 8,
    "governance": REQUEST + 6,  # object, its entity and body, content type, the two autocompletes
    # object with its company, selected disease areas and capabilities, the rows of the four inlines (routings,
    # messages, files, stage changes, each with what its rows show), content type, company autocomplete,
    # submitter, disease area and capability choices; the action panel: the pending routings this user may
    # answer, and the routing suggestions (entities, their disease areas, capabilities, governance and rules, the
    # enquiry's disease areas, capabilities and routings); its contracts, and whether an entity works on it
    "enquiry": REQUEST + 12 + 10 + 2,
    "routing": REQUEST + 5,  # object, enquiry, entity, routed by, content type
    "routingrule": REQUEST + 5,  # object, content type, entity autocomplete, disease area and capability choices
    "message": REQUEST + 5,  # object, enquiry, content type, enquiry autocomplete, author
    "attachment": REQUEST + 4,  # object, content type, enquiry, uploader
    # object with its enquiry, company and entity (read again by Django's form), the same row as its stage
    # machine, its draft versions, the signature circuit (parties, signatures), the steps before signature,
    # parties, timeline, content type
    "agreement": REQUEST + 10,
    "stagechange": REQUEST + 4,  # object, content type, enquiry, actor
    "contractsettings": REQUEST + 2,  # object, content type
    "contracttemplate": REQUEST + 4,  # the version (read twice: the page, its preview state), the specimen, type
}


@pytest.fixture
def populated(central_user):
    """Thirty enquiries from thirty companies, each routed to two of three entities, with a message and a
    file each: enough rows that a query per row would show."""
    entities = [EntityFactory(lead_body=GoverningBodyFactory()) for _ in range(3)]
    for entity in entities:
        RoutingRuleFactory(entity=entity)
        entity.scientific_contacts.add(UserFactory(is_staff=True))
    for n in range(30):
        member = CompanyMemberFactory()
        enquiry = routed_enquiry(
            company=member.company, entities=entities[n % 2 : n % 2 + 2], actor=central_user, submitted=member.user
        )
        MessageFactory(enquiry=enquiry, author=member.user)
        AttachmentFactory(enquiry=enquiry, uploaded_by=member.user)
        contracts.agreement_request(enquiry=enquiry, entity=entities[n % 2], kind=AgreementKind.NDA, actor=central_user)
    return entities


def url_name(model, view: str) -> str:
    return f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}"


def test_every_portal_model_has_a_query_budget():
    assert {model._meta.model_name for model in PORTAL_MODELS} == set(CHANGELIST_QUERIES) == set(CHANGE_QUERIES)


def test_every_changelist_opens_in_a_fixed_number_of_queries(
    client, central_user, populated, django_assert_max_num_queries
):
    client.force_login(central_user)
    for model in PORTAL_MODELS:
        name = model._meta.model_name
        with django_assert_max_num_queries(CHANGELIST_QUERIES[name], info=f"{name} changelist"):
            response = client.get(reverse(url_name(model, "changelist")))
        assert response.status_code == (302 if name in REDIRECTING else 200), name


@pytest.mark.parametrize("model", PORTAL_MODELS, ids=lambda model: model._meta.model_name)
def test_every_change_page_opens_in_a_fixed_number_of_queries(
    client, central_user, model, django_assert_max_num_queries
):
    entities = [EntityFactory(lead_body=GoverningBodyFactory()) for _ in range(2)]
    RoutingRuleFactory(entity=entities[0])
    member = CompanyMemberFactory()
    enquiry = routed_enquiry(company=member.company, entities=entities, actor=central_user, submitted=member.user)
    MessageFactory(enquiry=enquiry, author=member.user)
    AttachmentFactory(enquiry=enquiry, uploaded_by=member.user)
    contracts.agreement_request(enquiry=enquiry, entity=entities[0], kind=AgreementKind.NDA, actor=central_user)
    client.force_login(central_user)
    name = model._meta.model_name
    ContractSettings.current()  # the one settings row, as any first reader makes it
    ContractTemplate.objects.create(
        body=entities[0].governances.get().body, kind="nda", language="fr", number=1, source="{% extends x %}"
    )
    obj = model._default_manager.order_by("pk").last()

    with django_assert_max_num_queries(CHANGE_QUERIES[name], info=f"{name} change page"):
        response = client.get(reverse(url_name(model, "change"), args=[obj.pk]))
    assert response.status_code == 200


def test_an_enquiry_with_a_long_history_opens_in_a_fixed_number_of_queries(
    client, central_user, django_assert_max_num_queries
):
    entities = [EntityFactory(lead_body=GoverningBodyFactory()) for _ in range(6)]
    enquiry = routed_enquiry(entities=entities, actor=central_user)
    for _ in range(6):
        colleague = UserFactory(is_staff=True, groups=[CENTRAL_TEAM])
        MessageFactory(enquiry=enquiry, author=colleague)
        AttachmentFactory(enquiry=enquiry, uploaded_by=colleague)
        # one more entity each time (an entity already routed is not routed again)
        workflow.enquiry_route(
            enquiry=enquiry, actor=colleague, entities=[EntityFactory(lead_body=GoverningBodyFactory())]
        )
    client.force_login(central_user)

    with django_assert_max_num_queries(CHANGE_QUERIES["enquiry"], info="enquiry with 6 routings, 8 stage changes"):
        response = client.get(reverse("admin:partners_enquiry_change", args=[enquiry.pk]))
    assert response.status_code == 200
    for entity in entities:
        assert entity.name in response.text


def test_the_admin_index_lists_the_portal_for_the_central_team(client, central_user):
    client.force_login(central_user)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    for model in PORTAL_MODELS:
        assert reverse(url_name(model, "changelist")) in response.text
