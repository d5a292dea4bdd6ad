"""The data access licence and the material transfer agreement (issue 6, DOMAIN.md section 3): their terms save
with the contract's dates, each check refuses with its message, a missing term blocks sending to the company, the
drafts read back in French and in both languages, and each kind's own rules: the licence's roles, legal route and
transfers outside the EU; the transfer's "no project, no transfer", its CODECOH number and its costs without a
price."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from pypdf import PdfReader

from agreements import documents, services, workflow
from agreements.choices import AgreementKind, PartyRole
from agreements.models import Agreement
from agreements.terms import KINDS
from agreements.workflow import WorkflowError

from ...factories import GovernanceFactory, GoverningBodyFactory, contract, contracting_enquiry, terms_data

pytestmark = pytest.mark.django_db

EXAMPLES = hypothesis_settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
PROJECT = "Cytotoxicity of the anti-CD123 antibody LKS-123 on primary AML blasts of 40 adult patients."
DATA_USE = "Real-world response to venetoclax by NPM1 status, under MR-004, from the ALFA cohort."


# ---- fixtures and helpers -----------------------------------------------------------------------------------------
@pytest.fixture
def co_owner(entity):
    body = GoverningBodyFactory(name="Institut national de la santé et de la recherche médicale", short_name="Inserm")
    GovernanceFactory(entity=entity, body=body)
    return body


@pytest.fixture
def make(entity, co_owner, company, central_user):
    """``make("data_access")``: an agreement of that kind on an enquiry in contracting (with a scientific project
    and a data use), no terms entered yet."""

    def build(kind: str, language: str = "fr", **enquiry) -> Agreement:
        enquiry = {"scientific_project": PROJECT, "data_use": DATA_USE, **enquiry}
        enquiry = contracting_enquiry(entity=entity, actor=central_user, company=company, title="CD123", **enquiry)
        return contract(enquiry=enquiry, entity=entity, actor=central_user, kind=kind, language=language)

    return build


@pytest.fixture
def licence(make):
    return make(AgreementKind.DATA_ACCESS)


@pytest.fixture
def mta(make):
    return make(AgreementKind.MATERIAL_TRANSFER)


def save(agreement, actor, **changes) -> Agreement:
    return services.agreement_save_terms(agreement=agreement, actor=actor, data=terms_data(agreement, **changes))


def errors_of(agreement, actor, **changes) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        save(agreement, actor, **changes)
    return caught.value.message_dict


def form_of(agreement, **changes):
    return KINDS[agreement.kind].form(terms_data(agreement, **changes), agreement=agreement)


def party(agreement, role):
    return agreement.parties.get(role=role)


def role_key(agreement, role) -> str:
    return f"data_role_{party(agreement, role).pk}"


def ready_to_send(agreement, actor) -> None:
    workflow.agreement_start_drafting(agreement=agreement, actor=actor)
    workflow.agreement_submit_for_internal_review(agreement=agreement, actor=actor)


def send_refusal(agreement, actor) -> str:
    with pytest.raises(ValidationError) as caught:
        workflow.agreement_send_to_company(agreement=agreement, actor=actor)
    return caught.value.messages[0]


def spoil_terms(agreement, **changes) -> None:
    """Saved terms changed behind the form's back (a term deleted when None), as an older version of the form or
    a later rule would leave them."""
    terms = dict(Agreement.objects.get(pk=agreement.pk).terms)
    for key, value in changes.items():
        if value is None:
            terms.pop(key, None)
        else:
            terms[key] = value
    Agreement.objects.filter(pk=agreement.pk).update(terms=terms)


def pdf_text(agreement, language: str) -> str:
    pdf = documents.render_pdf(documents.build_html(agreement, language, False))
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return " ".join(text.replace("\u202f", " ").replace("\xa0", " ").split())


# ==== data access licence ==========================================================================================
def test_licence_terms_save_with_the_contract_dates(licence, central_user):
    start = dt.date(2030, 1, 31)

    saved = save(licence, central_user, effective_date=start.isoformat(), duration_months=13)

    saved.refresh_from_db()
    assert (saved.starts_on, saved.ends_on) == (start, dt.date(2031, 2, 28))
    company, lead = party(licence, PartyRole.COMPANY), party(licence, PartyRole.LEAD_NEGOTIATOR)
    co_owning = party(licence, PartyRole.CO_OWNER)
    assert saved.terms["data_role"] == {
        str(company.pk): "controller",
        str(lead.pk): "controller",
        str(co_owning.pk): "none",
    }
    assert saved.terms["legal_route"] == "mr004" and saved.terms["dpo_name"] == "Nadia Benali"
    assert saved.terms["no_reidentification"] is True
    # Terms that do not apply are not stored: no transfer, no authorisation, no anonymity, no joint controllers.
    for key in (
        "transfer_country",
        "scc_annexed",
        "cnil_authorisation",
        "anonymity_justification",
        "joint_arrangement",
    ):
        assert key not in saved.terms
    assert KINDS[AgreementKind.DATA_ACCESS].missing(saved) == []


def test_licence_asks_each_party_its_role_and_prefills_the_purpose(licence):
    form = KINDS[AgreementKind.DATA_ACCESS].form(agreement=licence)

    labels = [str(form.fields[name].label) for name in form.field_names() if name.startswith("data_role_")]
    assert labels == [
        "Role of Leukos Therapeutics SAS (the company)",
        "Role of UPCité (lead negotiator)",
        "Role of Inserm (co-owner)",
    ]
    assert form["scientific_purpose"].value() == DATA_USE


def test_a_vague_purpose_is_refused(licence, central_user):
    assert "precisely" in errors_of(licence, central_user, scientific_purpose="Research.")["scientific_purpose"][0]


@pytest.mark.parametrize("field", ["legal_route", "dpo_name", "host_name", "protocol", "data_description"])
def test_licence_required_terms_are_refused_when_blank(licence, central_user, field):
    assert "required" in errors_of(licence, central_user, **{field: ""})[field][0]


# ---- roles ----------------------------------------------------------------------------------------------------
def test_someone_must_control_the_processing(licence, central_user):
    company, lead = role_key(licence, PartyRole.COMPANY), role_key(licence, PartyRole.LEAD_NEGOTIATOR)
    errors = errors_of(licence, central_user, **{company: "processor", lead: "none"})
    assert "No party is a controller" in errors["__all__"][0]


def test_the_company_receiving_the_data_processes_them(licence, central_user):
    company = role_key(licence, PartyRole.COMPANY)
    assert "it processes them" in errors_of(licence, central_user, **{company: "none"})[company][0]


def test_joint_controllers_are_several_and_share_out_their_duties(licence, central_user):
    company, lead = role_key(licence, PartyRole.COMPANY), role_key(licence, PartyRole.LEAD_NEGOTIATOR)
    alone = errors_of(licence, central_user, **{company: "joint_controller"})
    assert "cannot be a joint controller alone" in alone["__all__"][0]

    joint = {company: "joint_controller", lead: "joint_controller"}
    assert "GDPR art. 26" in errors_of(licence, central_user, **joint)["joint_arrangement"][0]

    arrangement = "UPCité informs the patients and answers their requests; each notifies its own breaches."
    saved = save(licence, central_user, joint_arrangement=arrangement, **joint)
    assert saved.terms["joint_arrangement"] == arrangement


# ---- legal route -----------------------------------------------------------------------------------------------
def test_a_cnil_authorisation_needs_its_reference(licence, central_user):
    errors = errors_of(licence, central_user, legal_route="cnil_authorisation")
    assert "enter its reference" in errors["cnil_authorisation"][0]

    saved = save(licence, central_user, legal_route="cnil_authorisation", cnil_authorisation="DR-2025-118, 3 June 2025")
    assert saved.terms["cnil_authorisation"] == "DR-2025-118, 3 June 2025"
    saved = save(licence, central_user, cnil_authorisation="DR-2025-118, 3 June 2025")  # MR-004 again
    assert "cnil_authorisation" not in saved.terms


def test_anonymous_data_need_a_justification(licence, central_user):
    errors = errors_of(licence, central_user, legal_route="anonymous")
    assert "explain why no patient can be re-identified" in errors["anonymity_justification"][0]

    reason = "Aggregated counts by age band and centre, no cell below 11 patients."
    saved = save(licence, central_user, legal_route="anonymous", anonymity_justification=reason)
    assert saved.terms["anonymity_justification"] == reason


def test_routes_that_deserve_a_second_look_warn(licence):
    assert form_of(licence).warnings == []
    anonymous = form_of(licence, legal_route="anonymous", anonymity_justification="Counts only, no rare cells.")
    assert "pseudonymised data are not anonymous" in anonymous.warnings[0]
    assert "usually falls under MR-004" in form_of(licence, legal_route="mr001").warnings[0]


# ---- transfers outside the EU ------------------------------------------------------------------------------------
def test_a_transfer_outside_the_eu_needs_its_country_and_the_standard_clauses(licence, central_user):
    errors = errors_of(licence, central_user, transfer_outside_eu="True")
    assert "name the country" in errors["transfer_country"][0]
    assert "standard contractual clauses must be annexed" in errors["scc_annexed"][0]

    saved = save(licence, central_user, transfer_outside_eu="True", transfer_country="US", scc_annexed="on")
    assert (saved.terms["transfer_country"], saved.terms["scc_annexed"]) == ("US", True)


def test_a_country_of_the_eea_is_no_transfer_outside_the_eu(licence, central_user):
    offered = dict(KINDS[AgreementKind.DATA_ACCESS].form(agreement=licence).fields["transfer_country"].choices)
    assert "US" in offered and "CH" in offered
    assert not {"DE", "FR", "NO", "RE"} & set(offered)
    errors = errors_of(licence, central_user, transfer_outside_eu="True", transfer_country="DE", scc_annexed="on")
    assert "transfer_country" in errors


def test_without_a_transfer_no_country_is_kept(licence, central_user):
    saved = save(licence, central_user, transfer_outside_eu="False", transfer_country="US", scc_annexed="on")
    assert saved.terms["transfer_outside_eu"] is False
    assert "transfer_country" not in saved.terms and "scc_annexed" not in saved.terms


# ---- fees at cost, bounds ---------------------------------------------------------------------------------------
def test_the_fee_recovers_costs_and_is_no_price(licence, central_user):
    form = KINDS[AgreementKind.DATA_ACCESS].form(agreement=licence)
    assert not [name for name in form.fields if "price" in name or "margin" in name]
    assert "Cost recovery" in str(form.fields["access_fee"].label)
    assert "no margin" in str(form.fields["access_fee"].help_text)

    assert "negative" in errors_of(licence, central_user, access_fee="-1")["access_fee"][0]
    assert "which costs it covers" in errors_of(licence, central_user, fee_covers="")["fee_covers"][0]
    free = save(licence, central_user, access_fee="0.00", fee_covers="Nothing")
    assert free.terms["access_fee"] == "0" and "fee_covers" not in free.terms


@EXAMPLES
@given(months=st.integers(min_value=-3, max_value=90))
def test_licence_duration_is_bounded(licence, months):
    assert form_of(licence, duration_months=months).is_valid() is (1 <= months <= 60)


@EXAMPLES
@given(years=st.integers(min_value=-3, max_value=40))
def test_retention_is_bounded(licence, years):
    assert form_of(licence, retention_years=years).is_valid() is (1 <= years <= 20)


@EXAMPLES
@given(cents=st.integers(min_value=-(10**9), max_value=10**9))
def test_any_fee_at_or_above_zero_is_accepted(licence, cents):
    assert form_of(licence, access_fee=str(Decimal(cents) / 100)).is_valid() is (cents >= 0)


# ---- sending ------------------------------------------------------------------------------------------------------
def test_missing_licence_terms_block_sending_with_their_names(licence, central_user):
    ready_to_send(licence, central_user)
    message = send_refusal(licence, central_user)
    for label in ("Legal route", "Data protection officer", "Certified health-data host (HDS)", "Role of Inserm"):
        assert label in message
    assert "Reference of the CNIL authorisation" not in message

    save(licence, central_user)
    spoil_terms(licence, legal_route="cnil_authorisation", transfer_outside_eu=True, dpo_name=None)
    message = send_refusal(licence, central_user)
    for label in ("Reference of the CNIL authorisation", "Destination country", "Standard contractual clauses annexed"):
        assert label in message
    assert "Data protection officer" in message

    save(licence, central_user)
    assert workflow.agreement_send_to_company(agreement=licence, actor=central_user).stage == "sent_to_company"


# ---- the draft ------------------------------------------------------------------------------------------------------
def test_licence_draft_reads_back_in_french(make, central_user):
    licence = save(make(AgreementKind.DATA_ACCESS), central_user)

    text = pdf_text(licence, "fr")

    for expected in [
        "Licence d’accès à des données de santé",
        "Leukos Therapeutics SAS",
        "Université Paris Cité",
        "Institut national de la santé et de la recherche médicale",
        "Leukos Therapeutics SAS : responsable du traitement",
        "Institut national de la santé et de la recherche médicale : ne traite pas les Données",
        "méthodologie de référence MR-004",
        "Nadia Benali",
        "Hébergeur Santé Certifié SAS",
        "Pseudonymisation et interdiction de réidentification",
        "s’interdit toute tentative de réidentification",
        "ni rendues accessibles, y compris à distance, hors de l’Espace économique européen",
        "8 500,00 euros hors taxes",
        "à l’exclusion de toute marge",
        "pendant 2 ans après sa fin",
        "pour une durée de 24 mois",
        "Response to venetoclax-azacitidine by NPM1 status",
        "Article 15",
    ]:
        assert expected in text
    assert "English version" not in text and "Scientific purpose and protocol" not in text


def test_licence_draft_in_both_languages_prints_the_transfer_and_its_clauses(make, central_user):
    licence = save(
        make(AgreementKind.DATA_ACCESS, language="en"),
        central_user,
        transfer_outside_eu="True",
        transfer_country="US",
        scc_annexed="on",
        access_fee="0",
    )

    text = pdf_text(licence, "en")

    assert "Licence d’accès à des données de santé" in text and "Health data access licence" in text
    assert "situé hors de l’Espace économique européen : États-Unis" in text
    assert "outside the European Economic Area: United States" in text
    assert "clauses contractuelles types" in text and "standard contractual clauses" in text
    assert "annexées au Contrat" in text and "annexed to the Agreement" in text
    assert "ne donne lieu à aucun paiement" in text and "gives rise to no payment" in text
    assert "Pseudonymisation and no re-identification" in text
    assert "the French version prevails" in text


# ==== material transfer agreement ===================================================================================
def test_no_project_no_transfer(entity, co_owner, company, central_user):
    for blank in ("", "   \n"):
        enquiry = contracting_enquiry(entity=entity, actor=central_user, company=company, scientific_project=blank)
        with pytest.raises(WorkflowError, match=r"no scientific project.*\(no project, no transfer\)"):
            workflow.agreement_request(
                enquiry=enquiry, entity=entity, kind=AgreementKind.MATERIAL_TRANSFER, actor=central_user
            )
        assert not enquiry.agreements.exists()
        # Only samples need a project: other contracts start on the same enquiry.
        contract(enquiry=enquiry, entity=entity, actor=central_user, kind=AgreementKind.DATA_ACCESS)

    enquiry = contracting_enquiry(entity=entity, actor=central_user, company=company, scientific_project=PROJECT)
    agreement = workflow.agreement_request(
        enquiry=enquiry, entity=entity, kind=AgreementKind.MATERIAL_TRANSFER, actor=central_user
    )
    assert agreement.kind == AgreementKind.MATERIAL_TRANSFER


def test_transfer_terms_save_with_the_contract_dates(mta, central_user):
    saved = save(mta, central_user, effective_date="2030-03-15", duration_months=18, collection_number="dc 2008-558")

    saved.refresh_from_db()
    assert (saved.starts_on, saved.ends_on) == (dt.date(2030, 3, 15), dt.date(2031, 9, 15))
    assert saved.terms["collection_number"] == "DC-2008-558"
    assert saved.terms["scientific_project"] == PROJECT
    assert saved.terms["no_onward_transfer"] is True
    assert KINDS[AgreementKind.MATERIAL_TRANSFER].missing(saved) == []


def test_the_project_comes_from_the_enquiry_and_must_be_precise(mta, central_user):
    assert KINDS[AgreementKind.MATERIAL_TRANSFER].form(agreement=mta)["scientific_project"].value() == PROJECT
    errors = errors_of(mta, central_user, scientific_project="Tests.")
    assert "only use the agreement permits" in errors["scientific_project"][0]


def test_samples_have_no_price_only_costs(mta, central_user):
    form = KINDS[AgreementKind.MATERIAL_TRANSFER].form(agreement=mta)
    assert not [name for name in form.fields if "price" in name or "margin" in name]
    assert not [name for name, field in form.fields.items() if "price" in str(field.label).lower()]
    assert "Cost recovery" in str(form.fields["cost_recovery"].label)
    assert "never sold" in str(form.fields["cost_recovery"].help_text)

    assert "negative" in errors_of(mta, central_user, cost_recovery="-0.01")["cost_recovery"][0]
    assert "never a price" in errors_of(mta, central_user, cost_items="")["cost_items"][0]
    free = save(mta, central_user, cost_recovery="0", cost_items="")
    assert free.terms["cost_recovery"] == "0" and "cost_items" not in free.terms


@pytest.mark.parametrize("number", ["", "2008-558", "DC-08-558", "XY-2008-558", "DC-2008"])
def test_a_codecoh_number_is_required_in_its_form(mta, central_user, number):
    message = errors_of(mta, central_user, collection_number=number)["collection_number"][0]
    assert ("required" if not number else "DC-year-number") in message


@pytest.mark.parametrize("field", ["consent_status", "end_of_use"])
def test_consent_and_end_of_use_are_chosen(mta, central_user, field):
    assert "required" in errors_of(mta, central_user, **{field: ""})[field][0]
    assert "valid choice" in errors_of(mta, central_user, **{field: "sold"})[field][0]


def test_genetic_analyses_under_mere_non_objection_warn(mta):
    genetic = PROJECT + " Whole-exome sequencing of the blasts."
    assert form_of(mta, consent_status="non_objection", scientific_project=genetic).warnings
    assert form_of(mta, consent_status="consent", scientific_project=genetic).warnings == []
    assert form_of(mta, consent_status="non_objection").warnings == []


@EXAMPLES
@given(months=st.integers(min_value=-3, max_value=90))
def test_transfer_duration_is_bounded(mta, months):
    assert form_of(mta, duration_months=months).is_valid() is (1 <= months <= 60)


def test_a_missing_codecoh_number_blocks_sending(mta, central_user):
    save(mta, central_user)
    spoil_terms(mta, collection_number=None)
    ready_to_send(mta, central_user)

    message = send_refusal(mta, central_user)

    assert "Collection declaration or authorisation number (CODECOH)" in message
    assert "Materials" not in message
    save(mta, central_user)
    assert workflow.agreement_send_to_company(agreement=mta, actor=central_user).stage == "sent_to_company"


def test_transfer_draft_limits_use_to_the_project_in_french(make, central_user):
    mta = save(make(AgreementKind.MATERIAL_TRANSFER), central_user)

    text = pdf_text(mta, "fr")

    assert f"exclusivement pour le projet scientifique suivant, à l’exclusion de tout autre usage : {PROJECT}" in text
    for expected in [
        "Accord de transfert de matériel biologique",
        "Leukos Therapeutics SAS",
        "Université Paris Cité",
        "Tumorothèque Saint-Louis",
        "déclarée auprès du ministère chargé de la recherche sous le numéro DC-2008-558",
        "Les donneurs ont consenti par écrit",
        "aucun prix n’est dû",
        "3 200,00 euros hors taxes",
        "ne transfère le Matériel, ses Dérivés ou les Données Associées à aucun tiers",
        "certificat de destruction",
        "pour une durée de 18 mois",
        "Article 14",
    ]:
        assert expected in text
    assert "English version" not in text and "Use limited to the Project" not in text


def test_transfer_draft_in_both_languages(make, central_user):
    mta = save(
        make(AgreementKind.MATERIAL_TRANSFER, language="en"),
        central_user,
        end_of_use="return",
        consent_status="non_objection",
        cost_recovery="0",
    )

    text = pdf_text(mta, "en")

    assert f"solely for the following scientific project, to the exclusion of any other use: {PROJECT}" in text
    assert "Material transfer agreement (biological samples)" in text
    assert "restitue aux Établissements" in text and "returns to the Institutions" in text
    assert "ne s’y sont pas opposés" in text and "did not object" in text
    assert "Aucun frais n’est mis à la charge de la Société" in text and "No costs are charged" in text
    assert "the French version prevails" in text
