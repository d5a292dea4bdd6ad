"""Who holds the ball on an enquiry in contracting (issue 5): the company while one of its contracts waits for it
(a draft to review, an NDA to sign, a circuit it has not signed), the governing bodies otherwise; the same on the
company's list, its enquiry page and the triage queue, in a bounded number of queries."""

from __future__ import annotations

import pytest
from django.urls import reverse

from agreements import workflow
from partners.choices import Party
from partners.models import Enquiry

from ..factories import contracting_enquiry, fill_terms, nda

pytestmark = pytest.mark.django_db


@pytest.fixture
def contracting(central_user, entity, company):
    return contracting_enquiry(entity=entity, actor=central_user, company=company, title="Menin inhibitor PDX study")


def send_nda(enquiry, entity, central_user, legal_officer):
    agreement = fill_terms(nda(enquiry=enquiry, entity=entity, actor=central_user), actor=central_user)
    workflow.agreement_start_drafting(agreement=agreement, actor=legal_officer)
    return workflow.agreement_send_to_company(agreement=agreement, actor=legal_officer)


def test_the_bodies_hold_the_ball_until_a_contract_waits_for_the_company(
    contracting, entity, central_user, legal_officer
):
    assert Enquiry.objects.get(pk=contracting.pk).ball_holder == Party.GOVERNING_BODY
    agreement = send_nda(contracting, entity, central_user, legal_officer)
    assert Enquiry.objects.get(pk=contracting.pk).ball_holder == Party.COMPANY

    workflow.agreement_request_changes(agreement=agreement, actor=central_user, comment="Make it one-way.")
    assert Enquiry.objects.get(pk=contracting.pk).ball_holder == Party.GOVERNING_BODY


def test_the_company_reads_that_the_ball_is_theirs_on_its_list_and_page(
    member, contracting, entity, central_user, legal_officer
):
    send_nda(contracting, entity, central_user, legal_officer)
    listing = member.get(reverse("partners:enquiry_list")).content.decode()
    assert "Who holds the ball: The company" in listing
    page = member.get(reverse("partners:enquiry_detail", args=[contracting.pk])).content.decode()
    assert "The governing bodies" not in page


def test_the_list_asks_once_for_all_its_contracting_enquiries(
    member, company, entity, central_user, legal_officer, django_assert_max_num_queries
):
    for n in range(6):
        enquiry = contracting_enquiry(entity=entity, actor=central_user, company=company, title=f"Study number {n}")
        if n % 2:
            send_nda(enquiry, entity, central_user, legal_officer)
    # session, user, membership, company in the header, the enquiries, then one query for their contracts
    with django_assert_max_num_queries(6):
        listing = member.get(reverse("partners:enquiry_list")).content.decode()
    assert listing.count("Who holds the ball: The company") == 3
    assert listing.count("Who holds the ball: The governing bodies") == 3


def test_the_triage_queue_shows_the_same_ball(client, contracting, entity, central_user, legal_officer):
    send_nda(contracting, entity, central_user, legal_officer)
    client.force_login(central_user)
    queue = client.get(reverse("admin:partners_enquiry_changelist") + "?stage=all").content.decode()
    row = queue[queue.index(contracting.reference) :]
    row = row[: row.index("</tr>")]
    assert "The company" in row
