"""The service and consultancy agreements (issue 6, DOMAIN.md section 3): their terms save with the contract's
dates, each check refuses with its message, a missing term blocks sending to the company, the drafts read back in
French and in both languages, and each kind's own rule: a service with inventive work is steered to a research
collaboration; a consultancy with a hospital clinician carries the transparency and anti-gift obligations."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from pypdf import PdfReader

from agreements import documents, services, workflow
from agreements.choices import AgreementKind
from agreements.choices import ContractStage as C
from agreements.models import Agreement
from agreements.terms import KINDS
from agreements.terms.consultancy import declarations_required
from agreements.terms.service import proposes_collaboration

from ...factories import GovernanceFactory, GoverningBodyFactory, contract, contracting_enquiry, terms_data

pytestmark = pytest.mark.django_db

EXAMPLES = hypothesis_settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
STATEMENT = "Screen the company's 12 compounds on 40 primary AML samples of the platform, in triplicate"
SUBJECT = "Advice on the design of the company's preclinical programme on CD123 in AML."
INVENTIVE = "Propose a research collaboration agreement instead"


# ---- fixtures and helpers -----------------------------------------------------------------------------------------
@pytest.fixture
def co_owner(entity):
    body = GoverningBodyFactory(name="Institut national de la santé et de la recherche médicale", short_name="Inserm")
    GovernanceFactory(entity=entity, body=body)
    return body


@pytest.fixture
def make(entity, co_owner, company, central_user):
    """``make("service")``: an agreement of that kind on an enquiry in contracting, no terms entered yet."""

    def build(kind: str, language: str = "fr", **enquiry) -> Agreement:
        enquiry = contracting_enquiry(
            entity=entity, actor=central_user, company=company, title="CD123 antibody", **enquiry
        )
        return contract(enquiry=enquiry, entity=entity, actor=central_user, kind=kind, language=language)

    return build


@pytest.fixture
def service(make):
    return make(AgreementKind.SERVICE)


@pytest.fixture
def consultancy(make):
    return make(AgreementKind.CONSULTANCY)


def save(agreement, actor, **changes) -> Agreement:
    return services.agreement_save_terms(agreement=agreement, actor=actor, data=terms_data(agreement, **changes))


def errors_of(agreement, actor, **changes) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        save(agreement, actor, **changes)
    return caught.value.message_dict


def form(agreement, **changes):
    return KINDS[agreement.kind].form(terms_data(agreement, **changes), agreement=agreement)


def text_of(agreement, language: str) -> str:
    pdf = documents.render_pdf(documents.build_html(agreement, language, False))
    reader = PdfReader(io.BytesIO(pdf))
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    return text.replace("\u202f", " ").replace("\xa0", " ")


def to_internal_review(agreement, actor) -> None:
    workflow.agreement_start_drafting(agreement=agreement, actor=actor)
    workflow.agreement_submit_for_internal_review(agreement=agreement, actor=actor)


def drop_terms(agreement, *keys) -> None:
    terms = Agreement.objects.get(pk=agreement.pk).terms
    for key in keys:
        del terms[key]
    Agreement.objects.filter(pk=agreement.pk).update(terms=terms)


# ---- both kinds: saved with their dates, sent only when complete ------------------------------------------------
@pytest.mark.parametrize("kind", [AgreementKind.SERVICE, AgreementKind.CONSULTANCY])
def test_valid_terms_save_and_give_the_contract_its_dates(make, central_user, kind):
    agreement = make(kind)
    saved = save(agreement, central_user, effective_date="2030-01-31", duration_months="1")
    saved.refresh_from_db()
    assert (saved.starts_on, saved.ends_on) == (dt.date(2030, 1, 31), dt.date(2030, 2, 28))
    saved = save(agreement, central_user, effective_date="2030-03-15", duration_months="12")
    assert (saved.starts_on, saved.ends_on) == (dt.date(2030, 3, 15), dt.date(2031, 3, 15))


@pytest.mark.parametrize(
    ("kind", "dropped", "labels"),
    [
        (
            AgreementKind.SERVICE,
            ("statement_of_work", "acceptance_procedure", "inventive_work_expected"),
            ("Statement of work", "Acceptance procedure", "Is inventive work expected?"),
        ),
        (
            AgreementKind.CONSULTANCY,
            ("consultants", "fee_payment", "hospital_clinician"),
            ("Consultants (names and positions)", "How the fee is paid", "Does a hospital clinician take part?"),
        ),
    ],
)
def test_a_missing_term_blocks_sending_with_its_name(make, central_user, kind, dropped, labels):
    agreement = make(kind)
    to_internal_review(agreement, central_user)
    save(agreement, central_user)
    drop_terms(agreement, *dropped)

    with pytest.raises(ValidationError) as caught:
        workflow.agreement_send_to_company(agreement=agreement, actor=central_user)
    message = caught.value.messages[0]
    for label in labels:
        assert label in message
    assert "Effective date" not in message
    assert Agreement.objects.get(pk=agreement.pk).stage == C.INTERNAL_REVIEW

    save(agreement, central_user)
    assert workflow.agreement_send_to_company(agreement=agreement, actor=central_user).stage == C.SENT_TO_COMPANY


@pytest.mark.parametrize(
    ("kind", "question"),
    [
        (AgreementKind.SERVICE, "inventive_work_expected"),
        (AgreementKind.CONSULTANCY, "hospital_clinician"),
    ],
)
def test_the_yes_no_question_must_be_answered(make, central_user, kind, question):
    agreement = make(kind)
    assert "required" in errors_of(agreement, central_user, **{question: ""})[question][0]


@pytest.mark.parametrize("kind", [AgreementKind.SERVICE, AgreementKind.CONSULTANCY])
def test_the_form_starts_from_the_enquiry(make, kind):
    wished = timezone.localdate() + dt.timedelta(days=45)
    agreement = make(kind, wished_start=wished, duration_months=9)
    shown = KINDS[kind].form(agreement=agreement)
    assert shown["effective_date"].value() == wished
    assert shown["duration_months"].value() == 9
    text = "statement_of_work" if kind == AgreementKind.SERVICE else "subject"
    assert shown[text].value() == agreement.enquiry.objectives

    past = make(kind, wished_start=timezone.localdate() - dt.timedelta(days=10))
    assert KINDS[kind].form(agreement=past)["effective_date"].value() == timezone.localdate()


# ---- service ------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("price", ["0", "0.00", "-500"])
def test_service_price_must_be_above_zero(service, central_user, price):
    assert "above zero" in errors_of(service, central_user, price=price)["price"][0]


@EXAMPLES
@given(cents=st.integers(min_value=1, max_value=10**12 - 1))
def test_any_service_price_above_zero_is_accepted(service, cents):
    price = Decimal(cents) / 100
    checked = form(service, price=str(price))
    assert checked.is_valid(), checked.errors
    assert checked.to_terms()["price"] == str(price)


@pytest.mark.parametrize("basis", ["market_price", "full_cost_plus_margin"])
def test_service_is_priced_at_market_or_full_cost_plus_margin(service, central_user, basis):
    assert save(service, central_user, pricing_basis=basis).terms["pricing_basis"] == basis


def test_full_cost_alone_is_refused_for_a_service(service, central_user):
    message = errors_of(service, central_user, pricing_basis="full_cost")["pricing_basis"][0]
    assert "market price or at full cost plus a margin" in message
    assert "full_cost" in message


@EXAMPLES
@given(days=st.integers(min_value=-5, max_value=200))
def test_days_to_accept_a_deliverable_are_bounded(service, days):
    checked = form(service, acceptance_days=str(days))
    assert checked.is_valid() == (1 <= days <= 90)
    if days > 90:
        assert "less than or equal to 90" in checked.errors["acceptance_days"][0]


def test_acceptance_days_default_to_fifteen(service):
    assert KINDS["service"].form(agreement=service)["acceptance_days"].value() == 15


@EXAMPLES
@given(months=st.integers(min_value=-2, max_value=100))
def test_service_duration_is_bounded(service, months):
    assert form(service, duration_months=str(months)).is_valid() == (1 <= months <= 60)


def test_inventive_work_warns_and_proposes_a_collaboration(service, central_user):
    inventive = form(service, inventive_work_expected="True")
    assert inventive.is_valid()  # allowed, but flagged
    assert len(inventive.warnings) == 1
    assert "a service agreement cannot carry it" in inventive.warnings[0]
    assert INVENTIVE in inventive.warnings[0]
    assert form(service).warnings == []

    saved = save(service, central_user, inventive_work_expected="True")
    assert saved.terms["inventive_work_expected"] is True
    assert proposes_collaboration(saved.terms)
    assert not proposes_collaboration(save(service, central_user).terms)
    assert not proposes_collaboration({})


def test_the_admin_shows_the_collaboration_warning_after_saving(client, central_user, service):
    client.force_login(central_user)
    url = reverse("admin:agreements_agreement_terms", args=[service.pk])
    response = client.post(url, terms_data(service, inventive_work_expected="True"), follow=True)
    assert INVENTIVE in response.content.decode()
    assert INVENTIVE in client.get(url).content.decode()


SERVICE_FRENCH = [
    "Contrat de prestation de services",
    "Les Résultats sont la propriété de la Société",
    "Les Établissements conservent la pleine propriété de leur Savoir-faire",
    "48 000,00 euros hors taxes",
    "prix de marché",
    "Dans un délai de 15 jours",
    "30 % on signature, the balance on acceptance of the report.",  # as typed
    "6 mois",
    "n’implique aucun travail inventif",
]
SERVICE_ENGLISH = ["Service agreement", "The Results are owned by the Company", "48,000.00 euros excluding VAT"]


@pytest.mark.parametrize("language", ["fr", "en"])
def test_service_draft_prints_parties_terms_and_language(make, central_user, language):
    agreement = save(make(AgreementKind.SERVICE, language), central_user)
    text = text_of(agreement, language)
    for expected in ["Leukos Therapeutics SAS", "Université Paris Cité", "Institut national de la santé", STATEMENT]:
        assert expected in text
    for expected in SERVICE_FRENCH:
        assert expected in text
    for english in SERVICE_ENGLISH:
        assert (english in text) == (language == "en")
    assert ("the French version prevails" in text) == (language == "en")


def test_service_draft_says_when_inventive_work_is_expected(service, central_user):
    text = text_of(save(service, central_user, inventive_work_expected="True"), "fr")
    assert "un travail inventif est attendu" in text
    assert "contrat de collaboration de recherche" in text


# ---- consultancy --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("fee", ["0", "-1.00"])
def test_consultancy_fee_must_be_above_zero(consultancy, central_user, fee):
    assert "above zero" in errors_of(consultancy, central_user, fee=fee)["fee"][0]


@EXAMPLES
@given(cents=st.integers(min_value=-(10**6), max_value=10**9))
def test_only_a_fee_above_zero_is_accepted(consultancy, cents):
    assert form(consultancy, fee=str(Decimal(cents) / 100)).is_valid() == (cents > 0)


def test_each_consultant_has_a_name_and_a_position(consultancy, central_user):
    consultants = "Dr Anne Martin, research director, U944\nPr Paul Durand"
    message = errors_of(consultancy, central_user, consultants=consultants)["consultants"][0]
    assert "Line 2" in message and "Pr Paul Durand" in message and "name, position" in message
    assert "Line 1" in errors_of(consultancy, central_user, consultants=", haematologist")["consultants"][0]

    typed = "  Dr Anne Martin, research director, U944\n\n Pr Paul Durand, haematologist, Hôpital Saint-Louis  "
    saved = save(consultancy, central_user, consultants=typed)
    assert saved.terms["consultants"] == (
        "Dr Anne Martin, research director, U944\nPr Paul Durand, haematologist, Hôpital Saint-Louis"
    )


@EXAMPLES
@given(days=st.integers(min_value=1, max_value=100), months=st.integers(min_value=1, max_value=36))
def test_the_days_must_fit_in_the_duration(consultancy, days, months):
    checked = form(consultancy, days=str(days), duration_months=str(months))
    assert checked.is_valid() == (days <= months * 20)
    if days > months * 20:
        assert f"{days} days of consultancy do not fit in {months} months" in checked.errors["days"][0]


@pytest.mark.parametrize(("field", "beyond"), [("days", 101), ("days", 0), ("duration_months", 37)])
def test_consultancy_bounds(consultancy, central_user, field, beyond):
    assert field in errors_of(consultancy, central_user, **{field: str(beyond)})


def test_a_hospital_clinician_flags_transparency_and_anti_gift_rules(consultancy, central_user):
    flagged = form(consultancy, hospital_clinician="True")
    assert flagged.is_valid()
    (warning,) = flagged.warnings
    for expected in ("Transparence Santé", "L.1453-1", "L.1453-3 onwards", "professional body", "before signature"):
        assert expected in warning
    assert form(consultancy).warnings == []

    assert declarations_required(save(consultancy, central_user, hospital_clinician="True").terms)
    assert not declarations_required(save(consultancy, central_user).terms)


CONSULTANCY_FRENCH = [
    "Contrat de consultance",
    "Dr Anne Martin, research director, U944",
    SUBJECT,
    "15 000,00 euros hors taxes",
    "10 jours",
    "Half on signature, half on delivery of the written opinion.",
    "12 mois",
]
CONSULTANCY_ENGLISH = ["Consultancy agreement", "Transparency of interests and rules on benefits", "15,000.00 euros"]


@pytest.mark.parametrize("language", ["fr", "en"])
def test_consultancy_draft_prints_parties_terms_and_language(make, central_user, language):
    agreement = save(make(AgreementKind.CONSULTANCY, language), central_user)
    text = text_of(agreement, language)
    for expected in ["Leukos Therapeutics SAS", "Université Paris Cité", "Institut national de la santé"]:
        assert expected in text
    for expected in CONSULTANCY_FRENCH:
        assert expected in text
    for english in CONSULTANCY_ENGLISH:
        assert (english in text) == (language == "en")


def test_the_draft_prints_the_clinician_obligations_only_when_flagged(consultancy, central_user):
    flagged = text_of(save(consultancy, central_user, hospital_clinician="True"), "fr")
    for expected in ("« Transparence Santé »", "article L. 1453-1", "articles L. 1453-3 et suivants", "ordinale"):
        assert expected in flagged
    assert "constaté par les Parties avant la signature" in flagged

    plain = text_of(save(consultancy, central_user), "fr")
    assert "aucun professionnel de santé exerçant en établissement de santé ne participe" in plain
    assert "Transparence Santé" not in plain and "ordinale" not in plain
