"""Kind-specific terms (issue 5, DOMAIN.md section 3): the NDA's and the research collaboration's forms, their
defaults and bounds from the legal team's settings, their checks, the terms saved as JSON with the contract's
dates, the transition they block while incomplete, and the admin page that edits them, by role."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, assume, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from agreements import services, workflow
from agreements.choices import AgreementKind, PartyRole
from agreements.choices import ContractStage as C
from agreements.models import Agreement, ContractSettings, StageChange
from agreements.terms import KINDS
from agreements.terms.research import ResearchTermsForm
from agreements.workflow import WorkflowError
from partners.roles import LEGAL_STAFF

from ..factories import (
    GovernanceFactory,
    GoverningBodyFactory,
    UserFactory,
    contract,
    contracting_enquiry,
    nda,
    routed_enquiry,
)

pytestmark = pytest.mark.django_db

LATER = dt.date(2030, 1, 31)  # an effective date after today: no reason needed
PURPOSE = "Evaluate the anti-CD123 antibody on primary AML samples held by the unit's biobank."


# ---- fixtures -----------------------------------------------------------------------------------------------
@pytest.fixture
def co_owner(entity):
    """A second governing body of ``entity``: a co-owning party of its contracts, with its own legal staff."""
    body = GoverningBodyFactory(name="Assistance Publique - Hôpitaux de Paris", short_name="AP-HP")
    GovernanceFactory(entity=entity, body=body)
    return body


@pytest.fixture
def co_owner_legal(co_owner):
    user = UserFactory(username="diane.drci", is_staff=True, groups=[LEGAL_STAFF])
    co_owner.legal_staff.add(user)
    return user


@pytest.fixture
def an_nda(entity, co_owner, company, central_user):
    enquiry = routed_enquiry(entities=[entity], actor=central_user, company=company)
    return nda(enquiry=enquiry, entity=entity, actor=central_user)


@pytest.fixture
def collaboration(entity, co_owner, company, central_user):
    enquiry = contracting_enquiry(entity=entity, actor=central_user, company=company)
    return contract(enquiry=enquiry, entity=entity, actor=central_user)


def nda_data(**changes) -> dict[str, str]:
    """What a drafter types in the NDA's form, complete and valid."""
    data = {
        "direction": "mutual",
        "purpose": PURPOSE,
        "effective_date": LATER.isoformat(),
        "retroactive_reason": "",
        "disclosure_months": "24",
        "survival_years": "5",
        "marking_required": "on",
        "oral_confirmation_days": "15",
    }
    return {key: value for key, value in {**data, **changes}.items() if value is not None}


def parties(agreement) -> dict[str, object]:
    """The agreement's parties by role: the company, the lead body, the co-owner."""
    return {p.role: p for p in agreement.parties.all()}


def research_data(agreement, *, shares=(Decimal(60), Decimal(30), Decimal(10)), **changes) -> dict[str, str]:
    """What a drafter types in the research collaboration's form, complete and valid (co-owned results)."""
    by_role = parties(agreement)
    ordered = [by_role[PartyRole.COMPANY], by_role[PartyRole.LEAD_NEGOTIATOR], by_role[PartyRole.CO_OWNER]]
    data = {
        "work_plan": "WP1: cytotoxicity on 40 primary AML samples. WP2: biomarker of response.",
        "deliverables": "D1: dataset (month 6). D2: final report (month 18).",
        "company_contribution": "250000.00",
        "pricing_basis": "full_cost_plus_margin",
        "effective_date": LATER.isoformat(),
        "duration_months": "18",
        "steering_committee": "Two members per party; meets every quarter; decides on the work plan.",
        "ownership": "co_owned",
        "market_price": "",
        "exploitation_field": "Treatment of acute myeloid leukemia with anti-CD123 antibodies.",
        "exclusive": "True",
        "financial_return": "Royalties of 3 % of net sales.",
        "licence_access": "option",
        "publication_review_days": "30",
        "publication_deferral_days": "90",
    }
    for party, share in zip(ordered, shares, strict=True):
        data[f"background_{party.pk}"] = f"Know-how and patents of {party} before the agreement."
        data[f"share_{party.pk}"] = str(share)
    return {key: value for key, value in {**data, **changes}.items() if value is not None}


def save(agreement, data, actor):
    return services.agreement_save_terms(agreement=agreement, actor=actor, data=data)


def errors_of(call) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        call()
    return caught.value.message_dict


def change_settings(**values) -> None:
    ContractSettings.objects.filter(pk=ContractSettings.current().pk).update(**values)


# ---- NDA: defaults and bounds from the settings ------------------------------------------------------------
NDA_DEFAULTS = [
    ("disclosure_months", "nda_disclosure_months_default", 24, 12),
    ("survival_years", "nda_survival_years_default", 5, 3),
    ("oral_confirmation_days", "nda_oral_confirmation_days_default", 15, 10),
]


@pytest.mark.parametrize(("field", "setting", "shipped", "changed"), NDA_DEFAULTS)
def test_nda_form_offers_the_defaults_the_legal_team_set(an_nda, field, setting, shipped, changed):
    assert KINDS["nda"].form(agreement=an_nda)[field].value() == shipped
    change_settings(**{setting: changed})
    assert KINDS["nda"].form(agreement=an_nda)[field].value() == changed


def test_nda_effective_date_defaults_to_today_and_marking_to_required(an_nda):
    form = KINDS["nda"].form(agreement=an_nda)
    assert form["effective_date"].value() == timezone.localdate()
    assert form["marking_required"].value() is True


NDA_BOUNDS = [
    # field, setting of the bound, its shipped value, the value it is changed to, "min" or "max"
    ("disclosure_months", "nda_disclosure_months_min", 1, 6, "min"),
    ("disclosure_months", "nda_disclosure_months_max", 60, 36, "max"),
    ("survival_years", "nda_survival_years_min", 1, 2, "min"),
    ("survival_years", "nda_survival_years_max", 15, 8, "max"),
]


@pytest.mark.parametrize(("field", "setting", "shipped", "changed", "side"), NDA_BOUNDS)
def test_nda_bounds_come_from_the_settings(an_nda, central_user, field, setting, shipped, changed, side):
    beyond = 1 if side == "max" else -1
    save(an_nda, nda_data(**{field: str(shipped)}), central_user)  # the bound itself is allowed
    assert field in errors_of(lambda: save(an_nda, nda_data(**{field: str(shipped + beyond)}), central_user))

    change_settings(**{setting: changed})
    save(an_nda, nda_data(**{field: str(changed)}), central_user)
    message = errors_of(lambda: save(an_nda, nda_data(**{field: str(changed + beyond)}), central_user))[field]
    assert str(changed) in message[0]
    assert str(changed) in KINDS["nda"].form(agreement=an_nda).fields[field].help_text


def test_oral_confirmation_takes_at_least_a_day(an_nda, central_user):
    assert "oral_confirmation_days" in errors_of(
        lambda: save(an_nda, nda_data(oral_confirmation_days="0"), central_user)
    )


def test_nda_purpose_must_be_precise(an_nda, central_user):
    errors = errors_of(lambda: save(an_nda, nda_data(purpose="Discussions"), central_user))
    assert "precisely" in errors["purpose"][0]
    assert "required" in errors_of(lambda: save(an_nda, nda_data(purpose=""), central_user))["purpose"][0]


# ---- NDA: survival warning, retroactive date, dates --------------------------------------------------------
def test_survival_above_the_threshold_warns_without_refusing(an_nda, central_user):
    form = KINDS["nda"].form(nda_data(survival_years="11"), agreement=an_nda)
    assert form.is_valid()
    assert "11 years" in form.warnings[0]
    assert KINDS["nda"].form(nda_data(survival_years="10"), agreement=an_nda).warnings == []
    assert save(an_nda, nda_data(survival_years="11"), central_user).terms["survival_years"] == 11

    change_settings(nda_survival_years_warning=6)
    assert KINDS["nda"].form(nda_data(survival_years="7"), agreement=an_nda).warnings


def test_retroactive_effective_date_needs_a_reason(an_nda, central_user):
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    errors = errors_of(lambda: save(an_nda, nda_data(effective_date=yesterday), central_user))
    assert "earlier than today" in errors["retroactive_reason"][0]

    reason = "Slides on the antibody were shown at the kick-off meeting."
    saved = save(an_nda, nda_data(effective_date=yesterday, retroactive_reason=reason), central_user)
    assert saved.terms["retroactive_reason"] == reason
    today = timezone.localdate().isoformat()
    assert save(an_nda, nda_data(effective_date=today), central_user).terms["retroactive_reason"] == ""


def test_nda_ends_when_the_disclosure_period_does(an_nda, central_user):
    saved = save(an_nda, nda_data(effective_date="2030-01-31", disclosure_months="1"), central_user)
    saved.refresh_from_db()
    assert (saved.starts_on, saved.ends_on) == (dt.date(2030, 1, 31), dt.date(2030, 2, 28))
    saved = save(an_nda, nda_data(effective_date="2030-03-15", disclosure_months="24"), central_user)
    assert (saved.starts_on, saved.ends_on) == (dt.date(2030, 3, 15), dt.date(2032, 3, 15))


# ---- research collaboration -----------------------------------------------------------------------------------
def test_research_form_has_a_background_and_a_share_per_party(collaboration):
    form = KINDS["research_collaboration"].form(agreement=collaboration)
    labels = [str(form.fields[name].label) for name in form.field_names() if name.startswith("background_")]
    assert labels == [
        "Background of Leukos Therapeutics SAS (the company)",
        "Background of UPCité (lead negotiator)",
        "Background of AP-HP (co-owner)",
    ]
    assert len([name for name in form.field_names() if name.startswith("share_")]) == 3


@pytest.mark.parametrize("amount", ["0", "0.00", "-100"])
def test_company_contribution_must_be_above_zero(collaboration, central_user, amount):
    errors = errors_of(
        lambda: save(collaboration, research_data(collaboration, company_contribution=amount), central_user)
    )
    assert "above zero" in errors["company_contribution"][0]


def test_smallest_contribution_is_accepted(collaboration, central_user):
    saved = save(collaboration, research_data(collaboration, company_contribution="0.01"), central_user)
    assert saved.terms["company_contribution"] == "0.01"


def test_shares_must_add_up_to_exactly_100(collaboration, central_user):
    data = research_data(collaboration, shares=(Decimal(50), Decimal("49.99"), Decimal(0)))
    errors = errors_of(lambda: save(collaboration, data, central_user))
    assert "99.99 %" in errors["__all__"][0]
    assert "exactly 100 %" in errors["__all__"][0]
    lead = parties(collaboration)[PartyRole.LEAD_NEGOTIATOR]
    errors = errors_of(
        lambda: save(collaboration, research_data(collaboration, **{f"share_{lead.pk}": ""}), central_user)
    )
    assert errors[f"share_{lead.pk}"] == ["Enter this party's share."]


# A split of 100 % between the three parties, in hundredths of a percent.
splits = (
    st.lists(st.integers(min_value=0, max_value=10000), min_size=2, max_size=2)
    .filter(lambda cents: sum(cents) <= 10000)
    .map(lambda cents: [*cents, 10000 - sum(cents)])
    .flatmap(st.permutations)
)


def as_percent(cents: list[int]) -> list[Decimal]:
    return [Decimal(c) / 100 for c in cents]


@hypothesis_settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cents=splits)
def test_any_split_adding_to_100_is_accepted(collaboration, cents):
    form = ResearchTermsForm(research_data(collaboration, shares=as_percent(cents)), agreement=collaboration)
    assert form.is_valid(), form.errors


@hypothesis_settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cents=splits, which=st.integers(min_value=0, max_value=2), off_by=st.integers(min_value=-10000, max_value=10000))
def test_any_split_not_adding_to_100_is_refused(collaboration, cents, which, off_by):
    changed = cents[which] + off_by
    assume(off_by != 0 and 0 <= changed <= 10000)  # a share outside 0 to 100 % has its own message
    cents = [*cents[:which], changed, *cents[which + 1 :]]
    form = ResearchTermsForm(research_data(collaboration, shares=as_percent(cents)), agreement=collaboration)
    assert not form.is_valid()
    assert "must add up to exactly 100 %" in form.non_field_errors()[0]


def test_company_owned_results_need_a_market_price(collaboration, central_user):
    owned = research_data(collaboration, ownership="company")
    errors = errors_of(lambda: save(collaboration, owned, central_user))
    assert "market-equivalent price" in errors["market_price"][0]
    assert "market_price" in errors_of(lambda: save(collaboration, {**owned, "market_price": "0"}, central_user))

    saved = save(collaboration, {**owned, "market_price": "1200000.50"}, central_user)
    assert saved.terms["market_price"] == "1200000.50"
    assert "share" not in saved.terms  # shares apply to co-owned results only


def test_academic_ownership_needs_neither_shares_nor_price(collaboration, central_user):
    saved = save(collaboration, research_data(collaboration, ownership="academic", market_price="5"), central_user)
    assert saved.terms["ownership"] == "academic"
    assert "share" not in saved.terms and "market_price" not in saved.terms


def test_free_academic_use_is_always_granted(collaboration, central_user):
    form = KINDS["research_collaboration"].form(agreement=collaboration)
    assert form.fields["free_academic_use"].disabled
    saved = save(collaboration, {**research_data(collaboration), "free_academic_use": ""}, central_user)
    assert saved.terms["free_academic_use"] is True


def test_research_duration_bound_and_end_date(collaboration, central_user):
    too_long = research_data(collaboration, duration_months="121")
    assert "duration_months" in errors_of(lambda: save(collaboration, too_long, central_user))
    saved = save(collaboration, research_data(collaboration, duration_months="120"), central_user)
    assert (saved.starts_on, saved.ends_on) == (LATER, dt.date(2040, 1, 31))

    change_settings(collaboration_months_max=36)
    errors = errors_of(lambda: save(collaboration, research_data(collaboration, duration_months="37"), central_user))
    assert "36" in errors["duration_months"][0]
    saved = save(collaboration, research_data(collaboration, duration_months="36"), central_user)
    assert saved.ends_on == dt.date(2033, 1, 31)


@pytest.mark.parametrize(
    ("field", "setting", "shipped", "changed"),
    [
        ("publication_review_days", "publication_review_days_default", 30, 45),
        ("publication_deferral_days", "publication_deferral_days_default", 90, 120),
    ],
)
def test_publication_periods_default_from_the_settings(collaboration, field, setting, shipped, changed):
    assert KINDS["research_collaboration"].form(agreement=collaboration)[field].value() == shipped
    change_settings(**{setting: changed})
    assert KINDS["research_collaboration"].form(agreement=collaboration)[field].value() == changed


# ---- stored as JSON, and back ----------------------------------------------------------------------------------
def test_terms_round_trip_through_json(collaboration, central_user):
    data = research_data(collaboration, shares=(Decimal("33.34"), Decimal("33.33"), Decimal("33.33")))
    saved = save(collaboration, data, central_user)
    stored = Agreement.objects.get(pk=saved.pk).terms
    assert json.loads(json.dumps(stored)) == stored
    assert stored["effective_date"] == "2030-01-31"
    assert stored["company_contribution"] == "250000.00"
    lead = parties(collaboration)[PartyRole.LEAD_NEGOTIATOR]
    assert stored["share"][str(lead.pk)] == "33.33"
    assert stored["exclusive"] is True

    form = ResearchTermsForm(agreement=Agreement.objects.get(pk=saved.pk))
    assert form.initial["effective_date"] == LATER
    assert form.initial["company_contribution"] == Decimal("250000.00")
    assert form.initial[f"share_{lead.pk}"] == Decimal("33.33")
    # the page shows the saved values; sent back unchanged, they give the same terms
    again = {name: form[name].value() for name in form.field_names()}
    resubmitted = ResearchTermsForm({k: "" if v is None else str(v) for k, v in again.items()}, agreement=saved)
    assert resubmitted.is_valid(), resubmitted.errors
    assert resubmitted.to_terms() == stored


def test_nda_terms_round_trip_through_json(an_nda, central_user):
    saved = save(an_nda, nda_data(marking_required=None), central_user)  # an unticked box is not sent
    stored = Agreement.objects.get(pk=saved.pk).terms
    assert stored == {
        "direction": "mutual",
        "purpose": PURPOSE,
        "effective_date": "2030-01-31",
        "retroactive_reason": "",
        "disclosure_months": 24,
        "survival_years": 5,
        "marking_required": False,
        "oral_confirmation_days": 15,
    }
    form = KINDS["nda"].form(agreement=saved)
    assert form["effective_date"].value() == LATER
    assert form["marking_required"].value() is False


# ---- the service: who, when, and nothing in the audit trail --------------------------------------------------
def test_saving_terms_writes_no_stage_change(an_nda, legal_officer):
    before = StageChange.objects.count()
    saved = save(an_nda, nda_data(), legal_officer)
    assert saved.terms["purpose"] == PURPOSE
    assert StageChange.objects.count() == before


def test_only_drafters_save_terms(an_nda, co_owner_legal, company_member, entity_contact):
    for user in (co_owner_legal, company_member, entity_contact):
        with pytest.raises(PermissionDenied):
            save(an_nda, nda_data(), user)
    assert Agreement.objects.get(pk=an_nda.pk).terms == {}


def test_terms_are_frozen_once_sent_to_the_company(an_nda, central_user, company_member):
    save(an_nda, nda_data(), central_user)
    workflow.agreement_start_drafting(agreement=an_nda, actor=central_user)
    workflow.agreement_send_to_company(agreement=an_nda, actor=central_user)
    with pytest.raises(WorkflowError, match="can no longer change"):
        save(an_nda, nda_data(purpose=PURPOSE + " And the cell lines."), central_user)
    workflow.agreement_request_changes(agreement=an_nda, actor=company_member, comment="Add the cell lines.")
    assert (
        "cell lines" in save(an_nda, nda_data(purpose=PURPOSE + " And the cell lines."), central_user).terms["purpose"]
    )
    workflow.agreement_send_to_company(agreement=an_nda, actor=central_user)
    workflow.agreement_agree(agreement=an_nda, actor=company_member)
    with pytest.raises(WorkflowError, match="can no longer change"):
        save(an_nda, nda_data(), central_user)


def test_every_kind_has_its_terms_and_templates_in_both_languages():
    assert set(KINDS) == set(AgreementKind.values)
    for kind, spec in KINDS.items():
        for language in ("fr", "en"):
            get_template(f"agreements/pdf/{spec.template}_{language}.html")  # raises if it is missing
        assert spec.form.fieldsets, kind


def test_a_kind_left_out_of_the_registry_cannot_have_terms_saved(entity, co_owner, company, central_user, monkeypatch):
    enquiry = contracting_enquiry(entity=entity, actor=central_user, company=company)
    service = contract(enquiry=enquiry, entity=entity, actor=central_user, kind=AgreementKind.SERVICE)
    monkeypatch.delitem(KINDS, AgreementKind.SERVICE)
    with pytest.raises(WorkflowError, match="not available yet"):
        save(service, {}, central_user)


# ---- missing terms block sending -----------------------------------------------------------------------------
def test_missing_nda_terms_block_sending_with_their_names(an_nda, central_user):
    workflow.agreement_start_drafting(agreement=an_nda, actor=central_user)
    with pytest.raises(ValidationError) as caught:
        workflow.agreement_send_to_company(agreement=an_nda, actor=central_user)
    message = caught.value.messages[0]
    for label in ("Direction", "Purpose of the disclosure", "Effective date", "Disclosure period (months)"):
        assert label in message
    assert "Reason for a retroactive" not in message
    assert Agreement.objects.get(pk=an_nda.pk).stage == C.DRAFTING

    save(an_nda, nda_data(), central_user)
    assert workflow.agreement_send_to_company(agreement=an_nda, actor=central_user).stage == C.SENT_FOR_REVIEW


def test_an_effective_date_now_past_needs_its_reason_before_sending(an_nda, central_user):
    """Terms saved weeks ago with that day's date: the date is now retroactive, and the text must say why."""
    save(an_nda, nda_data(), central_user)
    last_month = (timezone.localdate() - dt.timedelta(days=30)).isoformat()
    Agreement.objects.filter(pk=an_nda.pk).update(terms={**an_nda.terms, "effective_date": last_month})
    workflow.agreement_start_drafting(agreement=an_nda, actor=central_user)
    with pytest.raises(ValidationError, match="Reason for a retroactive effective date"):
        workflow.agreement_send_to_company(agreement=an_nda, actor=central_user)


def test_missing_research_terms_block_sending_with_their_names(collaboration, central_user, co_owner):
    workflow.agreement_start_drafting(agreement=collaboration, actor=central_user)
    workflow.agreement_submit_for_internal_review(agreement=collaboration, actor=central_user)
    data = research_data(collaboration, ownership="company", market_price="900000")
    save(collaboration, data, central_user)
    co_owning = parties(collaboration)[PartyRole.CO_OWNER]
    terms = Agreement.objects.get(pk=collaboration.pk).terms
    del terms["background"][str(co_owning.pk)], terms["market_price"], terms["steering_committee"]
    Agreement.objects.filter(pk=collaboration.pk).update(terms=terms)

    with pytest.raises(ValidationError) as caught:
        workflow.agreement_send_to_company(agreement=collaboration, actor=central_user)
    message = caught.value.messages[0]
    assert "Steering committee" in message
    assert "Background of AP-HP" in message
    assert "Market-equivalent price of the results" in message
    assert "Work plan" not in message
    assert Agreement.objects.get(pk=collaboration.pk).stage == C.INTERNAL_REVIEW

    save(collaboration, data, central_user)
    assert workflow.agreement_send_to_company(agreement=collaboration, actor=central_user).stage == C.SENT_TO_COMPANY


def test_a_kind_left_out_of_the_registry_is_not_sent(entity, co_owner, company, central_user, monkeypatch):
    enquiry = contracting_enquiry(entity=entity, actor=central_user, company=company)
    service = contract(enquiry=enquiry, entity=entity, actor=central_user, kind=AgreementKind.SERVICE)
    monkeypatch.delitem(KINDS, AgreementKind.SERVICE)
    workflow.agreement_start_drafting(agreement=service, actor=central_user)
    workflow.agreement_submit_for_internal_review(agreement=service, actor=central_user)
    with pytest.raises(ValidationError, match="terms for this kind of contract are not available yet"):
        workflow.agreement_send_to_company(agreement=service, actor=central_user)


# ---- the admin page ---------------------------------------------------------------------------------------------
def terms_url(agreement) -> str:
    return reverse("admin:agreements_agreement_terms", args=[agreement.pk])


def change_url(agreement) -> str:
    return reverse("admin:agreements_agreement_change", args=[agreement.pk])


@pytest.mark.parametrize("role", ["central_user", "legal_officer"])
def test_drafters_edit_the_terms_from_the_contract_page(client, request, an_nda, role):
    client.force_login(request.getfixturevalue(role))
    page = client.get(change_url(an_nda)).content.decode()
    assert terms_url(an_nda) in page
    assert "No terms entered yet." in page

    form_page = client.get(terms_url(an_nda)).content.decode()
    for heading in ("Parties and purpose", "Duration", "Confidential information"):
        assert f"<h2>{heading}</h2>" in form_page
    assert "From 1 to 60. Usually 24." in form_page

    response = client.post(terms_url(an_nda), nda_data())
    assert response.status_code == 302 and response.url == change_url(an_nda)
    assert Agreement.objects.get(pk=an_nda.pk).terms["purpose"] == PURPOSE
    page = client.get(change_url(an_nda)).content.decode()
    assert "<dt>Purpose of the disclosure</dt><dd>" + PURPOSE.replace("'", "&#x27;") in page
    assert "<dt>Direction</dt><dd>Mutual</dd>" in page
    assert "<dt>Marking required</dt><dd>Yes</dd>" in page


def test_the_page_shows_errors_and_keeps_what_was_typed(client, legal_officer, an_nda):
    client.force_login(legal_officer)
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    response = client.post(terms_url(an_nda), nda_data(effective_date=yesterday, survival_years="12"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "say why the NDA covers the time before" in page
    assert "Obligations surviving 12 years" in page  # the warning, beside the error
    assert PURPOSE.replace("'", "&#x27;") in page
    assert Agreement.objects.get(pk=an_nda.pk).terms == {}


def test_the_survival_warning_follows_the_saved_terms(client, legal_officer, an_nda):
    client.force_login(legal_officer)
    response = client.post(terms_url(an_nda), nda_data(survival_years="12"), follow=True)
    assert "Obligations surviving 12 years" in response.content.decode()  # a warning message on the contract page
    assert "Obligations surviving 12 years" in client.get(terms_url(an_nda)).content.decode()


def test_research_terms_page_saves_and_lists_them(client, legal_officer, collaboration):
    client.force_login(legal_officer)
    page = client.get(terms_url(collaboration)).content.decode()
    assert "Background of AP-HP (co-owner)" in page
    assert "Free academic use for research and teaching" in page
    assert client.post(terms_url(collaboration), research_data(collaboration)).status_code == 302
    page = client.get(change_url(collaboration)).content.decode()
    assert "<dt>Company&#x27;s financial contribution (euros)</dt><dd>250,000.00</dd>" in page
    assert "<dt>Ownership of the results</dt><dd>Co-owned, in proportion to each party&#x27;s contribution</dd>" in page
    assert "<dt>Share of AP-HP (co-owner) (%)</dt><dd>10.00</dd>" in page


@pytest.mark.parametrize("role", ["co_owner_legal", "entity_contact"])
def test_staff_who_do_not_draft_are_refused(client, request, an_nda, role):
    client.force_login(request.getfixturevalue(role))
    assert client.get(change_url(an_nda)).status_code == 200  # they see the contract…
    assert terms_url(an_nda) not in client.get(change_url(an_nda)).content.decode()
    assert client.get(terms_url(an_nda)).status_code == 403  # …not its terms form
    assert client.post(terms_url(an_nda), nda_data()).status_code == 403
    assert Agreement.objects.get(pk=an_nda.pk).terms == {}


def test_company_members_never_reach_the_admin_page(member, an_nda):
    response = member.post(terms_url(an_nda), nda_data())
    assert response.status_code == 302 and reverse("admin:login") in response.url
    assert Agreement.objects.get(pk=an_nda.pk).terms == {}


def test_legal_staff_of_another_body_find_nothing(client, other_entity, an_nda):
    outsider = UserFactory(username="ugo.unrelated", is_staff=True, groups=[LEGAL_STAFF])
    other_entity.governances.get().body.legal_staff.add(outsider)
    client.force_login(outsider)
    assert client.get(terms_url(an_nda)).status_code == 404


def test_the_page_is_closed_once_the_text_went_to_the_company(client, central_user, an_nda):
    save(an_nda, nda_data(), central_user)
    workflow.agreement_start_drafting(agreement=an_nda, actor=central_user)
    workflow.agreement_send_to_company(agreement=an_nda, actor=central_user)
    client.force_login(central_user)
    assert terms_url(an_nda) not in client.get(change_url(an_nda)).content.decode()
    response = client.post(terms_url(an_nda), nda_data(purpose=PURPOSE + " Changed."), follow=True)
    assert "its terms can no longer change" in response.content.decode()
    assert Agreement.objects.get(pk=an_nda.pk).terms["purpose"] == PURPOSE


def test_a_missing_term_is_named_on_the_contract_page_when_sending(client, central_user, an_nda):
    workflow.agreement_start_drafting(agreement=an_nda, actor=central_user)
    client.force_login(central_user)
    step = reverse("admin:agreements_agreement_step", args=[an_nda.pk, "send_for_review"])
    response = client.post(step, follow=True)
    page = response.content.decode()
    assert "cannot go to the company" in page and "Purpose of the disclosure" in page
    assert Agreement.objects.get(pk=an_nda.pk).stage == C.DRAFTING
