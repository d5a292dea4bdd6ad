"""The CIFRE collaboration contract, the industrial chair and the joint laboratory (issue 6, DOMAIN.md section 3):
their terms saved with the contract's dates, each check refusing with its message, the CIFRE signature deadline
(6 months after the thesis start), the missing terms that block sending, and the drafts in French and in both
languages read back with pypdf."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from pypdf import PdfReader

from agreements import documents, services, workflow
from agreements.choices import ContractStage as C
from agreements.choices import PartyRole
from agreements.models import Agreement, ContractSettings
from agreements.terms import KINDS
from agreements.terms.cifre import CifreTermsForm, signature_deadline
from agreements.terms.industrial_chair import IndustrialChairTermsForm
from agreements.terms.joint_lab import JointLabTermsForm

from ...factories import GovernanceFactory, GoverningBodyFactory, contract, contracting_enquiry, terms_data

pytestmark = pytest.mark.django_db

LATER = dt.date(2030, 1, 31)  # a start after today, the 31st: month arithmetic falls back on shorter months
KINDS_HERE = ["cifre", "industrial_chair", "joint_lab"]
FORMS = {"cifre": CifreTermsForm, "industrial_chair": IndustrialChairTermsForm, "joint_lab": JointLabTermsForm}
HYPOTHESIS = hypothesis_settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


# ---- fixtures and helpers -------------------------------------------------------------------------------------
@pytest.fixture
def co_owner(entity):
    body = GoverningBodyFactory(name="Assistance Publique - Hôpitaux de Paris", short_name="AP-HP")
    GovernanceFactory(entity=entity, body=body)
    return body


@pytest.fixture
def make(entity, co_owner, company, central_user):
    """``make(kind)``: a contract of ``kind`` for ``company`` and the entity's two bodies, terms not entered yet."""

    def build(kind: str, language: str = "fr", **enquiry) -> Agreement:
        asked = contracting_enquiry(
            entity=entity, actor=central_user, company=company, title="CD123 antibody", **enquiry
        )
        return contract(enquiry=asked, entity=entity, actor=central_user, kind=kind, language=language)

    return build


@pytest.fixture
def a_cifre(make):
    return make("cifre")


@pytest.fixture
def a_chair(make):
    return make("industrial_chair")


@pytest.fixture
def a_joint_lab(make):
    return make("joint_lab")


def by_role(agreement) -> dict[str, object]:
    return {p.role: p for p in agreement.parties.all()}


def data(agreement, **changes) -> dict:
    """The kind's valid input (tests/agreements/kind_data) with ``changes``; a change to None drops the field."""
    values = terms_data(agreement)
    values.update(changes)
    return {key: value for key, value in values.items() if value is not None}


def save(agreement, values, actor) -> Agreement:
    return services.agreement_save_terms(agreement=agreement, actor=actor, data=values)


def errors_of(agreement, values, actor) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        save(agreement, values, actor)
    return caught.value.message_dict


def change_settings(**values) -> None:
    ContractSettings.objects.filter(pk=ContractSettings.current().pk).update(**values)


def text_of(agreement: Agreement, language: str) -> str:
    pdf = documents.render_pdf(documents.build_html(agreement, language, False))
    pages = PdfReader(io.BytesIO(pdf)).pages
    return " ".join(" ".join(page.extract_text() for page in pages).split()).replace("\u202f", " ").replace("\xa0", " ")


def to_company(agreement, actor) -> Agreement:
    workflow.agreement_start_drafting(agreement=agreement, actor=actor)
    workflow.agreement_submit_for_internal_review(agreement=agreement, actor=actor)
    return workflow.agreement_send_to_company(agreement=agreement, actor=actor)


# ---- every kind: saved with its dates, blocked while incomplete -----------------------------------------------
STARTS = {"cifre": "thesis_start", "industrial_chair": "effective_date", "joint_lab": "effective_date"}
# The kind's valid data gives it these ends from LATER: the CIFRE's 36 months, the chair's 48, the joint lab's 60.
ENDS = {"cifre": dt.date(2033, 1, 31), "industrial_chair": dt.date(2034, 1, 31), "joint_lab": dt.date(2035, 1, 31)}


@pytest.mark.parametrize("kind", KINDS_HERE)
def test_valid_terms_save_with_the_contract_dates(kind, make, central_user):
    agreement = make(kind)
    saved = save(agreement, data(agreement, **{STARTS[kind]: LATER.isoformat()}), central_user)

    saved.refresh_from_db()
    assert (saved.starts_on, saved.ends_on) == (LATER, ENDS[kind])
    assert saved.terms[STARTS[kind]] == "2030-01-31"
    assert saved.terms["free_academic_use"] is True
    assert KINDS[kind].missing(saved) == []


# kind: (terms removed from the saved ones, the labels the refusal names)
MISSING = {
    "cifre": (["anrt_file_number", "thesis_director"], ["ANRT file number", "Thesis director (academic)"]),
    "industrial_chair": (["chair_holder", "steering_committee"], ["Chair holder", "Steering committee"]),
    "joint_lab": (["roadmap", "committee_members"], ["Roadmap", "Members of the joint committee"]),
}


@pytest.mark.parametrize("kind", KINDS_HERE)
def test_a_missing_term_blocks_sending_with_its_name(kind, make, central_user):
    agreement = make(kind)
    save(agreement, data(agreement), central_user)
    removed, labels = MISSING[kind]
    terms = {key: value for key, value in Agreement.objects.get(pk=agreement.pk).terms.items() if key not in removed}
    Agreement.objects.filter(pk=agreement.pk).update(terms=terms)

    with pytest.raises(ValidationError) as caught:
        to_company(agreement, central_user)

    message = caught.value.messages[0]
    for label in labels:
        assert label in message
    assert Agreement.objects.get(pk=agreement.pk).stage == C.INTERNAL_REVIEW
    save(agreement, data(agreement), central_user)
    assert workflow.agreement_send_to_company(agreement=agreement, actor=central_user).stage == C.SENT_TO_COMPANY


def test_a_missing_share_of_a_party_blocks_sending(make, central_user):
    agreement = make("joint_lab")
    save(agreement, data(agreement), central_user)
    co_owning = by_role(agreement)[PartyRole.CO_OWNER]
    terms = Agreement.objects.get(pk=agreement.pk).terms
    del terms["share"][str(co_owning.pk)], terms["contribution"][str(co_owning.pk)]
    Agreement.objects.filter(pk=agreement.pk).update(terms=terms)

    with pytest.raises(ValidationError) as caught:
        to_company(agreement, central_user)

    assert "Share of AP-HP (co-owner) (%)" in caught.value.messages[0]
    assert "Financial contribution of AP-HP (co-owner) (euros)" in caught.value.messages[0]


@pytest.mark.parametrize("kind", KINDS_HERE)
def test_the_terms_page_shows_the_kind_fieldsets_prefilled_from_the_enquiry(kind, client, make, central_user):
    agreement = make(kind, wished_start=LATER)
    client.force_login(central_user)

    page = client.get(reverse("admin:agreements_agreement_terms", args=[agreement.pk])).content.decode()

    assert "<h2>Ownership of the results</h2>" in page and "<h2>Publication</h2>" in page
    assert "Efficacy on primary samples and a biomarker of response." in page  # the enquiry's objectives
    assert 'value="2030-01-31"' in page  # its wished start
    if kind == "cifre":
        assert 'name="thesis_title" value="CD123 antibody"' in page


# ---- CIFRE -------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("start", "deadline"),
    [
        (dt.date(2026, 1, 15), dt.date(2026, 7, 15)),
        (dt.date(2026, 8, 31), dt.date(2027, 2, 28)),
        (dt.date(2027, 8, 31), dt.date(2028, 2, 29)),  # 2028 is a leap year
        (dt.date(2026, 12, 31), dt.date(2027, 6, 30)),
        (dt.date(2026, 9, 1), dt.date(2027, 3, 1)),
        ("2027-08-31", dt.date(2028, 2, 29)),  # as stored
    ],
)
def test_cifre_signature_deadline_is_six_months_after_the_thesis_start(start, deadline):
    assert signature_deadline({"thesis_start": start}) == deadline


@pytest.mark.parametrize("values", [{}, {"thesis_start": None}, {"thesis_start": ""}, {"thesis_start": "31/08/2027"}])
def test_cifre_without_a_thesis_start_has_no_deadline(values):
    assert signature_deadline(values) is None


def test_cifre_deadline_is_saved_shown_and_cannot_be_typed_over(make, central_user):
    agreement = make("cifre")
    values = data(agreement, thesis_start="2027-08-31", signature_deadline="2030-12-31")

    saved = save(agreement, values, central_user)

    assert saved.terms["signature_deadline"] == "2028-02-29"
    assert ("Signature deadline", "Feb. 29, 2028") in KINDS["cifre"].readable(saved)
    assert KINDS["cifre"].form(agreement=saved).fields["signature_deadline"].disabled
    assert (saved.starts_on, saved.ends_on) == (dt.date(2027, 8, 31), dt.date(2030, 8, 31))


def test_cifre_warns_as_the_signature_deadline_nears_and_once_it_has_passed(make):
    agreement = make("cifre")
    today = timezone.localdate()

    def warnings(start: dt.date) -> list[str]:
        form = CifreTermsForm(data(agreement, thesis_start=start.isoformat()), agreement=agreement)
        assert form.is_valid(), form.errors  # a warning never refuses
        return form.warnings

    assert warnings(today) == []  # six months ahead
    soon = warnings(today - dt.timedelta(days=170))
    assert len(soon) == 1 and "must be signed by" in soon[0]
    left = (signature_deadline({"thesis_start": today - dt.timedelta(days=170)}) - today).days
    assert f"{left} days left" in soon[0]
    late = warnings(today - dt.timedelta(days=200))
    assert "has passed" in late[0]

    change_settings(deadline_warning_days=5)
    assert warnings(today - dt.timedelta(days=170)) == []


def test_cifre_empty_form_warns_from_the_thesis_start_the_enquiry_wished(make):
    started = make("cifre", wished_start=timezone.localdate() - dt.timedelta(days=200))
    assert "has passed" in CifreTermsForm(agreement=started).warnings[0]
    assert CifreTermsForm(agreement=make("cifre", wished_start=timezone.localdate())).warnings == []


@pytest.mark.parametrize("number", ["2026-0421", "0421", "26/0421", "2026/", "1970/0001", "ANRT 2026/0421"])
def test_cifre_refuses_what_is_not_an_anrt_file_number(make, central_user, number):
    agreement = make("cifre")
    message = errors_of(agreement, data(agreement, anrt_file_number=number), central_user)["anrt_file_number"][0]
    assert "is not an ANRT file number" in message
    assert "2026/0421" in message


def test_cifre_refuses_an_anrt_year_after_next_year(make, central_user):
    agreement = make("cifre")
    next_year, after = timezone.localdate().year + 1, timezone.localdate().year + 2
    assert "anrt_file_number" in errors_of(agreement, data(agreement, anrt_file_number=f"{after}/1"), central_user)
    saved = save(agreement, data(agreement, anrt_file_number=f" {next_year}/12345 "), central_user)
    assert saved.terms["anrt_file_number"] == f"{next_year}/12345"


@HYPOTHESIS
@given(percent=st.integers(min_value=-50, max_value=150))
def test_cifre_time_at_the_company_leaves_time_at_the_laboratory(a_cifre, percent):
    form = CifreTermsForm(data(a_cifre, company_time_percent=str(percent)), agreement=a_cifre)
    if 1 <= percent <= 99:
        assert form.is_valid(), form.errors
    else:
        assert not form.is_valid()
        assert "shares their time with the laboratory" in form.errors["company_time_percent"][0]


def test_cifre_director_and_company_supervisor_are_two_people(make, central_user):
    agreement = make("cifre")
    same = data(agreement, thesis_director="Pr Jean Durand", company_supervisor="  pr jean   DURAND ")
    assert "someone else than the thesis director" in errors_of(agreement, same, central_user)["company_supervisor"][0]


def test_cifre_confidential_thesis_needs_its_years_and_a_public_one_has_none(make, central_user):
    agreement = make("cifre")
    confidential = data(agreement, confidential_thesis="True")
    errors = errors_of(agreement, confidential, central_user)
    assert errors["confidentiality_years"] == ["The thesis is confidential: say for how many years."]
    assert "confidentiality_years" in errors_of(
        agreement, {**confidential, "confidentiality_years": "11"}, central_user
    )

    saved = save(agreement, {**confidential, "confidentiality_years": "3"}, central_user)
    assert saved.terms["confidentiality_years"] == 3
    saved = save(agreement, data(agreement, confidential_thesis="False", confidentiality_years="3"), central_user)
    assert "confidentiality_years" not in saved.terms


def test_cifre_confidential_thesis_without_years_blocks_sending(make, central_user):
    agreement = make("cifre")
    save(agreement, data(agreement, confidential_thesis="True", confidentiality_years="2"), central_user)
    terms = Agreement.objects.get(pk=agreement.pk).terms
    del terms["confidentiality_years"]
    Agreement.objects.filter(pk=agreement.pk).update(terms=terms)
    assert KINDS["cifre"].missing(Agreement.objects.get(pk=agreement.pk)) == ["Years the thesis stays confidential"]
    with pytest.raises(ValidationError, match="Missing: Years the thesis stays confidential."):
        to_company(agreement, central_user)


@pytest.mark.parametrize("amount", ["0", "-100"])
def test_cifre_laboratory_contribution_is_above_zero_or_left_empty(make, central_user, amount):
    agreement = make("cifre")
    message = errors_of(agreement, data(agreement, lab_contribution=amount), central_user)["lab_contribution"][0]
    assert "leave it empty when the company pays none" in message
    assert "lab_contribution" not in save(agreement, data(agreement, lab_contribution=""), central_user).terms


def test_cifre_results_owned_by_the_company_need_a_market_price(make, central_user):
    agreement = make("cifre")
    owned = data(agreement, ownership="company")
    assert "market-equivalent price" in errors_of(agreement, owned, central_user)["market_price"][0]
    saved = save(agreement, {**owned, "market_price": "150000"}, central_user)
    assert saved.terms["market_price"] == "150000"
    assert "share" not in saved.terms


# ---- industrial chair ------------------------------------------------------------------------------------------
def test_chair_duration_defaults_from_the_settings_within_the_longest(make):
    agreement = make("industrial_chair")
    assert IndustrialChairTermsForm(agreement=agreement)["duration_months"].value() == 48
    change_settings(industrial_chair_months_default=60)
    assert IndustrialChairTermsForm(agreement=agreement)["duration_months"].value() == 60
    change_settings(collaboration_months_max=36)
    form = IndustrialChairTermsForm(agreement=agreement)
    assert form["duration_months"].value() == 36  # never a default the form would refuse
    assert "From 1 to 36." in form.fields["duration_months"].help_text


@HYPOTHESIS
@given(months=st.integers(min_value=-5, max_value=200))
def test_chair_duration_stays_within_the_settings_bounds(a_chair, months):
    form = IndustrialChairTermsForm(
        data(a_chair, effective_date=LATER.isoformat(), duration_months=str(months)), agreement=a_chair
    )
    assert form.is_valid() is (1 <= months <= 120), form.errors
    if form.is_valid():
        start, end = form.period(form.cleaned_data)
        assert start == LATER and (end.year - LATER.year) * 12 + end.month - LATER.month == months


@pytest.mark.parametrize("amount", ["0", "-1"])
def test_chair_company_contribution_is_above_zero(make, central_user, amount):
    agreement = make("industrial_chair")
    message = errors_of(agreement, data(agreement, company_contribution=amount), central_user)["company_contribution"]
    assert "above zero" in message[0]


def test_chair_other_funders_come_with_their_total_and_the_total_with_them(make, central_user):
    agreement = make("industrial_chair")
    errors = errors_of(agreement, data(agreement, other_funding=""), central_user)
    assert errors["other_funding"] == ["Other funders are named: enter the total of their contributions."]
    errors = errors_of(agreement, data(agreement, other_funders=""), central_user)
    assert errors["other_funders"] == ["An amount from other funders is entered: name them and their shares."]
    assert "other_funding" in errors_of(agreement, data(agreement, other_funding="0"), central_user)

    saved = save(agreement, data(agreement, other_funders="", other_funding=""), central_user)
    assert "other_funding" not in saved.terms


def test_chair_other_funders_without_their_total_block_sending(make, central_user):
    agreement = make("industrial_chair")
    save(agreement, data(agreement), central_user)
    terms = Agreement.objects.get(pk=agreement.pk).terms
    del terms["other_funding"]
    Agreement.objects.filter(pk=agreement.pk).update(terms=terms)
    assert KINDS["industrial_chair"].missing(Agreement.objects.get(pk=agreement.pk)) == [
        "Total of the other funders' contributions (euros)"
    ]
    with pytest.raises(ValidationError, match="Missing: Total of the other funders"):
        to_company(agreement, central_user)


# ---- joint laboratory ------------------------------------------------------------------------------------------
def test_joint_lab_has_resources_contribution_background_and_share_per_party(make):
    form = JointLabTermsForm(agreement=make("joint_lab"))
    names = form.field_names()
    for prefix in ("resources_", "contribution_", "background_", "share_"):
        assert len([name for name in names if name.startswith(prefix)]) == 3
    labels = [str(form.fields[name].label) for name in names if name.startswith("resources_")]
    assert labels == [
        "Resources of Leukos Therapeutics SAS (the company)",
        "Resources of UPCité (lead negotiator)",
        "Resources of AP-HP (co-owner)",
    ]


def test_joint_lab_company_pays_and_the_institutions_may_give_in_kind(make, central_user):
    agreement = make("joint_lab")
    parties = by_role(agreement)
    company, co_owning = parties[PartyRole.COMPANY].pk, parties[PartyRole.CO_OWNER].pk

    errors = errors_of(agreement, data(agreement, **{f"contribution_{company}": "0"}), central_user)
    assert "above zero" in errors[f"contribution_{company}"][0]
    errors = errors_of(agreement, data(agreement, **{f"contribution_{co_owning}": "-5"}), central_user)
    assert "cannot be negative" in errors[f"contribution_{co_owning}"][0]

    saved = save(agreement, data(agreement, **{f"contribution_{co_owning}": "25000"}), central_user)
    assert saved.terms["contribution"] == {
        str(company): "900000.00",
        str(parties[PartyRole.LEAD_NEGOTIATOR].pk): "0",
        str(co_owning): "25000",
    }


@HYPOTHESIS
@given(meetings=st.integers(min_value=-3, max_value=30))
def test_joint_lab_committee_meets_between_once_and_twelve_times_a_year(a_joint_lab, meetings):
    form = JointLabTermsForm(data(a_joint_lab, meetings_per_year=str(meetings)), agreement=a_joint_lab)
    assert form.is_valid() is (1 <= meetings <= 12)


def test_joint_lab_shares_of_co_owned_results_add_up_to_100(make, central_user):
    agreement = make("joint_lab")
    lead = by_role(agreement)[PartyRole.LEAD_NEGOTIATOR]
    errors = errors_of(agreement, data(agreement, **{f"share_{lead.pk}": "10"}), central_user)
    assert "must add up to exactly 100 %" in errors["__all__"][0]

    saved = save(agreement, data(agreement, ownership="academic"), central_user)
    assert "share" not in saved.terms and "market_price" not in saved.terms


def test_joint_lab_duration_is_bounded_by_the_longest_collaboration(make, central_user):
    agreement = make("joint_lab")
    change_settings(collaboration_months_max=48)
    assert "48" in errors_of(agreement, data(agreement, duration_months="49"), central_user)["duration_months"][0]
    assert save(agreement, data(agreement, duration_months="48"), central_user).terms["duration_months"] == 48


# ---- the drafts ---------------------------------------------------------------------------------------------------
PARTIES = ["Leukos Therapeutics SAS", "Université Paris Cité", "Assistance Publique - Hôpitaux de Paris"]
FRENCH = {
    "cifre": [
        "Contrat de collaboration de recherche – convention CIFRE",
        "Inès Moreau",
        "ED 561 – Hématologie, oncogenèse et biothérapies",
        "0421",  # the ANRT file number, of this year
        "31 janvier 2030",
        "31 juillet 2030, soit six mois après le début de la Thèse",
        "Pr Jean Durand",
        "Dr Claire Petit",
        "40 % dans les locaux de la Société",
        "8 000,00",
        "obligation de moyens et non de résultat",
    ],
    "industrial_chair": [
        "Convention de chaire industrielle",
        "Chaire Leukos d'immunothérapie des leucémies aiguës",
        "Pr Anne Martin, PU-PH",
        "1 200 000,00",
        "Fondation ARC",
        "400 000,00",
        "48 mois",
        "La dénomination de la Chaire comporte le nom de la Société",
        "Les Résultats sont la propriété des Établissements",
    ],
    "joint_lab": [
        "Accord de laboratoire commun",
        "LeukoLab",
        "Il se réunit 2 fois par an au moins",
        "Two engineers, a screening robot.",
        "900 000,00",
        "60 mois",
        "droit de négocier en priorité une licence",
        "Les Résultats sont la copropriété des Parties",
    ],
}
ENGLISH = {
    "cifre": ["Research collaboration contract – CIFRE industrial PhD", "Term, signature and termination"],
    "industrial_chair": ["Industrial chair agreement", "Communication and naming"],
    "joint_lab": ["Joint laboratory agreement", "Shared resources"],
}


@pytest.mark.parametrize("kind", KINDS_HERE)
@pytest.mark.parametrize("language", ["fr", "en"])
def test_each_draft_prints_the_parties_the_terms_and_its_language(kind, language, make, central_user):
    agreement = make(kind, language)
    agreement = save(agreement, data(agreement, **{STARTS[kind]: LATER.isoformat()}), central_user)

    text = text_of(agreement, language)

    for expected in [*PARTIES, *FRENCH[kind]]:
        assert expected in text, expected
    assert "Article 1" in text and "Article 12" in text
    if language == "en":
        for expected in ENGLISH[kind]:
            assert expected in text
        assert "the French version prevails" in text
    else:
        for english in ENGLISH[kind]:
            assert english not in text


def test_cifre_draft_says_whether_the_thesis_is_confidential(make, central_user):
    agreement = make("cifre", "en")
    save(
        agreement,
        data(agreement, confidential_thesis="True", confidentiality_years="4", lab_contribution=""),
        central_user,
    )

    text = text_of(Agreement.objects.get(pk=agreement.pk), "en")

    assert "que la soutenance se tienne à huis clos et que la Thèse demeure confidentielle pendant 4 ans" in text
    assert "held behind closed doors and for the Thesis to remain confidential for 4 years" in text
    assert "La collaboration ne donne lieu à aucun versement de la Société aux Établissements" in text
    assert "soutenue publiquement" not in text
