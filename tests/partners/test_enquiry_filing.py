"""A company member files an enquiry step by step in the browser's forms, and follows it."""

import pytest
from django.core import mail
from django.urls import reverse

from notifications.models import Notification
from partners.choices import EnquiryStage
from partners.models import DiseaseArea, Enquiry

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def pdf_upload(name="deck.pdf", content=PDF):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="application/pdf")


def test_a_member_files_an_enquiry_from_first_step_to_confirmation(
    client, company_member, django_capture_on_commit_callbacks
):
    client.force_login(company_member)
    aml = DiseaseArea.objects.get(code="aml")

    response = client.post(
        reverse("partners:enquiry_new"),
        {"title": "Anti-CD123 antibody on primary AML", "kind": "bilateral_rd", "disease_areas": [aml.pk]},
    )
    enquiry = Enquiry.objects.get(title="Anti-CD123 antibody on primary AML")
    assert response.status_code == 302
    assert response["Location"] == reverse("partners:enquiry_edit", args=[enquiry.pk, "project"])
    assert enquiry.stage == EnquiryStage.DRAFT

    client.post(
        reverse("partners:enquiry_edit", args=[enquiry.pk, "project"]),
        {
            "summary": "We test an antibody on <script>alert(1)</script> AML blasts.",
            "objectives": "Efficacy data.",
            "budget_band": "50k_200k",
        },
    )
    client.post(
        reverse("partners:enquiry_edit", args=[enquiry.pk, "practical"]),
        {
            "contact_name": "Chloé Company",
            "contact_email": "chloe@leukos.example",
            "language": "en",
            "files": [pdf_upload()],
        },
    )
    assert enquiry.attachments.get().original_name == "deck.pdf"

    review = client.get(reverse("partners:enquiry_edit", args=[enquiry.pk, "review"]))
    assert review.status_code == 200
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in review.text
    assert "<script>alert(1)</script>" not in review.text

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("partners:enquiry_edit", args=[enquiry.pk, "review"]), {"consent": "on"})
    enquiry.refresh_from_db()
    assert enquiry.stage == EnquiryStage.SUBMITTED
    assert response["Location"] == reverse("partners:enquiry_submitted", args=[enquiry.pk])
    confirmation = client.get(response["Location"])
    assert enquiry.reference in confirmation.text

    sent = Notification.objects.filter(template="enquiry_submitted")
    assert {n.recipient for n in sent} == {company_member.email, "chloe@leukos.example"}
    assert all(n.status == Notification.Status.SENT for n in sent)
    assert any(enquiry.reference in m.subject for m in mail.outbox)

    listing = client.get(reverse("partners:enquiry_list"))
    assert enquiry.reference in listing.text
    page = client.get(reverse("partners:enquiry_detail", args=[enquiry.pk]))
    assert "You submitted the enquiry." in page.text
    assert "deck.pdf" in page.text
