"""The patent licence and the option (issue 6, DOMAIN.md section 3): their terms saved with the contract's dates,
each check with its message (Hypothesis for the royalty rate and the option's bounds from the settings), a
missing term blocking the way to the company, both drafts in French and bilingual, and the IP agent ("mandataire
unique") signing for every co-owner."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from pypdf import PdfReader

from agreements import documents, services, workflow
from agreements.choices import AgreementKind, PartyRole
from agreements.choices import ContractStage as C
from agreements.models import Agreement, ContractSettings
from agreements.terms.base import add_months
from agreements.terms.option import OptionTermsForm
from agreements.terms.patent_licence import PatentLicenceTermsForm
from partners.choices import LicenceSubject, PartnershipKind

from ...factories import (
    EntityFactory,
    GovernanceFactory,
    GoverningBodyFactory,
    contract,
    contracting_enquiry,
    terms_data,
)

pytestmark = pytest.mark.django_db

LICENCE, OPTION = AgreementKind.PATENT_LICENCE, AgreementKind.OPTION
EFFECTIVE = dt.date(2030, 1, 31)
PATENTS = (
    "EP 3 456 789 – Anti-CD123 antibodies for treating acute myeloid leukemia\nWO 2021/123456 – Response biomarker"
)
KEY_TERMS = "Exclusive worldwide licence, sublicensable; upfront 80,000 euros; royalties of 4 % of net sales."


# ---- fixtures and helpers -------------------------------------------------------------------------------------
@pytest.fixture
def co_owner(entity):
    """A second body of ``entity``, whose lead negotiator is also its IP agent (conftest)."""
    body = GoverningBodyFactory(name="Assistance Publique - Hôpitaux de Paris", short_name="AP-HP")
    GovernanceFactory(entity=entity, body=body)
    return body


@pytest.fixture
def make(entity, co_owner, company, central_user):
    """``make(kind)``: a contract of ``kind`` on a contracting enquiry of ``company`` with ``entity`` (or ``on``),
    no terms yet; other keywords are the enquiry's."""

    def build(kind: str, /, *, on=None, language: str = "fr", **enquiry_fields) -> Agreement:
        on = on or entity
        fields = {"title": "CD123 antibody", **enquiry_fields}
        enquiry = contracting_enquiry(entity=on, actor=central_user, company=company, **fields)
        return contract(enquiry=enquiry, entity=on, actor=central_user, kind=kind, language=language)

    return build


@pytest.fixture
def licence(make):
    return make(LICENCE)


@pytest.fixture
def option(make):
    return make(OPTION)


def licence_data(agreement, **changes) -> dict:
    """Valid licence input (kind_data) on a fixed effective date; a change to None leaves the field out."""
    data = terms_data(
        agreement, effective_date=EFFECTIVE.isoformat(), last_patent_expiry="2041-06-30", licensed_patents=PATENTS
    )
    return {key: value for key, value in {**data, **changes}.items() if value is not None}


def option_data(agreement, **changes) -> dict:
    data = terms_data(agreement, effective_date=EFFECTIVE.isoformat(), subject=PATENTS, key_terms=KEY_TERMS)
    return {key: value for key, value in {**data, **changes}.items() if value is not None}


def save(agreement, data, actor) -> Agreement:
    return services.agreement_save_terms(agreement=agreement, actor=actor, data=data)


def errors_of(agreement, data, actor) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        save(agreement, data, actor)
    return caught.value.message_dict


def change_settings(**values) -> None:
    ContractSettings.objects.filter(pk=ContractSettings.current().pk).update(**values)


def text_of(agreement: Agreement, language: str) -> str:
    """The draft's PDF text as pypdf reads it, whitespace (non-breaking spaces included) collapsed."""
    pdf = documents.render_pdf(documents.build_html(agreement, language, False))
    words = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return " ".join(words.replace("\u202f", " ").replace("\xa0", " ").split())


def to_company(agreement, actor) -> Agreement:
    workflow.agreement_start_drafting(agreement=agreement, actor=actor)
    workflow.agreement_submit_for_internal_review(agreement=agreement, actor=actor)
    return workflow.agreement_send_to_company(agreement=agreement, actor=actor)


# ---- patent licence: saved, with its dates ---------------------------------------------------------------------
def test_licence_terms_save_with_the_dates_they_give(licence, central_user):
    saved = save(licence, licence_data(licence), central_user)

    saved.refresh_from_db()
    assert (saved.starts_on, saved.ends_on) == (EFFECTIVE, dt.date(2041, 6, 30))  # until the last patent expires
    assert saved.terms["licensed_patents"] == PATENTS
    assert saved.terms["exclusivity"] == "exclusive"
    assert saved.terms["sublicensing"] is True and saved.terms["sublicence_share"] == "25"
    assert saved.terms["royalty_rate"] == "3.5"
    assert saved.terms["academic_reservation"] is True
    assert "term_years" not in saved.terms and "know_how" not in saved.terms
    assert PatentLicenceTermsForm(licence_data(licence), agreement=licence).warnings == []


def test_a_licence_for_a_number_of_years_ends_that_many_years_later(licence, central_user):
    data = licence_data(licence, term_basis="years", term_years="10")
    saved = save(licence, data, central_user)
    assert (saved.starts_on, saved.ends_on) == (EFFECTIVE, dt.date(2040, 1, 31))
    assert "last_patent_expiry" not in saved.terms  # the other basis's date is not kept

    assert "enter it" in errors_of(licence, {**data, "term_years": ""}, central_user)["term_years"][0]
    for years in ("0", "26"):
        assert "term_years" in errors_of(licence, {**data, "term_years": years}, central_user)


def test_the_last_patent_must_expire_after_the_effective_date(licence, central_user):
    errors = errors_of(licence, licence_data(licence, last_patent_expiry=""), central_user)
    assert "enter that date" in errors["last_patent_expiry"][0]
    errors = errors_of(licence, licence_data(licence, last_patent_expiry=EFFECTIVE.isoformat()), central_user)
    assert "on or before the effective date" in errors["last_patent_expiry"][0]


# ---- patent licence: each check ---------------------------------------------------------------------------------
@hypothesis_settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rate=st.decimals(min_value=0, max_value=50, places=2))
def test_any_royalty_rate_from_0_to_50_percent_is_accepted(licence, rate):
    form = PatentLicenceTermsForm(licence_data(licence, royalty_rate=format(rate, "f")), agreement=licence)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["royalty_rate"] == rate


@hypothesis_settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rate=st.decimals(min_value=Decimal("-999.99"), max_value=Decimal("999.99"), places=2).filter(
        lambda rate: not 0 <= rate <= 50
    )
)
def test_a_royalty_rate_outside_0_to_50_percent_is_refused_with_its_range(licence, rate):
    form = PatentLicenceTermsForm(licence_data(licence, royalty_rate=format(rate, "f")), agreement=licence)
    assert not form.is_valid()
    message = form.errors["royalty_rate"][0]
    assert "percentage of net sales from 0 to 50 %" in message
    assert f"{format(rate, 'f')} % is outside it" in message


def test_a_high_royalty_rate_warns_without_refusing(licence):
    form = PatentLicenceTermsForm(licence_data(licence, royalty_rate="12"), agreement=licence)
    assert form.is_valid()
    assert "A royalty of 12 % of net sales is high" in form.warnings[0]


def test_each_licensed_patent_needs_its_number(licence, central_user):
    data = licence_data(licence, licensed_patents="EP 3 456 789 – Anti-CD123 antibodies\nOur biomarker patent")
    message = errors_of(licence, data, central_user)["licensed_patents"][0]
    assert "Line 2 (“Our biomarker patent”) gives no patent number" in message

    numbers = "FR2101234 Method\nPCT/EP2021/012345 Cells\nUS 11,234,567 B2 Kits\n\n"
    saved = save(licence, licence_data(licence, licensed_patents=numbers), central_user)
    assert saved.terms["licensed_patents"] == "FR2101234 Method\nPCT/EP2021/012345 Cells\nUS 11,234,567 B2 Kits"


def test_an_exclusive_licence_needs_a_diligence_plan(licence, central_user):
    errors = errors_of(licence, licence_data(licence, diligence_plan=""), central_user)
    assert "An exclusive licence needs a diligence plan" in errors["diligence_plan"][0]

    saved = save(licence, licence_data(licence, exclusivity="non_exclusive"), central_user)
    assert saved.terms["exclusivity"] == "non_exclusive"
    assert "diligence_plan" not in saved.terms  # a plan applies only to an exclusive licence


def test_sublicensing_needs_the_institutions_share_of_sublicence_income(licence, central_user):
    errors = errors_of(licence, licence_data(licence, sublicence_share=""), central_user)
    assert "enter the share of sublicence income" in errors["sublicence_share"][0]
    for share in ("0", "100.01", "-5"):
        message = errors_of(licence, licence_data(licence, sublicence_share=share), central_user)["sublicence_share"]
        assert f"at most 100 %: {share} % is not" in message[0]
    assert save(licence, licence_data(licence, sublicence_share="100"), central_user).terms["sublicence_share"] == "100"

    saved = save(licence, licence_data(licence, sublicensing="False", sublicence_share="30"), central_user)
    assert saved.terms["sublicensing"] is False
    assert "sublicence_share" not in saved.terms


def test_licensed_know_how_and_listed_countries_must_be_described(licence, central_user):
    data = licence_data(licence, licensed_rights="patents_know_how", territory="listed")
    errors = errors_of(licence, data, central_user)
    assert "say what it is" in errors["know_how"][0]
    assert "name them" in errors["territory_countries"][0]

    saved = save(
        licence, {**data, "know_how": "The sorting protocol.", "territory_countries": "France, Germany"}, central_user
    )
    assert (saved.terms["know_how"], saved.terms["territory_countries"]) == ("The sorting protocol.", "France, Germany")
    saved = save(licence, licence_data(licence, know_how="Protocol", territory_countries="Spain"), central_user)
    assert "know_how" not in saved.terms and "territory_countries" not in saved.terms


def test_milestones_each_state_an_amount(licence, central_user):
    data = licence_data(licence, milestones="Phase II start: 250000 euros\nMarketing authorisation")
    message = errors_of(licence, data, central_user)["milestones"][0]
    assert "Milestone 2 (“Marketing authorisation”) gives no amount" in message
    assert save(licence, licence_data(licence, milestones=""), central_user).terms["milestones"] == ""


def test_payments_cannot_be_negative_and_a_minimum_royalty_is_above_zero(licence, central_user):
    assert (
        "cannot be negative"
        in errors_of(licence, licence_data(licence, upfront_payment="-1"), central_user)["upfront_payment"][0]
    )
    assert save(licence, licence_data(licence, upfront_payment="0"), central_user).terms["upfront_payment"] == "0"
    errors = errors_of(licence, licence_data(licence, minimum_annual_royalties="0"), central_user)
    assert "above zero" in errors["minimum_annual_royalties"][0]


def test_an_exclusive_licence_without_minimum_royalties_or_with_costs_on_the_institutions_warns(licence):
    data = licence_data(licence, minimum_annual_royalties="", patent_costs="institutions")
    form = PatentLicenceTermsForm(data, agreement=licence)
    assert form.is_valid()
    assert any("without minimum annual royalties" in warning for warning in form.warnings)
    assert any("the licensee usually does" in warning for warning in form.warnings)
    non_exclusive = PatentLicenceTermsForm({**data, "exclusivity": "non_exclusive"}, agreement=licence)
    assert non_exclusive.warnings == []


def test_the_academic_reservation_is_always_granted(licence, central_user):
    assert PatentLicenceTermsForm(agreement=licence).fields["academic_reservation"].disabled
    saved = save(licence, {**licence_data(licence), "academic_reservation": ""}, central_user)
    assert saved.terms["academic_reservation"] is True


def test_a_licence_of_patient_data_warns_that_another_kind_fits(make):
    agreement = make(
        LICENCE,
        kind=PartnershipKind.LICENCE,
        licence_subject=LicenceSubject.DATA,
        data_use="Re-use of the AML cohort's data under MR-004.",
    )
    form = PatentLicenceTermsForm(licence_data(agreement), agreement=agreement)
    assert "a data access licence or a material transfer agreement may fit better" in form.warnings[0]


def test_missing_licence_terms_block_sending_with_their_names(licence, central_user):
    save(licence, licence_data(licence), central_user)
    terms = Agreement.objects.get(pk=licence.pk).terms
    del terms["royalty_rate"], terms["diligence_plan"]
    Agreement.objects.filter(pk=licence.pk).update(terms=terms)

    with pytest.raises(ValidationError) as caught:
        to_company(licence, central_user)
    message = caught.value.messages[0]
    assert "Royalty rate (% of net sales)" in message and "Diligence plan" in message
    assert "Licensed patents" not in message
    assert Agreement.objects.get(pk=licence.pk).stage == C.INTERNAL_REVIEW

    save(licence, licence_data(licence), central_user)
    assert workflow.agreement_send_to_company(agreement=licence, actor=central_user).stage == C.SENT_TO_COMPANY


# ---- option: saved, with its dates and bounds -----------------------------------------------------------------
def test_option_terms_save_with_the_option_period(option, central_user):
    saved = save(option, option_data(option, option_months="6"), central_user)
    saved.refresh_from_db()
    assert (saved.starts_on, saved.ends_on) == (EFFECTIVE, dt.date(2030, 7, 31))
    assert saved.terms["option_fee"] == "15000.00" and saved.terms["fee_creditable"] is True
    assert saved.terms["subject"] == PATENTS
    assert OptionTermsForm(option_data(option), agreement=option).warnings == []


def test_option_period_defaults_from_the_settings_within_its_bounds(option):
    assert OptionTermsForm(agreement=option)["option_months"].value() == 12
    assert "From 6 to 12. Usually 12." in OptionTermsForm(agreement=option).fields["option_months"].help_text
    change_settings(option_months_default=9)
    assert OptionTermsForm(agreement=option)["option_months"].value() == 9
    change_settings(option_months_default=24)  # left behind by a narrower maximum: the longest allowed instead
    assert OptionTermsForm(agreement=option)["option_months"].value() == 12


@hypothesis_settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    bounds=st.tuples(st.integers(min_value=1, max_value=24), st.integers(min_value=0, max_value=24)).map(
        lambda pair: (pair[0], pair[0] + pair[1])
    ),
    months=st.integers(min_value=-1, max_value=60),
)
def test_the_option_period_is_accepted_exactly_within_the_settings_bounds(option, bounds, months):
    low, high = bounds
    settings = ContractSettings(option_months_min=low, option_months_max=high, option_months_default=low)
    form = OptionTermsForm(option_data(option, option_months=str(months)), agreement=option, settings=settings)
    assert form.is_valid() == (low <= months <= high)
    if months < low:
        assert f"greater than or equal to {low}" in form.errors["option_months"][0]
    elif months > high:
        assert f"less than or equal to {high}" in form.errors["option_months"][0]
    else:
        assert form.period(form.cleaned_data) == (EFFECTIVE, add_months(EFFECTIVE, months))


def test_changing_the_settings_changes_the_option_bounds(option, central_user):
    assert "option_months" in errors_of(option, option_data(option, option_months="5"), central_user)
    assert "option_months" in errors_of(option, option_data(option, option_months="13"), central_user)

    change_settings(option_months_min=3, option_months_max=18)
    assert save(option, option_data(option, option_months="3"), central_user).ends_on == dt.date(2030, 4, 30)
    assert save(option, option_data(option, option_months="18"), central_user).ends_on == dt.date(2031, 7, 31)
    assert "18" in errors_of(option, option_data(option, option_months="19"), central_user)["option_months"][0]
    assert "From 3 to 18." in OptionTermsForm(agreement=option).fields["option_months"].help_text


# ---- option: each check ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("fee", ["0", "-10"])
def test_the_option_fee_is_above_zero(option, central_user, fee):
    message = errors_of(option, option_data(option, option_fee=fee), central_user)["option_fee"][0]
    assert "must be above zero" in message and "state-aid" in message


def test_the_key_terms_of_the_licence_are_stated(option, central_user):
    message = errors_of(option, option_data(option, key_terms="To be agreed."), central_user)["key_terms"][0]
    assert "in 40 characters at least" in message


def test_an_option_on_patents_names_their_numbers_one_on_results_describes_them(option, central_user):
    message = errors_of(option, option_data(option, subject="Our antibody patent"), central_user)["subject"][0]
    assert "Line 1 (“Our antibody patent”) gives no patent number" in message

    results = "Results of the collaboration OPA-2026-00042-02: the CD123 response signature."
    saved = save(option, option_data(option, subject_kind="results", subject=results), central_user)
    assert saved.terms["subject"] == results


def test_missing_option_terms_block_sending_with_their_names(option, central_user):
    save(option, option_data(option), central_user)
    terms = Agreement.objects.get(pk=option.pk).terms
    del terms["key_terms"], terms["option_months"]
    Agreement.objects.filter(pk=option.pk).update(terms=terms)

    with pytest.raises(ValidationError) as caught:
        to_company(option, central_user)
    message = caught.value.messages[0]
    assert "Key terms of the future licence" in message and "Option period (months)" in message
    assert "Option fee" not in message
    assert Agreement.objects.get(pk=option.pk).stage == C.INTERNAL_REVIEW


# ---- the drafts ------------------------------------------------------------------------------------------------
PARTIES = ["Leukos Therapeutics SAS", "Université Paris Cité", "Assistance Publique - Hôpitaux de Paris"]
FRENCH = {
    LICENCE: [
        "Contrat de licence de brevets",
        "licence exclusive d’exploitation des Brevets Licenciés",
        "EP 3 456 789",
        "une redevance de 3,50 % des Ventes Nettes",
        "50 000,00 euros hors taxes",
        "25,00 % des sommes de toute nature",
        "First patient in phase II: 250000 euros",
        "Réserve académique",
        "prévue le 30 juin 2041",
        "Plan de développement",
        "Preclinical package by month 18",
        "comme mandataire unique",
    ],
    OPTION: [
        "Contrat d’option de licence",
        "WO 2021/123456",
        "12 mois à compter du 31 janvier 2030",
        "15 000,00 euros hors taxes",
        "elle s’impute sur la somme forfaitaire",
        KEY_TERMS,
        "Levée de l’option et licence",
        "comme mandataire unique",
    ],
}
# Words of the English text only (the French annex's labels come from the terms forms, through gettext).
ENGLISH = {
    LICENCE: [
        "Patent licence agreement",
        "an exclusive licence to exploit the Licensed Patents",
        "a royalty of 3.50 % of the Net Sales",
        "Development plan",
        "as single IP agent",
    ],
    OPTION: ["Licence option agreement", "Exercise of the option and licence", "credited against the lump sum"],
}


@pytest.mark.parametrize("kind", [LICENCE, OPTION])
@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_draft_prints_parties_terms_and_language(make, central_user, kind, language):
    agreement = make(kind, language=language)
    data = licence_data(agreement) if kind == LICENCE else option_data(agreement)
    agreement = save(agreement, data, central_user)

    text = text_of(agreement, language)

    for expected in [*PARTIES, *FRENCH[kind], "Article 1", "Article 15"]:
        assert expected in text
    for english in ENGLISH[kind]:
        assert (english in text) == (language == "en")
    assert ("the French version prevails" in text) == (language == "en")


def test_a_non_exclusive_licence_without_sublicences_prints_so(licence, central_user):
    data = licence_data(licence, exclusivity="non_exclusive", sublicensing="False", territory="eea", milestones="")
    text = text_of(save(licence, data, central_user), "fr")
    assert "licence non exclusive" in text
    assert "ne peut en concéder de sous-licence sans l’accord préalable" in text
    assert "les États de l’Espace économique européen" in text
    assert "Aucun paiement d’étape n’est prévu" in text
    assert "Plan de développement" not in text
    assert "conteste, directement ou par personne interposée, la validité" not in text  # exclusive licences only


# ---- the IP agent signs for the co-owners ----------------------------------------------------------------------
@pytest.fixture
def agent_entity(db):
    """An entity whose IP agent (Inserm) is a co-owner, not its lead negotiator (the CHU), with a third body."""
    entity = EntityFactory(name="Lille cancer research centre", code="UMR 9020")
    lead = GoverningBodyFactory(
        name="Centre hospitalier universitaire de Lille", short_name="CHU Lille", signatory_name="Marc Leclerc"
    )
    agent = GoverningBodyFactory(
        name="Institut national de la santé et de la recherche médicale",
        short_name="Inserm",
        signatory_name="Pascale Augé",
        signatory_title="Présidente d’Inserm Transfert",
    )
    other = GoverningBodyFactory(name="Université de Lille", short_name="ULille", signatory_name="Régis Bordet")
    GovernanceFactory(entity=entity, body=lead, is_lead_negotiator=True, is_managing_body=True)
    GovernanceFactory(entity=entity, body=agent, is_ip_agent=True)
    GovernanceFactory(entity=entity, body=other)
    return entity


def parties_by_body(agreement) -> dict[str, object]:
    return {p.body.short_name if p.body_id else "company": p for p in agreement.parties.select_related("body")}


@pytest.mark.parametrize("kind", [LICENCE, OPTION])
def test_only_the_company_and_the_ip_agent_sign_the_others_through_it(make, agent_entity, central_user, kind):
    parties = parties_by_body(make(kind, on=agent_entity))

    assert {name: p.must_sign for name, p in parties.items()} == {
        "company": True,
        "CHU Lille": False,
        "Inserm": True,
        "ULille": False,
    }
    assert parties["CHU Lille"].role == PartyRole.LEAD_NEGOTIATOR  # still the lead negotiator…
    assert parties["CHU Lille"].signs_through == parties["Inserm"]  # …signing through the IP agent
    assert parties["ULille"].signs_through == parties["Inserm"]


def test_a_research_collaboration_with_the_same_entity_is_signed_by_every_body(make, agent_entity):
    parties = parties_by_body(make(AgreementKind.RESEARCH_COLLABORATION, on=agent_entity))
    assert all(p.must_sign for p in parties.values())
    assert not any(p.signs_through_id for p in parties.values())


def test_the_licence_names_the_ip_agent_and_the_bodies_it_represents(make, agent_entity, central_user):
    agreement = make(LICENCE, on=agent_entity)
    text = text_of(save(agreement, licence_data(agreement), central_user), "fr")

    inserm = "Institut national de la santé et de la recherche médicale"
    assert text.count(f"représenté aux fins des présentes par {inserm}, en vertu d’un mandat") == 2
    assert (
        "agissant en son nom et au nom et pour le compte de : Centre hospitalier universitaire de Lille, "
        "Université de Lille" in text
    )
    assert f"ceux-ci ont désigné {inserm} comme mandataire unique" in text
    signatures = text[text.index("Signatures") :]
    assert f"Pour {inserm}" in signatures and "Pascale Augé" in signatures
    assert "Pour Centre hospitalier" not in signatures and "Pour Université de Lille" not in signatures
    assert "Marc Leclerc" not in text and "Régis Bordet" not in text  # their own signatories sign nothing here


def test_without_an_ip_agent_every_co_owner_signs_and_the_form_warns(make, central_user):
    entity = EntityFactory(name="Unit without an IP agent", code="U1170")
    GovernanceFactory(entity=entity, body=GoverningBodyFactory(), is_lead_negotiator=True)
    GovernanceFactory(entity=entity, body=GoverningBodyFactory())
    agreement = make(OPTION, on=entity)

    assert agreement.parties.filter(must_sign=True).count() == 3
    warnings = OptionTermsForm(option_data(agreement), agreement=agreement).warnings
    assert "no IP agent (mandataire unique) recorded: each of the 2 co-owning bodies signs for itself" in warnings[0]
    text = text_of(save(agreement, option_data(agreement), central_user), "fr")
    assert "Dans l’attente de la désignation du mandataire unique" in text


# ---- the admin page ---------------------------------------------------------------------------------------------
def test_the_licence_terms_page_saves_warns_and_lists_them(client, legal_officer, licence):
    url = reverse("admin:agreements_agreement_terms", args=[licence.pk])
    client.force_login(legal_officer)
    page = client.get(url).content.decode()
    for heading in ("Licensed patents and rights", "Scope", "Financial terms", "Diligence and patents"):
        assert f"<h2>{heading}</h2>" in page
    assert "From 1 to 25." in page  # the term in years

    response = client.post(url, licence_data(licence, royalty_rate="12"), follow=True)
    page = response.content.decode()
    assert "A royalty of 12 % of net sales is high" in page
    page = client.get(reverse("admin:agreements_agreement_change", args=[licence.pk])).content.decode()
    assert "<dt>Royalty rate (% of net sales)</dt><dd>12.00</dd>" in page
    assert "<dt>Exclusivity</dt><dd>Exclusive</dd>" in page
    assert "<dt>Sublicensing allowed</dt><dd>Yes</dd>" in page
