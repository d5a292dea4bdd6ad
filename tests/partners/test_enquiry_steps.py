"""Each step of the enquiry form, as a company member meets it: a wrong or missing answer gets its message and
loses nothing already typed; a draft comes back as it was left; once sent, it can no longer be changed."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from notifications.models import Notification
from partners.choices import EnquiryStage, LicenceSubject, PartnershipKind
from partners.models import Capability, DiseaseArea, Enquiry

from ..factories import EnquiryFactory, submitted_enquiry
from .pages import field_names, form_values, shown

pytestmark = pytest.mark.django_db

REQUIRED = "This field is required."


@pytest.fixture
def aml(db):
    return DiseaseArea.objects.get(code="aml")


@pytest.fixture
def draft(company, company_member):
    """A complete draft of the member's company, ready to send."""
    return EnquiryFactory(company=company, title="Anti-CD123 antibody on primary AML", language="en")


def edit(enquiry, step):
    return reverse("partners:enquiry_edit", args=[enquiry.pk, step])


def project_data(**overrides):
    data = {"summary": "A non-confidential summary.", "objectives": "Efficacy data.", "budget_band": "50k_200k"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def practical_data(**overrides):
    data = {"contact_name": "Chloé Company", "contact_email": "chloe@leukos.example", "language": "en"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def errors_of(response, field):
    return response.context["form"].errors.get(field, [])


# Step 1: what the company needs


def test_a_first_step_without_title_asks_for_it_and_keeps_the_choices_made(member, aml):
    response = member.post(
        reverse("partners:enquiry_new"), {"title": "", "kind": "consultancy", "disease_areas": [aml.pk]}
    )
    assert response.status_code == 200
    assert errors_of(response, "title") == [REQUIRED]
    assert REQUIRED in response.text
    shown_values = form_values(response.text)
    assert shown_values["kind"] == ["consultancy"]
    assert shown_values["disease_areas"] == [str(aml.pk)]
    assert not Enquiry.objects.exists()


def test_a_first_step_without_kind_asks_for_it_and_keeps_the_title(member, aml):
    response = member.post(reverse("partners:enquiry_new"), {"title": "CAR-T batches", "disease_areas": [aml.pk]})
    assert errors_of(response, "kind") == [REQUIRED]
    assert shown(response.text, "title") == "CAR-T batches"
    assert not Enquiry.objects.exists()


def test_a_first_step_without_disease_area_asks_for_one(member):
    response = member.post(reverse("partners:enquiry_new"), {"title": "CAR-T batches", "kind": "bilateral_rd"})
    assert errors_of(response, "disease_areas") == ["Choose at least one disease area."]
    assert "Choose at least one disease area." in response.text
    assert shown(response.text, "title") == "CAR-T batches"
    assert form_values(response.text)["kind"] == ["bilateral_rd"]
    assert not Enquiry.objects.exists()


def test_the_kind_other_needs_no_disease_area(member, company):
    response = member.post(reverse("partners:enquiry_new"), {"title": "An idea to discuss", "kind": "other"})
    enquiry = Enquiry.objects.get()
    assert response.status_code == 302
    assert response["Location"] == edit(enquiry, "project")
    assert enquiry.company == company
    assert enquiry.kind == PartnershipKind.OTHER
    assert not enquiry.disease_areas.exists()


def test_a_licence_must_say_what_it_is_for(member, aml):
    response = member.post(
        reverse("partners:enquiry_new"), {"title": "Licence", "kind": "licence", "disease_areas": [aml.pk]}
    )
    assert errors_of(response, "licence_subject") == ["Say what the licence would be for."]
    assert "Say what the licence would be for." in response.text
    assert form_values(response.text)["kind"] == ["licence"]
    assert not Enquiry.objects.exists()


def test_what_the_licence_is_for_is_dropped_when_the_kind_is_not_a_licence(member, aml):
    member.post(
        reverse("partners:enquiry_new"),
        {"title": "R&D", "kind": "bilateral_rd", "licence_subject": "samples", "disease_areas": [aml.pk]},
    )
    assert Enquiry.objects.get().licence_subject == ""


def test_a_wrong_answer_on_a_saved_draft_keeps_the_draft_as_it_was(member, draft):
    response = member.post(edit(draft, "needs"), {"title": "New title", "kind": "bilateral_rd"})
    assert errors_of(response, "disease_areas") == ["Choose at least one disease area."]
    assert shown(response.text, "title") == "New title"  # what was just typed is on the page again
    draft.refresh_from_db()
    assert draft.title == "Anti-CD123 antibody on primary AML"
    assert draft.disease_areas.filter(code="aml").exists()


# Step 2: the project


@pytest.mark.parametrize("missing", ["summary", "objectives"])
def test_the_project_needs_a_summary_and_objectives(member, draft, missing):
    typed = project_data(summary="Typed summary.", objectives="Typed objectives.", budget_band="gt1m")
    typed[missing] = ""
    response = member.post(edit(draft, "project"), typed)
    assert response.status_code == 200
    assert errors_of(response, missing) == [REQUIRED]
    other = "objectives" if missing == "summary" else "summary"
    assert shown(response.text, other) == typed[other]
    assert form_values(response.text)["budget_band"] == ["gt1m"]


def test_the_project_step_says_the_summary_is_non_confidential(member, draft):
    page = member.get(edit(draft, "project"))
    assert "Non-confidential only" in page.text
    assert "write nothing you would not publish" in page.text


def test_call_questions_appear_only_for_a_collaborative_project(member, company, draft):
    call = EnquiryFactory(company=company, kind=PartnershipKind.COLLABORATIVE_CALL)
    assert {"funding_programme", "funding_call", "funding_deadline"} <= field_names(
        member.get(edit(call, "project")).text
    )
    assert not {"funding_programme", "funding_deadline"} & field_names(member.get(edit(draft, "project")).text)


def test_a_collaborative_project_names_its_programme_and_deadline(member, company):
    call = EnquiryFactory(company=company, kind=PartnershipKind.COLLABORATIVE_CALL)
    response = member.post(edit(call, "project"), project_data(funding_call="HORIZON-MISS-2026-CANCER-01"))
    assert errors_of(response, "funding_programme") == [REQUIRED]
    assert errors_of(response, "funding_deadline") == [REQUIRED]
    assert shown(response.text, "funding_call") == "HORIZON-MISS-2026-CANCER-01"
    assert shown(response.text, "summary") == "A non-confidential summary."


def test_a_past_call_deadline_is_refused(member, company):
    call = EnquiryFactory(company=company, kind=PartnershipKind.COLLABORATIVE_CALL)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    response = member.post(
        edit(call, "project"),
        project_data(funding_programme="horizon_europe", funding_deadline=yesterday.isoformat()),
    )
    assert errors_of(response, "funding_deadline") == ["This deadline is already past."]
    assert "This deadline is already past." in response.text
    assert form_values(response.text)["funding_programme"] == ["horizon_europe"]
    call.refresh_from_db()
    assert call.funding_deadline is None


def test_a_future_call_deadline_is_saved(member, company):
    call = EnquiryFactory(company=company, kind=PartnershipKind.COLLABORATIVE_CALL)
    deadline = timezone.localdate() + dt.timedelta(days=60)
    response = member.post(
        edit(call, "project"),
        project_data(funding_programme="eu_cancer_mission", funding_deadline=deadline.isoformat()),
    )
    assert response.status_code == 302
    call.refresh_from_db()
    assert (call.funding_programme, call.funding_deadline) == ("eu_cancer_mission", deadline)


def test_a_start_date_in_the_past_is_refused(member, draft):
    response = member.post(
        edit(draft, "project"), project_data(wished_start=(timezone.localdate() - dt.timedelta(days=30)).isoformat())
    )
    assert errors_of(response, "wished_start") == ["Choose a start date from today on."]


def test_the_scientific_project_is_asked_only_for_a_licence_of_samples(member, company):
    samples = EnquiryFactory(company=company, kind=PartnershipKind.LICENCE, licence_subject=LicenceSubject.SAMPLES)
    patent = EnquiryFactory(company=company, kind=PartnershipKind.LICENCE, licence_subject=LicenceSubject.PATENT)
    assert "scientific_project" in field_names(member.get(edit(samples, "project")).text)
    assert "scientific_project" not in field_names(member.get(edit(patent, "project")).text)


def test_a_licence_of_samples_requires_the_scientific_project(member, company):
    samples = EnquiryFactory(company=company, kind=PartnershipKind.LICENCE, licence_subject=LicenceSubject.SAMPLES)
    response = member.post(edit(samples, "project"), project_data())
    assert errors_of(response, "scientific_project") == [REQUIRED]
    assert "OPALE transfers biological samples only for a scientific project" in response.text
    response = member.post(
        edit(samples, "project"), project_data(scientific_project="200 AML samples for a CRISPR screen.")
    )
    assert response.status_code == 302
    samples.refresh_from_db()
    assert samples.scientific_project == "200 AML samples for a CRISPR screen."


@pytest.mark.parametrize("patient_data", ["licence of a database extract", "real-world data sought"])
def test_patient_data_requires_its_intended_use_and_legal_basis(member, company, patient_data):
    if patient_data == "licence of a database extract":
        enquiry = EnquiryFactory(company=company, kind=PartnershipKind.LICENCE, licence_subject=LicenceSubject.DATA)
    else:
        enquiry = EnquiryFactory(company=company)
        enquiry.capabilities.add(Capability.objects.get(code="real_world_data"))
    response = member.post(edit(enquiry, "project"), project_data())
    assert errors_of(response, "data_use") == [REQUIRED]
    assert "MR-004" in response.text  # the help says which legal bases are meant
    response = member.post(edit(enquiry, "project"), project_data(data_use="Outcome study under MR-004."))
    assert response.status_code == 302
    enquiry.refresh_from_db()
    assert enquiry.data_use == "Outcome study under MR-004."


def test_no_data_use_is_asked_without_patient_data(member, draft):
    assert "data_use" not in field_names(member.get(edit(draft, "project")).text)


# Step 3: contacts and documents


@pytest.mark.parametrize("missing", ["contact_name", "contact_email"])
def test_the_contact_person_is_required(member, draft, missing):
    typed = practical_data(signatory_name="Dr Sign")
    typed[missing] = ""
    response = member.post(edit(draft, "practical"), typed)
    assert response.status_code == 200
    assert errors_of(response, missing) == [REQUIRED]
    assert shown(response.text, "signatory_name") == "Dr Sign"
    draft.refresh_from_db()
    assert draft.signatory_name == ""


def test_the_contact_defaults_to_the_member_who_started_the_draft(member, company_member, aml):
    member.post(reverse("partners:enquiry_new"), {"title": "R&D", "kind": "bilateral_rd", "disease_areas": [aml.pk]})
    page = member.get(edit(Enquiry.objects.get(), "practical"))
    assert shown(page.text, "contact_name") == company_member.get_full_name()
    assert shown(page.text, "contact_email") == company_member.email


# Step 4: review and send


def test_the_review_lists_what_is_missing_with_links_and_refuses_to_send(member, company):
    incomplete = EnquiryFactory(company=company, summary="", objectives="", contact_name="")
    review = member.get(edit(incomplete, "review"))
    assert "A few things are missing before you can send" in review.text
    project_problem = escape("Write the non-confidential summary and the objectives.")
    contact_problem = escape("Give the name and e-mail of the person OPALE should talk to.")
    assert f'<a href="{edit(incomplete, "project")}">{project_problem}</a>' in review.text
    assert f'<a href="{edit(incomplete, "practical")}">{contact_problem}</a>' in review.text
    assert re.search(r'<button[^>]*type="submit"[^>]*disabled>\s*Send my enquiry', review.text)

    response = member.post(edit(incomplete, "review"), {"consent": "on", "website": ""}, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain in ([], [(edit(incomplete, "review"), 302)])  # back on the review page
    assert project_problem in response.text
    incomplete.refresh_from_db()
    assert (incomplete.stage, incomplete.reference) == (EnquiryStage.DRAFT, None)
    assert not Notification.objects.exists()


def test_the_review_shows_a_complete_draft_and_a_link_to_the_privacy_notice(member, draft):
    review = member.get(edit(draft, "review"))
    assert "A few things are missing" not in review.text
    assert draft.summary in review.text
    assert reverse("partners:privacy") in review.text


def test_sending_needs_consent(member, draft):
    response = member.post(edit(draft, "review"), {"website": ""})  # the browser sends the empty honeypot
    assert response.status_code == 200
    assert errors_of(response, "consent") == [REQUIRED]
    draft.refresh_from_db()
    assert draft.stage == EnquiryStage.DRAFT


def test_a_filled_honeypot_is_refused_and_nothing_is_sent(member, draft):
    response = member.post(edit(draft, "review"), {"consent": "on", "website": "https://cheap-pills.example"})
    assert response.status_code == 403
    draft.refresh_from_db()
    assert (draft.stage, draft.reference) == (EnquiryStage.DRAFT, None)
    assert not Notification.objects.exists()


def test_the_reference_is_given_when_the_enquiry_is_sent(member, draft, django_capture_on_commit_callbacks):
    assert draft.reference is None
    listing = member.get(reverse("partners:enquiry_list"))
    assert "Draft – not sent yet" in listing.text
    with django_capture_on_commit_callbacks(execute=True):
        response = member.post(edit(draft, "review"), {"consent": "on"})
    draft.refresh_from_db()
    assert draft.stage == EnquiryStage.SUBMITTED
    assert re.fullmatch(rf"OPA-{timezone.localdate().year}-\d{{5}}", draft.reference)
    assert response["Location"] == reverse("partners:enquiry_submitted", args=[draft.pk])
    assert draft.reference in member.get(response["Location"]).text


# Drafts: saved, resumed, closed to changes once sent


def test_a_draft_is_resumed_with_everything_saved(member, company, aml):
    car_t = Capability.objects.exclude(code="real_world_data").first()
    draft = EnquiryFactory(
        company=company,
        title="CD123 in AML",
        kind=PartnershipKind.CONSULTANCY,
        summary="Line one.\nLine two.",
        objectives="A biomarker.",
        budget_band="200k_500k",
        duration_months=18,
        contact_name="Claire Martin",
        contact_email="claire.martin@example.com",
        signatory_name="Dr Sign",
        nda_required=True,
        language="en",
    )
    draft.capabilities.add(car_t)
    needs = member.get(edit(draft, "needs")).text
    assert shown(needs, "title") == "CD123 in AML"
    assert form_values(needs)["kind"] == ["consultancy"]
    assert form_values(needs)["disease_areas"] == [str(aml.pk)]
    assert form_values(needs)["capabilities"] == [str(car_t.pk)]
    project = member.get(edit(draft, "project")).text
    assert shown(project, "summary") == "Line one.\nLine two."
    assert shown(project, "objectives") == "A biomarker."
    assert shown(project, "budget_band") == "200k_500k"
    assert shown(project, "duration_months") == "18"
    practical = member.get(edit(draft, "practical")).text
    assert shown(practical, "contact_name") == "Claire Martin"
    assert shown(practical, "signatory_name") == "Dr Sign"
    assert form_values(practical)["nda_required"] == ["on"]
    assert shown(practical, "language") == "en"


def test_my_enquiries_leads_back_to_a_draft(member, draft):
    listing = member.get(reverse("partners:enquiry_list"))
    assert edit(draft, "needs") in listing.text


def test_a_draft_of_the_company_is_opened_on_its_first_step_from_its_page(member, draft):
    response = member.get(reverse("partners:enquiry_detail", args=[draft.pk]))
    assert response["Location"] == edit(draft, "needs")


def test_save_and_go_back_saves_the_step(member, draft):
    page = member.get(edit(draft, "project"))
    assert re.search(r'name="go" value="needs"[^>]*>\s*← Save and go back', page.text)
    response = member.post(edit(draft, "project"), project_data(summary="Rewritten summary.", go="needs"))
    assert response["Location"] == edit(draft, "needs")
    draft.refresh_from_db()
    assert draft.summary == "Rewritten summary."


def test_save_and_continue_goes_to_the_next_step(member, draft):
    assert member.post(edit(draft, "project"), project_data())["Location"] == edit(draft, "practical")
    assert member.post(edit(draft, "practical"), practical_data())["Location"] == edit(draft, "review")


def test_an_unknown_step_is_not_found(member, draft):
    assert member.get(edit(draft, "payment")).status_code == 404


@pytest.mark.parametrize("step", ["needs", "project", "practical", "review"])
def test_a_sent_enquiry_can_no_longer_be_edited(member, company, step):
    sent = submitted_enquiry(company=company, summary="As sent.")
    detail = reverse("partners:enquiry_detail", args=[sent.pk])
    assert member.get(edit(sent, step))["Location"] == detail
    response = member.post(edit(sent, step), {**project_data(summary="Changed afterwards."), "consent": "on"})
    assert response["Location"] == detail
    sent.refresh_from_db()
    assert sent.summary == "As sent."
    assert sent.stage_changes.count() == 1  # sent once, not twice


# What is typed is stored as typed and never run as code


def test_a_script_in_the_summary_is_stored_as_typed_and_shown_escaped(member, draft, company_member):
    script = "Antibody on <script>alert('x')</script> AML blasts & <b>CD123</b>"
    member.post(edit(draft, "project"), project_data(summary=script))
    draft.refresh_from_db()
    assert draft.summary == script
    member.post(edit(draft, "review"), {"consent": "on"})
    page = member.get(reverse("partners:enquiry_detail", args=[draft.pk]))
    assert page.status_code == 200
    assert escape(script) in page.text
    assert "<script>alert" not in page.text
    assert "<b>CD123</b>" not in page.text


@hypothesis_settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    summary=st.text(alphabet=st.sampled_from("aZ é<>&\"'/=;(){}\n"), min_size=1, max_size=80).filter(
        lambda s: s.strip()
    )
)
def test_any_summary_is_stored_as_typed_and_shown_escaped(member, draft, summary):
    cache.clear()  # one member, many saves: stay under the enquiry rate limit
    response = member.post(edit(draft, "project"), project_data(summary=summary))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.summary == summary.strip()  # Django trims the ends of text fields, nothing else
    review = member.get(edit(draft, "review")).text
    assert escape(draft.summary) in review


def test_a_forged_company_stage_or_reference_in_a_new_enquiry_is_ignored(member, company, other_company, aml):
    member.post(
        reverse("partners:enquiry_new"),
        {
            "title": "Forged",
            "kind": "bilateral_rd",
            "disease_areas": [aml.pk],
            "company": other_company.pk,
            "company_id": other_company.pk,
            "stage": "signed",
            "reference": "OPA-2020-00001",
        },
    )
    enquiry = Enquiry.objects.get(title="Forged")
    assert enquiry.company == company
    assert (enquiry.stage, enquiry.reference) == (EnquiryStage.DRAFT, None)
    assert not other_company.enquiries.exists()


@pytest.mark.parametrize("step", ["needs", "project", "practical"])
def test_a_forged_company_stage_or_reference_on_a_step_is_ignored(member, draft, other_company, aml, step):
    forged = {"company": other_company.pk, "stage": "submitted", "reference": "OPA-2020-00001"}
    data = {
        "needs": {"title": "Still ours", "kind": "bilateral_rd", "disease_areas": [aml.pk]},
        "project": project_data(),
        "practical": practical_data(),
    }[step]
    assert member.post(edit(draft, step), {**data, **forged}).status_code == 302
    draft.refresh_from_db()
    assert draft.company.legal_name == "Leukos Therapeutics SAS"
    assert (draft.stage, draft.reference) == (EnquiryStage.DRAFT, None)


# Both languages


@pytest.mark.parametrize(("language", "expected"), [("fr", "fr"), ("en", "en")])
def test_the_preferred_language_starts_as_the_language_of_the_pages(client, company_member, aml, language, expected):
    client.force_login(company_member)
    client.post(
        reverse("partners:enquiry_new"),
        {"title": "R&D", "kind": "bilateral_rd", "disease_areas": [aml.pk]},
        headers={"Accept-Language": language},
    )
    assert Enquiry.objects.get().language == expected


def test_the_step_names_are_in_the_language_of_the_page(client, company_member, draft):
    client.force_login(company_member)
    english = client.get(edit(draft, "project"), headers={"Accept-Language": "en"}).text
    french = client.get(edit(draft, "project"), headers={"Accept-Language": "fr"}).text
    assert "What you need" in english and "Review and send" in english
    assert "Votre besoin" in french and "Relecture et envoi" in french
