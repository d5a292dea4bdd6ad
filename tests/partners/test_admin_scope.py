"""The admin, seen by scoped staff: a guessed URL outside one's scope never shows the object."""

from dataclasses import dataclass

import pytest
from django.urls import reverse

from partners.models import Enquiry

from ..factories import AttachmentFactory, MessageFactory, routed_enquiry

pytestmark = pytest.mark.django_db

INSIDE_TITLE = "Inside scope: CD33 CAR-T batches"
OUTSIDE_TITLE = "Outside scope: FLT3 inhibitor screening"


@dataclass
class Case:
    enquiry: Enquiry

    def urls(self) -> dict[str, str]:
        """Every admin page showing this enquiry or a row hanging off it."""
        enquiry = self.enquiry
        return {
            "enquiry": reverse("admin:partners_enquiry_change", args=[enquiry.pk]),
            "enquiry history": reverse("admin:partners_enquiry_history", args=[enquiry.pk]),
            "routing": reverse("admin:partners_routing_change", args=[enquiry.routings.get().pk]),
            "message": reverse("admin:partners_message_change", args=[enquiry.messages.get().pk]),
            "attachment": reverse("admin:partners_attachment_change", args=[enquiry.attachments.get().pk]),
            "stage change": reverse(
                "admin:agreements_stagechange_change", args=[enquiry.stage_changes.order_by("pk").last().pk]
            ),
        }


def make_case(*, company, entity, central_user, title) -> Case:
    enquiry = routed_enquiry(company=company, entities=[entity], actor=central_user, title=title)
    MessageFactory(enquiry=enquiry, author=central_user, body=f"About {title}")
    AttachmentFactory(enquiry=enquiry, uploaded_by=central_user)
    return Case(enquiry=enquiry)


@pytest.fixture
def inside(company, entity, central_user):
    return make_case(company=company, entity=entity, central_user=central_user, title=INSIDE_TITLE)


@pytest.fixture
def outside(other_company, other_entity, central_user):
    return make_case(company=other_company, entity=other_entity, central_user=central_user, title=OUTSIDE_TITLE)


SCOPED_STAFF = ["entity_contact", "legal_officer"]
PAGES = ["enquiry", "enquiry history", "routing", "message", "attachment", "stage change"]


@pytest.mark.parametrize("role", SCOPED_STAFF)
@pytest.mark.parametrize("page_name", PAGES)
def test_scoped_staff_open_pages_inside_their_scope(client, request, role, page_name, inside, outside):
    client.force_login(request.getfixturevalue(role))
    response = client.get(inside.urls()[page_name])
    assert response.status_code == 200
    assert INSIDE_TITLE in response.text


@pytest.mark.parametrize("role", SCOPED_STAFF)
@pytest.mark.parametrize("page_name", PAGES)
def test_scoped_staff_never_see_an_object_outside_their_scope(client, request, role, page_name, inside, outside):
    client.force_login(request.getfixturevalue(role))
    response = client.get(outside.urls()[page_name])

    # Django's admin answers a missing object with a redirect to its index and a "doesn't exist" message.
    assert response.status_code in (302, 404)
    if response.status_code == 302:
        assert response.url == reverse("admin:index")
    assert OUTSIDE_TITLE not in response.text
    followed = client.get(reverse("admin:index"))
    assert OUTSIDE_TITLE not in followed.text


@pytest.mark.parametrize("role", SCOPED_STAFF)
@pytest.mark.parametrize(
    "changelist",
    [
        "admin:partners_enquiry_changelist",
        "admin:partners_routing_changelist",
        "admin:partners_message_changelist",
        "admin:agreements_stagechange_changelist",
    ],
)
def test_scoped_lists_show_only_what_is_in_scope(client, request, role, changelist, inside, outside):
    client.force_login(request.getfixturevalue(role))
    response = client.get(reverse(changelist))
    assert response.status_code == 200
    assert inside.enquiry.reference in response.text
    assert outside.enquiry.reference not in response.text


@pytest.mark.parametrize("role", SCOPED_STAFF)
def test_scoped_staff_see_only_companies_they_deal_with(client, request, role, inside, outside):
    client.force_login(request.getfixturevalue(role))
    listing = client.get(reverse("admin:partners_company_changelist"))
    assert inside.enquiry.company.legal_name in listing.text
    assert outside.enquiry.company.legal_name not in listing.text

    page = client.get(reverse("admin:partners_company_change", args=[outside.enquiry.company.pk]))
    assert page.status_code in (302, 404)
    assert outside.enquiry.company.legal_name not in page.text


@pytest.mark.parametrize("role", SCOPED_STAFF)
def test_the_history_of_a_company_outside_scope_is_not_shown(client, request, role, inside, outside):
    client.force_login(request.getfixturevalue(role))
    company = outside.enquiry.company
    response = client.get(reverse("admin:partners_company_history", args=[company.pk]))
    assert response.status_code in (302, 404)
    assert company.legal_name not in response.text


def test_the_enquiry_count_of_a_company_is_right_for_scoped_staff(client, company, entity, legal_officer, central_user):
    for n in range(3):
        routed_enquiry(company=company, entities=[entity], actor=central_user, title=f"Count {n}")
    client.force_login(legal_officer)
    response = client.get(reverse("admin:partners_company_changelist"))
    [row] = response.context["cl"].result_list
    assert row.enquiry_total == 3


def test_the_autocomplete_of_enquiries_is_scoped(client, entity_contact, inside, outside):
    client.force_login(entity_contact)
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "partners", "model_name": "message", "field_name": "enquiry", "term": "scope"},
    )
    assert response.status_code == 200
    ids = {row["id"] for row in response.json()["results"]}
    assert ids == {str(inside.enquiry.pk)}


def test_an_entity_contact_cannot_change_the_stage_through_the_admin(client, entity_contact, inside):
    client.force_login(entity_contact)
    url = reverse("admin:partners_enquiry_change", args=[inside.enquiry.pk])
    client.post(url, {"stage": "signed", "title": "Hijacked"})
    inside.enquiry.refresh_from_db()
    assert (inside.enquiry.stage, inside.enquiry.title) == ("routed", INSIDE_TITLE)


@pytest.mark.parametrize("member", ["company_member", "other_company_member"])
def test_company_members_are_sent_to_the_admin_login(client, request, member, inside):
    client.force_login(request.getfixturevalue(member))
    for url in inside.urls().values():
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("admin:login"))
        assert INSIDE_TITLE not in response.text


def test_the_central_team_sees_both(client, central_user, inside, outside):
    client.force_login(central_user)
    for case in (inside, outside):
        for url in case.urls().values():
            assert client.get(url).status_code == 200


@pytest.mark.parametrize("role", SCOPED_STAFF)
def test_a_past_version_of_a_company_outside_scope_is_not_shown(client, request, role, inside, outside):
    client.force_login(request.getfixturevalue(role))
    company = outside.enquiry.company
    version = company.history.latest("history_date")
    response = client.get(reverse("admin:partners_company_simple_history", args=[company.pk, version.history_id]))
    assert response.status_code in (302, 404)
    assert company.legal_name not in response.text


@pytest.mark.parametrize("role", SCOPED_STAFF)
def test_scoped_staff_cannot_post_a_message_on_an_enquiry_outside_scope(client, request, role, inside, outside):
    client.force_login(request.getfixturevalue(role))
    url = reverse("admin:partners_enquiry_message", args=[outside.enquiry.pk])
    response = client.post(url, {"body": "Posted from outside", "to": "internal"})
    assert response.status_code == 404
    assert not outside.enquiry.messages.filter(body="Posted from outside").exists()


@pytest.mark.parametrize("role", SCOPED_STAFF)
def test_scoped_staff_post_messages_on_enquiries_in_scope(client, request, role, inside):
    user = request.getfixturevalue(role)
    client.force_login(user)
    url = reverse("admin:partners_enquiry_message", args=[inside.enquiry.pk])
    response = client.post(url, {"body": "Hello", "to": "internal"})
    assert response.status_code == 302
    assert inside.enquiry.messages.get(body="Hello").author == user


def test_nobody_adds_edits_or_deletes_a_message_in_the_message_list(client, central_user, inside):
    """Messages are written on the enquiry's page (which e-mails the company) and then kept as they are."""
    client.force_login(central_user)
    message = inside.enquiry.messages.create(author=central_user, body="Sent", is_internal=False)
    assert client.get(reverse("admin:partners_message_add")).status_code == 403
    client.post(reverse("admin:partners_message_change", args=[message.pk]), {"body": "Rewritten"})
    assert client.post(reverse("admin:partners_message_delete", args=[message.pk]), {"post": "yes"}).status_code == 403
    message.refresh_from_db()
    assert message.body == "Sent"
