"""The consortium and framework agreements' terms (issue 6): what a drafter enters saves and dates the contract,
each rule refuses with its message, a missing term stops the text going to the company, the programme's signature
deadline (ANR: 12 months after the start; Horizon Europe, the EU Cancer Mission, the ERC: the grant agreement's
planned signature) is computed and printed, and the drafts read back in French and in both languages."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from pypdf import PdfReader

from agreements import documents, services, workflow
from agreements.choices import AgreementKind, PartyRole
from agreements.choices import ContractStage as C
from agreements.models import Agreement, ContractSettings
from agreements.terms import KINDS, TermsForm
from agreements.terms.base import add_months
from agreements.terms.consortium import ConsortiumTermsForm, signature_deadline
from agreements.terms.framework import FRAMEWORK_MONTHS_MAX, FrameworkTermsForm
from partners.choices import PartnershipKind

from ...factories import GovernanceFactory, GoverningBodyFactory, contract, contracting_enquiry, terms_data

pytestmark = pytest.mark.django_db

START = dt.date(2027, 1, 31)  # a month's last day: the ends and deadlines fall on other months' last days
HYPOTHESIS = hypothesis_settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


# ---- fixtures -----------------------------------------------------------------------------------------------------
@pytest.fixture
def co_owner(entity):
    body = GoverningBodyFactory(name="Assistance Publique - Hôpitaux de Paris", short_name="AP-HP")
    GovernanceFactory(entity=entity, body=body)
    return body


def request(contract_kind, *, entity, company, actor, **enquiry) -> Agreement:
    """A contract of ``contract_kind`` on an enquiry in contracting (``enquiry``: the enquiry's own fields)."""
    if enquiry.get("kind") == PartnershipKind.COLLABORATIVE_CALL:
        enquiry.setdefault("funding_deadline", timezone.localdate() + dt.timedelta(days=60))
    enquiry = contracting_enquiry(entity=entity, actor=actor, company=company, **enquiry)
    return contract(enquiry=enquiry, entity=entity, actor=actor, kind=contract_kind)


@pytest.fixture
def consortium(entity, co_owner, company, central_user):
    return request(
        AgreementKind.CONSORTIUM,
        entity=entity,
        company=company,
        actor=central_user,
        kind=PartnershipKind.COLLABORATIVE_CALL,
        title="Targeting CD123 in AML",
        funding_programme="anr",
        funding_call="AAPG 2027 – PRCE",
        wished_start=START,
        duration_months=36,
    )


@pytest.fixture
def framework(entity, co_owner, company, central_user):
    return request(AgreementKind.FRAMEWORK, entity=entity, company=company, actor=central_user, title="Leukos–U944")


def by_role(agreement) -> dict[str, object]:
    return {p.role: p for p in agreement.parties.all()}


def consortium_data(agreement, *, budgets=("150000.00", "100000.00", "50000.00"), **changes) -> dict:
    """A complete ANR consortium starting on START, budgets given company, lead, co-owner."""
    parties = by_role(agreement)
    data = terms_data(agreement, project_start=START.isoformat(), acronym="LEUKOTARGET")
    for role, amount in zip((PartyRole.COMPANY, PartyRole.LEAD_NEGOTIATOR, PartyRole.CO_OWNER), budgets, strict=True):
        data[f"budget_{parties[role].pk}"] = amount
    return {key: value for key, value in {**data, **changes}.items() if value is not None}


def framework_data(agreement, **changes) -> dict:
    data = terms_data(agreement, effective_date=START.isoformat())
    return {key: value for key, value in {**data, **changes}.items() if value is not None}


def save(agreement, data, actor):
    return services.agreement_save_terms(agreement=agreement, actor=actor, data=data)


def errors_of(call) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        call()
    return caught.value.message_dict


def change_settings(**values) -> None:
    ContractSettings.objects.filter(pk=ContractSettings.current().pk).update(**values)


def send_refusal(agreement, actor) -> str:
    workflow.agreement_start_drafting(agreement=agreement, actor=actor)
    workflow.agreement_submit_for_internal_review(agreement=agreement, actor=actor)
    with pytest.raises(ValidationError) as caught:
        workflow.agreement_send_to_company(agreement=agreement, actor=actor)
    assert Agreement.objects.get(pk=agreement.pk).stage == C.INTERNAL_REVIEW
    return caught.value.messages[0]


def drop_terms(agreement, *keys, party=None) -> None:
    """Remove stored terms, as if they had never been entered (``party``: from that per-party term only)."""
    terms = Agreement.objects.get(pk=agreement.pk).terms
    for key in keys:
        if party is None:
            del terms[key]
        else:
            del terms[key][str(party.pk)]
    Agreement.objects.filter(pk=agreement.pk).update(terms=terms)


def rendered_text(agreement, language: str) -> str:
    pdf = documents.render_pdf(documents.build_html(agreement, language, False))
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return " ".join(text.replace("\u202f", " ").replace("\xa0", " ").split())


# ==== consortium: saving and dating =================================================================================
def test_consortium_terms_save_and_date_the_contract(consortium, central_user):
    saved = save(consortium, consortium_data(consortium, duration_months="13"), central_user)

    assert (saved.starts_on, saved.ends_on) == (START, dt.date(2028, 2, 29))  # 31 January + 13 months: leap-year end
    parties = by_role(saved)
    assert saved.terms["budget"] == {
        str(parties[PartyRole.COMPANY].pk): "150000.00",
        str(parties[PartyRole.LEAD_NEGOTIATOR].pk): "100000.00",
        str(parties[PartyRole.CO_OWNER].pk): "50000.00",
    }
    assert saved.terms["total_budget"] == "300000.00"
    assert saved.terms["signature_deadline"] == "2028-01-31"
    assert "grant_agreement_date" not in saved.terms  # the ANR has no grant agreement date


def test_consortium_form_prefills_programme_and_call_from_the_enquiry(consortium):
    form = ConsortiumTermsForm(agreement=consortium)
    assert form["programme"].value() == "anr"
    assert form["call"].value() == "AAPG 2027 – PRCE"
    assert form["project_start"].value() == START
    assert form["duration_months"].value() == 36


def test_an_enquiry_programme_outside_the_list_prefills_nothing(entity, co_owner, company, central_user):
    other = request(
        AgreementKind.CONSORTIUM,
        entity=entity,
        company=company,
        actor=central_user,
        kind=PartnershipKind.COLLABORATIVE_CALL,
        funding_programme="other",
    )
    form = ConsortiumTermsForm(agreement=other)
    assert form["programme"].value() is None
    assert "other" not in dict(form.fields["programme"].choices)


def test_consortium_form_has_a_budget_and_a_background_per_party(consortium):
    form = ConsortiumTermsForm(agreement=consortium)
    labels = [str(form.fields[name].label) for name in form.field_names() if name.startswith("budget_")]
    assert labels == [
        "Budget of Leukos Therapeutics SAS (the company) (euros)",
        "Budget of UPCité (lead negotiator) (euros)",
        "Budget of AP-HP (co-owner) (euros)",
    ]
    assert len([name for name in form.field_names() if name.startswith("background_")]) == 3


def test_the_grant_number_is_optional_until_the_grant_is_awarded(consortium, central_user):
    saved = save(consortium, consortium_data(consortium, grant_number=""), central_user)
    assert "grant_number" not in saved.terms
    assert KINDS[AgreementKind.CONSORTIUM].missing(saved) == []


# ==== consortium: the signature deadline ============================================================================
@pytest.mark.parametrize(
    ("start", "deadline"),
    [
        (dt.date(2027, 1, 31), dt.date(2028, 1, 31)),
        (dt.date(2028, 2, 29), dt.date(2029, 2, 28)),  # no 29 February the next year: its month's last day
        (dt.date(2027, 12, 31), dt.date(2028, 12, 31)),
        (dt.date(2027, 3, 1), dt.date(2028, 3, 1)),
    ],
)
def test_the_anr_deadline_is_twelve_months_after_the_project_start(start, deadline):
    assert signature_deadline({"programme": "anr", "project_start": start}) == deadline
    assert signature_deadline({"programme": "anr", "project_start": start.isoformat()}) == deadline  # as stored


@given(start=st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2090, 12, 31)))
def test_the_anr_deadline_is_the_same_day_a_year_later_or_that_month_s_last(start):
    deadline = signature_deadline({"programme": "anr", "project_start": start})
    assert deadline == add_months(start, 12)
    assert (deadline.year, deadline.month) == (start.year + 1, start.month)
    assert deadline.day == start.day or (start.month, start.day, deadline.day) == (2, 29, 28)


@pytest.mark.parametrize("programme", ["horizon_europe", "eu_cancer_mission", "erc"])
def test_programmes_signed_before_the_grant_agreement_have_its_date_for_deadline(programme):
    planned = dt.date(2027, 5, 15)
    values = {"programme": programme, "project_start": START, "grant_agreement_date": planned}
    assert signature_deadline(values) == planned
    assert signature_deadline({**values, "grant_agreement_date": None}) is None


@pytest.mark.parametrize("programme", ["bpifrance", "regional"])
def test_other_programmes_set_no_deadline(programme):
    values = {"programme": programme, "project_start": START, "grant_agreement_date": START}
    assert signature_deadline(values) is None
    assert signature_deadline({"programme": "anr"}) is None  # no start yet: no deadline yet


@pytest.mark.parametrize(
    ("programme", "name"),
    [("horizon_europe", "Horizon Europe"), ("eu_cancer_mission", "EU Cancer Mission"), ("erc", "ERC")],
)
def test_a_grant_agreement_programme_requires_the_planned_grant_agreement_date(
    consortium, central_user, programme, name
):
    errors = errors_of(lambda: save(consortium, consortium_data(consortium, programme=programme), central_user))
    assert errors["grant_agreement_date"] == [
        f"{name} requires the consortium agreement signed before the grant agreement: enter the grant agreement's "
        "planned signature date."
    ]

    planned = dt.date(2026, 12, 15)
    data = consortium_data(consortium, programme=programme, grant_agreement_date=planned.isoformat())
    saved = save(consortium, data, central_user)
    assert saved.terms["grant_agreement_date"] == saved.terms["signature_deadline"] == "2026-12-15"


def test_a_grant_agreement_date_typed_for_another_programme_is_dropped(consortium, central_user):
    for programme in ("bpifrance", "regional"):
        data = consortium_data(consortium, programme=programme, grant_agreement_date="2026-12-15")
        saved = save(consortium, data, central_user)
        assert "grant_agreement_date" not in saved.terms and "signature_deadline" not in saved.terms


def test_the_deadline_cannot_be_typed(consortium, central_user):
    form = ConsortiumTermsForm(agreement=consortium)
    assert form.fields["signature_deadline"].disabled and form.fields["total_budget"].disabled
    data = consortium_data(consortium, signature_deadline="2040-01-01", total_budget="1.00")
    saved = save(consortium, data, central_user)
    assert (saved.terms["signature_deadline"], saved.terms["total_budget"]) == ("2028-01-31", "300000.00")


def test_the_deadline_warns_when_near_and_when_past(consortium, central_user):
    today = timezone.localdate()
    near = consortium_data(consortium, project_start=(add_months(today, -12) + dt.timedelta(days=10)).isoformat())
    form = ConsortiumTermsForm(near, agreement=consortium)
    assert form.is_valid(), form.errors
    assert any("10 days left to sign before the programme's deadline" in w for w in form.warnings)

    past = consortium_data(consortium, project_start=(add_months(today, -12) - dt.timedelta(days=1)).isoformat())
    form = ConsortiumTermsForm(past, agreement=consortium)
    assert form.is_valid(), form.errors  # the contract can still be made: the funder decides
    assert any("deadline for signing this agreement" in w and "is past" in w for w in form.warnings)

    far = ConsortiumTermsForm(consortium_data(consortium, project_start=today.isoformat()), agreement=consortium)
    assert far.warnings == []

    change_settings(deadline_warning_days=400)
    assert any("days left to sign" in w for w in ConsortiumTermsForm(far.data, agreement=consortium).warnings)


def test_a_start_before_the_grant_agreement_signature_warns(consortium):
    later = (START + dt.timedelta(days=20)).isoformat()
    form = ConsortiumTermsForm(
        consortium_data(consortium, programme="horizon_europe", grant_agreement_date=later), agreement=consortium
    )
    assert form.is_valid(), form.errors
    assert any("starts before the grant agreement's planned signature" in w for w in form.warnings)


# ==== consortium: refusals ==========================================================================================
def test_a_negative_budget_is_refused_naming_its_party(consortium, central_user):
    co_owning = by_role(consortium)[PartyRole.CO_OWNER]
    data = consortium_data(consortium, budgets=("150000.00", "100000.00", "-1.00"))
    errors = errors_of(lambda: save(consortium, data, central_user))
    assert errors[f"budget_{co_owning.pk}"] == [
        "The budget of AP-HP (co-owner) cannot be negative: enter 0 if it has none."
    ]


def test_budgets_adding_up_to_zero_are_refused(consortium, central_user):
    data = consortium_data(consortium, budgets=("0", "0.00", "0"))
    errors = errors_of(lambda: save(consortium, data, central_user))
    assert errors["__all__"] == ["The parties' budgets add up to zero: enter each party's share of the project budget."]
    lead = by_role(consortium)[PartyRole.LEAD_NEGOTIATOR]
    errors = errors_of(lambda: save(consortium, consortium_data(consortium, **{f"budget_{lead.pk}": ""}), central_user))
    assert f"budget_{lead.pk}" in errors


@HYPOTHESIS
@given(cents=st.lists(st.integers(min_value=0, max_value=10**11), min_size=3, max_size=3).filter(any))
def test_any_non_negative_budgets_are_accepted_and_totalled(consortium, cents):
    amounts = [Decimal(c) / 100 for c in cents]
    form = ConsortiumTermsForm(consortium_data(consortium, budgets=[str(a) for a in amounts]), agreement=consortium)
    assert form.is_valid(), form.errors
    assert form.to_terms()["total_budget"] == str(sum(amounts, Decimal(0)).quantize(Decimal("0.01")))


@HYPOTHESIS
@given(months=st.integers(min_value=-50, max_value=200))
def test_project_duration_is_bounded_by_the_settings(consortium, months):
    form = ConsortiumTermsForm(consortium_data(consortium, duration_months=str(months)), agreement=consortium)
    assert form.is_valid() == (1 <= months <= 120)
    if not form.is_valid():
        assert "duration_months" in form.errors


def test_the_duration_bound_follows_the_settings(consortium, central_user):
    change_settings(collaboration_months_max=60)
    errors = errors_of(lambda: save(consortium, consortium_data(consortium, duration_months="61"), central_user))
    assert "60" in errors["duration_months"][0]
    assert save(consortium, consortium_data(consortium, duration_months="60"), central_user).ends_on == dt.date(
        2032, 1, 31
    )


@HYPOTHESIS
@given(months=st.integers(min_value=-5, max_value=60))
def test_access_rights_may_be_requested_for_one_to_36_months(consortium, months):
    form = ConsortiumTermsForm(consortium_data(consortium, access_request_months=str(months)), agreement=consortium)
    assert form.is_valid() == (1 <= months <= 36)


def test_an_unknown_programme_is_refused(consortium, central_user):
    errors = errors_of(lambda: save(consortium, consortium_data(consortium, programme="other"), central_user))
    assert "programme" in errors


# ==== consortium: nothing goes to the company incomplete ============================================================
def test_missing_consortium_terms_block_sending_with_their_names(consortium, central_user):
    data = consortium_data(consortium, programme="erc", grant_agreement_date="2026-12-15")
    save(consortium, data, central_user)
    co_owning = by_role(consortium)[PartyRole.CO_OWNER]
    drop_terms(consortium, "acronym", "grant_agreement_date", "general_assembly")
    drop_terms(consortium, "budget", party=co_owning)

    message = send_refusal(consortium, central_user)

    for label in (
        "Project acronym",
        "Grant agreement signature date (planned)",
        "General assembly",
        "Budget of AP-HP (co-owner) (euros)",
    ):
        assert label in message
    assert "Grant number" not in message and "Signature deadline" not in message

    save(consortium, data, central_user)
    assert workflow.agreement_send_to_company(agreement=consortium, actor=central_user).stage == C.SENT_TO_COMPANY


# ==== consortium: the draft =========================================================================================
def test_the_consortium_draft_prints_its_terms_and_the_anr_deadline_in_french(consortium, central_user):
    saved = save(consortium, consortium_data(consortium, grant_number=""), central_user)

    text = rendered_text(saved, "fr")

    for expected in (
        "Accord de consortium",
        "Leukos Therapeutics SAS",
        "Université Paris Cité",
        "Assistance Publique - Hôpitaux de Paris",
        "Targeting CD123 in AML",
        "LEUKOTARGET",
        "AAPG 2027 – PRCE",
        "de l’Agence nationale de la recherche (ANR)",
        "150 000,00 euros",
        "300 000,00 euros",
        "31 janvier 2027",
        "au plus tard le 31 janvier 2028",
        "L’aide est en cours d’attribution",
        "à des conditions justes et raisonnables",
        "obligation de moyens et non de résultat",
    ):
        assert expected in text
    for english in ("Consortium agreement", "BETWEEN", "Defaulting party", "the French version prevails"):
        assert english not in text


def test_the_consortium_draft_in_both_languages_prints_the_grant_agreement_deadline(consortium, central_user):
    data = consortium_data(consortium, programme="horizon_europe", grant_agreement_date="2026-12-15")
    saved = save(consortium, data, central_user)
    Agreement.objects.filter(pk=saved.pk).update(language="en")

    text = rendered_text(saved, "en")

    for expected in (
        "Accord de consortium",
        "Consortium agreement",
        "BETWEEN",
        "avant celle de la convention de subvention, prévue le 15 décembre 2026",
        "au plus tard le 15 décembre 2026",
        "of Horizon Europe, the European Union’s framework programme",
        "before the grant agreement",
        "ANR-27-CE17-0042",
        "the French version prevails",
    ):
        assert expected in text
    assert "douze mois" not in text  # the ANR's rule is not this programme's


# ==== framework: saving and dating ==================================================================================
def test_framework_terms_save_and_date_the_contract(framework, central_user):
    data = framework_data(framework, application_kinds=["service", "material_transfer", "research_collaboration"])
    saved = save(framework, {**data, "duration_months": "13"}, central_user)

    assert (saved.starts_on, saved.ends_on) == (START, dt.date(2028, 2, 29))
    assert saved.terms["application_kinds"] == ["research_collaboration", "service", "material_transfer"]
    assert saved.terms["annual_budget_ceiling"] == "500000.00"
    assert KINDS[AgreementKind.FRAMEWORK].missing(saved) == []


def test_framework_defaults_come_from_the_settings(framework):
    form = FrameworkTermsForm(agreement=framework)
    assert (form["duration_months"].value(), form["confidentiality_years"].value()) == (36, 5)
    assert (form["publication_review_days"].value(), form["publication_deferral_days"].value()) == (30, 90)
    change_settings(nda_survival_years_default=7, publication_review_days_default=45)
    form = FrameworkTermsForm(agreement=framework)
    assert (form["confidentiality_years"].value(), form["publication_review_days"].value()) == (7, 45)


def test_the_contract_page_lists_the_specific_agreements_by_name(framework, central_user):
    save(framework, framework_data(framework), central_user)
    readable = dict(KINDS[AgreementKind.FRAMEWORK].readable(Agreement.objects.get(pk=framework.pk)))
    assert readable["Specific agreements made under it"] == "Research collaboration agreement; Service agreement"


# ==== framework: refusals ===========================================================================================
def test_a_vague_scope_is_refused(framework, central_user):
    errors = errors_of(lambda: save(framework, framework_data(framework, scope="  AML research  "), central_user))
    assert errors["scope"] == [
        "Describe the fields of collaboration precisely, in 30 characters at least: the framework covers them only."
    ]


def test_at_least_one_kind_of_specific_agreement_is_required(framework, central_user):
    errors = errors_of(lambda: save(framework, framework_data(framework, application_kinds=[]), central_user))
    assert errors["application_kinds"] == ["Choose at least one kind of specific agreement the framework is for."]


@pytest.mark.parametrize("kind", ["framework", "consortium", "lease"])
def test_a_framework_cannot_frame_another_framework_or_a_consortium(framework, central_user, kind):
    data = framework_data(framework, application_kinds=["service", kind])
    assert "application_kinds" in errors_of(lambda: save(framework, data, central_user))


@pytest.mark.parametrize("ceiling", ["0", "0.00", "-5000"])
def test_a_ceiling_must_be_above_zero_or_blank(framework, central_user, ceiling):
    errors = errors_of(lambda: save(framework, framework_data(framework, annual_budget_ceiling=ceiling), central_user))
    assert errors["annual_budget_ceiling"] == [
        "Leave the annual budget ceiling blank for none, or enter an amount above zero."
    ]
    saved = save(framework, framework_data(framework, annual_budget_ceiling=""), central_user)
    assert "annual_budget_ceiling" not in saved.terms


@HYPOTHESIS
@given(months=st.integers(min_value=-10, max_value=100))
def test_framework_duration_is_one_to_sixty_months(framework, months):
    form = FrameworkTermsForm(framework_data(framework, duration_months=str(months)), agreement=framework)
    assert form.is_valid() == (1 <= months <= FRAMEWORK_MONTHS_MAX)


@HYPOTHESIS
@given(years=st.integers(min_value=-3, max_value=30))
def test_confidentiality_years_are_bounded_and_long_ones_warn(framework, years):
    form = FrameworkTermsForm(framework_data(framework, confidentiality_years=str(years)), agreement=framework)
    assert form.is_valid() == (1 <= years <= 15)
    warned = any("is unusual (above 10)" in w for w in form.warnings)
    assert warned == (10 < years <= 15)


def test_the_confidentiality_bounds_follow_the_settings(framework, central_user):
    change_settings(nda_survival_years_max=8)
    errors = errors_of(lambda: save(framework, framework_data(framework, confidentiality_years="9"), central_user))
    assert "8" in errors["confidentiality_years"][0]


# ==== framework: nothing goes to the company incomplete =============================================================
def test_missing_framework_terms_block_sending_with_their_names(framework, central_user):
    save(framework, framework_data(framework), central_user)
    drop_terms(framework, "scope", "joint_committee", "annual_budget_ceiling")

    message = send_refusal(framework, central_user)

    assert "Fields of collaboration" in message and "Joint committee" in message
    assert "Annual budget ceiling" not in message

    save(framework, framework_data(framework), central_user)
    assert workflow.agreement_send_to_company(agreement=framework, actor=central_user).stage == C.SENT_TO_COMPANY


# ==== framework: the draft ==========================================================================================
def test_the_framework_draft_prints_its_terms_in_french(framework, central_user):
    saved = save(framework, framework_data(framework, ip_principle="generator"), central_user)

    text = rendered_text(saved, "fr")

    for expected in (
        "Accord-cadre de collaboration",
        "Leukos Therapeutics SAS",
        "Université Paris Cité",
        "Assistance Publique - Hôpitaux de Paris",
        "Target discovery and preclinical validation in acute myeloid leukemia.",
        "contrats de collaboration de recherche ;",
        "contrats de prestation de services.",
        "500 000,00 euros hors taxes",
        "31 janvier 2027",
        "36 mois",
        "pendant 5 ans après la fin de ce Contrat",
        "chaque Partie est propriétaire des Résultats qu’elle obtient seule",
        "Les Résultats d’une prestation de services appartiennent à la Société",
    ):
        assert expected in text
    assert "accords de transfert de matériel" not in text
    for english in ("Framework collaboration agreement", "BETWEEN", "is made in writing", "French version prevails"):
        assert english not in text


def test_the_framework_draft_in_both_languages(framework, central_user):
    data = framework_data(framework, application_kinds=["data_access"], annual_budget_ceiling="")
    saved = save(framework, data, central_user)

    text = rendered_text(saved, "en")

    for expected in (
        "Accord-cadre de collaboration",
        "Framework collaboration agreement",
        "licences d’accès à des données.",
        "data access licences.",
        "L’Accord ne fixe pas de plafond",
        "The Agreement sets no ceiling",
        "the French version prevails",
    ):
        assert expected in text
    assert "prestation de services appartiennent" not in text  # no service under this framework


# ==== the admin pages ================================================================================================
def test_the_consortium_terms_page_offers_the_enquiry_s_call_and_saves(client, legal_officer, consortium):
    client.force_login(legal_officer)
    url = reverse("admin:agreements_agreement_terms", args=[consortium.pk])
    page = client.get(url).content.decode()
    for heading in ("Programme and call", "Budget", "Results and access rights", "Governance"):
        assert f"<h2>{heading}</h2>" in page
    assert 'value="AAPG 2027 – PRCE"' in page
    assert re.search(r'<input type="radio" name="programme" value="anr"[^>]* checked>', page)

    response = client.post(url, consortium_data(consortium), follow=True)
    page = response.content.decode()
    assert "<dt>Signature deadline</dt><dd>Jan. 31, 2028</dd>" in page
    assert "<dt>Total budget of the parties (euros)</dt><dd>300,000.00</dd>" in page


def test_the_framework_terms_page_saves_the_kinds_ticked(client, legal_officer, framework):
    client.force_login(legal_officer)
    url = reverse("admin:agreements_agreement_terms", args=[framework.pk])
    assert 'type="checkbox" name="application_kinds" value="cifre"' in client.get(url).content.decode()

    response = client.post(url, framework_data(framework, application_kinds=["cifre", "option"]), follow=True)
    assert "<dt>Specific agreements made under it</dt><dd>CIFRE collaboration contract; Option agreement</dd>" in (
        response.content.decode()
    )
    assert Agreement.objects.get(pk=framework.pk).terms["application_kinds"] == ["cifre", "option"]


# ==== the engine reads a list of choices ============================================================================
def test_the_base_display_reads_a_list_of_choices():
    field = forms.MultipleChoiceField(choices=[("a", "Alpha"), ("b", "Beta")])
    assert TermsForm.display(field, ["a", "b"]) == "Alpha; Beta"
