"""Edges of the quality dashboard found in review: a body added to an entity later, a contract left open by a
withdrawn enquiry, an answer about another entity's contract, a year 9999, a control character in a name."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from agreements.selectors import agreements_visible_to
from partners import workflow as enquiries
from partners.roles import LEGAL_STAFF
from quality import clocks, exports
from quality.dashboard import Filters, figures
from quality.models import SurveyAnswer, SurveyEvent, SurveyInvitation, token_digest

from ..factories import CompanyFactory, GovernanceFactory, GoverningBodyFactory, UserFactory, nda, routed_enquiry

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("quality:dashboard")
EVERYTHING = Filters(start=dt.date(2020, 1, 1), end=dt.date(2035, 12, 31))
WIDE = {"start": "2020-01-01", "end": "2035-12-31"}


def csv_rows(response) -> list[dict]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def xlsx_sheets(response) -> list[list]:
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return [list(row) for sheet in workbook.worksheets for row in sheet.iter_rows(values_only=True)]


# ---- 1. confidentiality -------------------------------------------------------------------------------------------
def test_a_body_added_to_an_entity_later_does_not_read_its_earlier_contracts(client, central_user, entity):
    enquiry = routed_enquiry(entities=[entity], actor=central_user, company=CompanyFactory(legal_name="Secret SAS"))
    agreement = nda(enquiry=enquiry, entity=entity, actor=central_user)
    clocks.refresh([enquiry.pk])
    # later, in the admin (Entity > governing bodies inline), a new co-owner joins the entity
    newcomer = GoverningBodyFactory(short_name="NEWB")
    GovernanceFactory(entity=entity, body=newcomer)
    newcomer_legal = UserFactory(username="nina.legal", is_staff=True, groups=[LEGAL_STAFF])
    newcomer.legal_staff.add(newcomer_legal)
    assert agreement not in agreements_visible_to(newcomer_legal)  # the portal: not a party, not theirs

    client.force_login(newcomer_legal)
    exported = csv_rows(client.get(reverse("quality:export", args=["contracts", "csv"]), WIDE))
    waiting = [row["agreement"] for row in figures(newcomer_legal, EVERYTHING).waiting_now]
    page = client.get(DASHBOARD).content.decode()

    assert agreement.reference not in {row["Contract"] for row in exported}
    assert agreement not in waiting
    assert agreement.reference not in page


# ---- 3. numbers ---------------------------------------------------------------------------------------------------
def test_an_answer_about_an_entity_s_nda_counts_for_that_entity(client, central_user, entity, other_entity):
    enquiry = routed_enquiry(entities=[entity, other_entity], actor=central_user)
    for accepting in (entity, other_entity):  # both take it on, ``entity`` first
        routing = enquiry.routings.get(entity=accepting)
        enquiries.enquiry_answer_routing(routing=routing, actor=central_user, accept=True)
    lyon_nda = nda(enquiry=enquiry, entity=other_entity, actor=central_user)
    clocks.refresh([enquiry.pk])
    invitation = SurveyInvitation.objects.create(
        enquiry=enquiry,
        contract=lyon_nda,
        event=SurveyEvent.NDA_IN_FORCE,
        email="claire.martin@example.com",
        language="en",
        token_sha256=token_digest("lyon-nda"),
    )
    SurveyAnswer.objects.create(invitation=invitation, recommendation=2, responsiveness=1, clarity=1, expertise_fit=1)

    def answers_for(which) -> int:
        filters = Filters(start=EVERYTHING.start, end=EVERYTHING.end, entity=which)
        return sum(row["count"] for row in figures(central_user, filters).satisfaction)

    client.force_login(central_user)
    admin = client.get(reverse("admin:quality_surveyanswer_changelist"), {"entity": other_entity.pk})
    assert admin.context["cl"].result_count == 1  # the admin says: an answer about Lyon's NDA
    assert (answers_for(other_entity), answers_for(entity)) == (1, 0)


def test_a_withdrawn_enquiry_s_contract_is_not_among_those_waiting(central_user, entity, company, company_member):
    enquiry = routed_enquiry(entities=[entity], actor=central_user, company=company)
    agreement = nda(enquiry=enquiry, entity=entity, actor=central_user)
    enquiries.enquiry_withdraw(enquiry=enquiry, actor=company_member, reason="No budget this year.")
    clocks.refresh([enquiry.pk])

    assert agreement not in [row["agreement"] for row in figures(central_user, EVERYTHING).waiting_now]


# ---- 4, 5. failure paths ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("url", [DASHBOARD, reverse("quality:export", args=["figures", "csv"])])
def test_a_period_ending_in_year_9999_is_no_server_error(client, central_user, url):
    client.raise_request_exception = False
    client.force_login(central_user)

    response = client.get(url, {"start": "2026-01-01", "end": "9999-12-31"})

    assert response.status_code in (200, 302)


def test_a_company_name_with_a_control_character_still_exports_to_xlsx(central_user, entity):
    enquiry = routed_enquiry(entities=[entity], actor=central_user, company=CompanyFactory(legal_name="Acme\x0bLabs"))
    clocks.refresh([enquiry.pk])
    # What the view ``quality:export enquiries xlsx`` does (through the view it is a 500). Called here so that the
    # rows' server-side cursor (PostgreSQL) is closed inside this test, whatever the writer raised.
    headers, rows = exports.enquiry_rows(central_user, EVERYTHING)
    try:
        response = exports.xlsx_response("enquiries", [("Enquiries", headers, rows)])
    finally:
        rows.close()

    _headers, row = xlsx_sheets(response)
    assert row[1].startswith("Acme")


# ---- filters that are not all there ---------------------------------------------------------------------------------
def test_a_parameter_that_is_no_filter_leaves_the_default_period(client, central_user):
    client.force_login(central_user)
    page = client.get(DASHBOARD, {"refresh": "1"})  # a cache buster, a bookmark's tracking parameter
    assert page.status_code == 200
    assert not page.context["form"].errors
    assert page.context["filters"] == Filters.default()


def test_an_entity_alone_keeps_the_default_period(client, central_user, entity):
    client.force_login(central_user)
    page = client.get(DASHBOARD, {"entity": entity.pk})
    default = Filters.default()
    assert not page.context["form"].errors
    assert (page.context["filters"].start, page.context["filters"].end) == (default.start, default.end)
    assert page.context["filters"].entity == entity


# ---- reference data changing under the figures ----------------------------------------------------------------------
def test_a_renamed_entity_is_read_again_not_from_the_cache(central_user, entity):
    enquiry = routed_enquiry(entities=[entity], actor=central_user)
    clocks.refresh([enquiry.pk])
    assert [row["entity__name"] for row in figures(central_user, EVERYTHING).by_entity] == [entity.name]

    entity.name = "Unité renommée"
    entity.save()

    assert [row["entity__name"] for row in figures(central_user, EVERYTHING).by_entity] == ["Unité renommée"]


def test_a_new_lead_negotiator_takes_over_the_entity_s_enquiries(
    central_user, entity, django_capture_on_commit_callbacks
):
    enquiry = routed_enquiry(entities=[entity], actor=central_user)
    clocks.refresh([enquiry.pk])
    lead = entity.governances.get(is_lead_negotiator=True)
    newcomer = GoverningBodyFactory(short_name="NEWLEAD")

    with django_capture_on_commit_callbacks(execute=True):
        lead.is_lead_negotiator = False
        lead.save()
        GovernanceFactory(entity=entity, body=newcomer, is_lead_negotiator=True)

    assert enquiry.clock.__class__.objects.get(pk=enquiry.pk).body == newcomer
