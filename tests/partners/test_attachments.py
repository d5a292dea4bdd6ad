"""Files a company shares on its enquiry: the accepted types are read from the content, each file is hashed and
sized, a refused file says why and what is accepted, and the rest of the step is kept."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from partners.attachments import ACCEPTED, CheckedFile, attachment_add, check_upload
from partners.models import Attachment

from ..factories import AttachmentFactory, EnquiryFactory, submitted_enquiry
from .files import CONTENT, PDF, ooxml, upload
from .pages import shown

pytestmark = pytest.mark.django_db

ACCEPTED_TYPES = "PDF, DOCX, PPTX, XLSX, PNG, JPEG"


@pytest.fixture
def draft(company, company_member):
    return EnquiryFactory(company=company, contact_name="", contact_email="", signatory_name="")


def practical(enquiry):
    return reverse("partners:enquiry_edit", args=[enquiry.pk, "practical"])


def send_files(client, enquiry, *files, **fields):
    data = {"contact_name": "Chloé Company", "contact_email": "chloe@leukos.example", "language": "en"}
    data.update(fields)
    return client.post(practical(enquiry), {**data, "files": list(files)}, follow=True)


def page_messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


@pytest.mark.parametrize(
    ("kind", "name"),
    [
        ("pdf", "deck.pdf"),
        ("docx", "Project outline.docx"),
        ("pptx", "pitch.pptx"),
        ("xlsx", "budget.xlsx"),
        ("png", "figure.png"),
        ("jpeg", "photo.jpg"),
        ("jpeg", "scan.JPEG"),
    ],
)
def test_each_accepted_type_is_stored_with_its_hash_size_and_real_type(member, draft, kind, name):
    content = CONTENT[kind]
    response = send_files(member, draft, upload(name, content, content_type="application/octet-stream"))
    assert response.redirect_chain[-1][0] == reverse("partners:enquiry_edit", args=[draft.pk, "review"])
    attachment = draft.attachments.get()
    assert attachment.original_name == name
    assert attachment.sha256 == hashlib.sha256(content).hexdigest()
    assert attachment.size == len(content)
    assert attachment.content_type == ACCEPTED[kind][0]  # from the bytes, not from what the browser declared
    assert attachment.uploaded_by.company_membership.company == draft.company
    with attachment.file.open("rb") as stored:
        assert stored.read() == content


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("notes.pdf", b"Just some plain text notes, not a PDF at all.\n"),
        ("page.pdf", b"<!doctype html><html><body><script>alert(1)</script></body></html>"),
        ("archive.docx", ooxml("docx")[:40]),  # a broken zip
        ("plain.docx", b"PK\x05\x06" + b"\0" * 18),  # an empty zip, no Office parts
        ("macro.pdf", b"MZ\x90\x00\x03\x00\x00\x00 an executable"),
    ],
)
def test_a_file_whose_content_is_not_an_accepted_type_is_refused_and_the_step_kept(member, draft, name, content):
    response = send_files(member, draft, upload(name, content, "application/pdf"), signatory_name="Dr Sign")
    assert response.redirect_chain == [(practical(draft), 302)]
    assert page_messages(response) == [f"“{name}” is not a file type we accept: send {ACCEPTED_TYPES}."]
    assert ACCEPTED_TYPES in response.text
    assert not Attachment.objects.exists()
    draft.refresh_from_db()
    assert (draft.contact_name, draft.contact_email, draft.signatory_name) == (
        "Chloé Company",
        "chloe@leukos.example",
        "Dr Sign",
    )
    assert shown(response.text, "signatory_name") == "Dr Sign"


def test_a_real_pdf_named_as_a_word_document_is_refused(member, draft):
    response = send_files(member, draft, upload("contract.docx", PDF))
    assert page_messages(response) == [
        "“contract.docx” has the extension of one file type but contains another (PDF). Rename it and try again."
    ]
    assert not Attachment.objects.exists()


def test_a_word_document_named_as_a_spreadsheet_is_refused(member, draft):
    response = send_files(member, draft, upload("budget.xlsx", ooxml("docx")))
    assert "contains another (DOCX)" in page_messages(response)[0]


def test_a_file_over_the_limit_is_refused_with_the_limit(member, draft, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024 * 1024
    big = PDF + b"%" * (1024 * 1024)
    response = send_files(member, draft, upload("big.pdf", big), upload("small.pdf", PDF))
    assert page_messages(response) == ["“big.pdf” is 1.0 MB; files are limited to 1 MB each."]
    assert list(draft.attachments.values_list("original_name", flat=True)) == ["small.pdf"]
    draft.refresh_from_db()
    assert draft.contact_name == "Chloé Company"


def test_a_file_just_under_the_limit_is_accepted(member, draft, settings):
    settings.ATTACHMENT_MAX_BYTES = 1000
    send_files(member, draft, upload("fits.pdf", PDF + b"%" * (1000 - len(PDF))))
    assert draft.attachments.get().size == 1000


def test_a_sixth_file_is_refused(member, draft):
    for n in range(5):
        AttachmentFactory(enquiry=draft, original_name=f"earlier-{n}.pdf")
    response = send_files(member, draft, upload("sixth.pdf"))
    assert page_messages(response) == ["An enquiry can carry at most 5 files; remove one before adding “sixth.pdf”."]
    assert draft.attachments.count() == 5


def test_six_files_at_once_keep_the_first_five(member, draft):
    files = [upload(f"part-{n}.pdf", PDF + bytes([n])) for n in range(6)]
    response = send_files(member, draft, *files)
    assert draft.attachments.count() == 5
    assert "at most 5 files" in page_messages(response)[0]
    assert "part-5.pdf" in page_messages(response)[0]


def test_an_empty_file_is_refused_and_what_was_typed_is_shown_again(member, draft):
    response = send_files(member, draft, upload("empty.pdf", b""), signatory_name="Dr Sign")
    assert response.status_code == 200
    assert "empty" in response.text
    assert shown(response.text, "signatory_name") == "Dr Sign"
    assert shown(response.text, "contact_name") == "Chloé Company"
    assert not Attachment.objects.exists()


def test_an_empty_file_is_refused_by_the_check_too(draft):
    with pytest.raises(ValidationError, match="is empty"):
        check_upload(upload("empty.pdf", b""), enquiry=draft)


def test_the_stored_file_is_named_by_its_hash_never_by_the_person(member, draft):
    send_files(member, draft, upload("../../etc/passwd.pdf", PDF))
    attachment = draft.attachments.get()
    digest = hashlib.sha256(PDF).hexdigest()
    # the storage adds a suffix when the same bytes were stored before (another enquiry): still no user input
    assert attachment.file.name.startswith(f"attachments/{digest[:2]}/{digest}")
    assert "passwd" not in attachment.file.name
    assert attachment.original_name == "passwd.pdf"
    stored = Path(attachment.file.path).resolve()
    assert stored.is_relative_to(Path(django_settings.MEDIA_ROOT).resolve() / "attachments")


def test_a_path_in_the_name_given_to_the_check_is_dropped(draft):
    checked = check_upload(upload("..\\..//../etc/passwd.pdf", PDF), enquiry=draft)
    assert checked.name == "passwd.pdf"


def test_the_download_gives_the_original_name_as_an_attachment(member, draft):
    send_files(member, draft, upload("Étude préliminaire.pdf", PDF))
    attachment = draft.attachments.get()
    response = member.get(reverse("partners:attachment_download", args=[draft.pk, attachment.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"  # the browser never guesses another type
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''%C3%89tude%20pr%C3%A9liminaire.pdf" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == PDF


@pytest.mark.parametrize(
    ("name", "disposition"),
    [
        ('report "final"; filename=evil.exe.pdf', r'attachment; filename="report \"final\"; filename=evil.exe.pdf"'),
        ("evil\r\nSet-Cookie: s=1.pdf", "attachment; filename*=utf-8''evil%0D%0ASet-Cookie%3A%20s%3D1.pdf"),
    ],
)
def test_a_hostile_name_is_downloaded_under_a_safe_header(member, draft, company_member, name, disposition):
    # A browser's multipart encoding cannot carry these names, a script could: the service is given them.
    attachment = attachment_add(enquiry=draft, upload=upload(name, PDF), actor=company_member)
    assert attachment.original_name == name
    response = member.get(reverse("partners:attachment_download", args=[draft.pk, attachment.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == disposition  # quotes escaped, line breaks encoded
    assert "Set-Cookie" not in response.headers


def test_the_draft_lists_its_files_and_a_removed_file_disappears(member, draft):
    send_files(member, draft, upload("keep.pdf", PDF), upload("drop.png", CONTENT["png"]))
    drop = draft.attachments.get(original_name="drop.png")
    stored = Path(drop.file.path)
    page = member.get(practical(draft))
    assert "keep.pdf" in page.text and "drop.png" in page.text
    assert "2 files of 5" in page.text

    response = member.post(
        reverse("partners:attachment_delete", args=[draft.pk, drop.pk]), {"step": "practical"}, follow=True
    )
    assert response.redirect_chain == [(practical(draft), 302)]
    assert page_messages(response) == ["“drop.png” removed."]
    assert list(draft.attachments.values_list("original_name", flat=True)) == ["keep.pdf"]
    assert not stored.exists()
    assert "drop.png" not in member.get(practical(draft)).text


def test_a_file_of_a_sent_enquiry_cannot_be_removed(member, company):
    sent = submitted_enquiry(company=company)
    attachment = AttachmentFactory(enquiry=sent)
    response = member.post(reverse("partners:attachment_delete", args=[sent.pk, attachment.pk]))
    assert response.status_code == 404
    assert Attachment.objects.filter(pk=attachment.pk).exists()


MAGIC = st.sampled_from([b"", b"%PDF-", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"PK\x03\x04", b"PK\x05\x06", b"GIF89a"])
NAMES = st.sampled_from(["f.pdf", "f.docx", "f.pptx", "f.xlsx", "f.png", "f.jpg", "f.jpeg", "f.txt", "f", ".pdf"])


@hypothesis_settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(head=MAGIC, body=st.binary(max_size=2048), name=NAMES)
def test_any_bytes_are_either_accepted_as_a_known_type_or_refused_with_a_message(draft, head, body, name):
    content = head + body
    try:
        checked = check_upload(upload(name, content), enquiry=draft)
    except ValidationError as error:
        assert error.messages and all(message.strip() for message in error.messages)
        return
    assert isinstance(checked, CheckedFile)
    assert checked.content_type in {mime for mime, _extensions in ACCEPTED.values()}
    assert checked.sha256 == hashlib.sha256(content).hexdigest()
    assert checked.size == len(content)
