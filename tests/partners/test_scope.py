"""Who sees which enquiries: the selector every list starts from, and the object predicate, agree."""

from dataclasses import dataclass

import pytest
from django.contrib.auth.models import AnonymousUser

from partners.models import Enquiry
from partners.rules import can_view_enquiry
from partners.selectors import enquiries_visible_to

from ..factories import EnquiryFactory, RoutingFactory, UserFactory

pytestmark = pytest.mark.django_db


@dataclass
class World:
    ours_to_entity: Enquiry  # our company's, routed to the entity of entity_contact and legal_officer
    ours_elsewhere: Enquiry  # our company's, routed to another entity
    ours_draft: Enquiry  # our company's draft, routed nowhere
    theirs_to_entity: Enquiry  # the other company's, routed to the entity
    theirs_unrouted: Enquiry  # the other company's, submitted, not routed


@pytest.fixture
def world(company, other_company, entity, other_entity):
    ours_to_entity = RoutingFactory(enquiry__company=company, entity=entity).enquiry
    ours_elsewhere = RoutingFactory(enquiry__company=company, entity=other_entity).enquiry
    theirs_to_entity = RoutingFactory(enquiry__company=other_company, entity=entity).enquiry
    return World(
        ours_to_entity=ours_to_entity,
        ours_elsewhere=ours_elsewhere,
        ours_draft=EnquiryFactory(company=company),
        theirs_to_entity=theirs_to_entity,
        theirs_unrouted=EnquiryFactory(company=other_company, submitted=True),
    )


def visible(user) -> set[int]:
    return set(enquiries_visible_to(user).values_list("pk", flat=True))


def pks(*enquiries) -> set[int]:
    return {e.pk for e in enquiries}


def test_a_company_member_sees_every_enquiry_of_their_company_and_nothing_else(world, company_member):
    assert visible(company_member) == pks(world.ours_to_entity, world.ours_elsewhere, world.ours_draft)


def test_a_member_of_another_company_sees_none_of_ours(world, other_company_member):
    assert visible(other_company_member) == pks(world.theirs_to_entity, world.theirs_unrouted)


def test_an_entity_contact_sees_only_what_was_routed_to_their_entity(world, entity_contact):
    assert visible(entity_contact) == pks(world.ours_to_entity, world.theirs_to_entity)


def test_legal_staff_see_only_what_was_routed_to_entities_their_body_governs(world, legal_officer):
    assert visible(legal_officer) == pks(world.ours_to_entity, world.theirs_to_entity)


def test_the_central_team_sees_everything(world, central_user):
    assert visible(central_user) == set(Enquiry.objects.values_list("pk", flat=True))


def test_a_superuser_sees_everything(world):
    assert visible(UserFactory(is_superuser=True, is_staff=True)) == set(Enquiry.objects.values_list("pk", flat=True))


@pytest.mark.parametrize(
    "make_user",
    [
        pytest.param(lambda: AnonymousUser(), id="anonymous"),
        pytest.param(lambda: None, id="no user"),
        pytest.param(lambda: UserFactory(), id="signed-in, no role"),
        pytest.param(lambda: UserFactory(is_staff=True), id="staff without group"),
    ],
)
def test_anyone_else_sees_nothing(world, make_user):
    assert visible(make_user()) == set()


def test_a_deactivated_user_sees_nothing(world, company_member, central_user, entity_contact):
    for user in (company_member, central_user, entity_contact):
        user.is_active = False
        user.save()
        assert visible(user) == set()


def test_a_contact_in_two_entities_sees_both_without_duplicates(world, entity_contact, other_entity):
    other_entity.scientific_contacts.add(entity_contact)
    RoutingFactory(enquiry=world.ours_to_entity, entity=other_entity)  # routed to both of their entities

    rows = list(enquiries_visible_to(entity_contact).values_list("pk", flat=True))
    assert sorted(rows) == sorted(pks(world.ours_to_entity, world.ours_elsewhere, world.theirs_to_entity))


def test_the_object_rule_agrees_with_the_selector_for_every_user_and_enquiry(
    world, central_user, entity_contact, legal_officer, company_member, other_company_member
):
    users = [central_user, entity_contact, legal_officer, company_member, other_company_member, AnonymousUser()]
    for user in users:
        for enquiry in Enquiry.objects.all():
            expected = enquiry.pk in visible(user)
            assert can_view_enquiry(user, enquiry) is expected, (user, enquiry)
            if user.is_authenticated:
                assert user.has_perm("partners.view_enquiry_object", enquiry) is expected, (user, enquiry)
