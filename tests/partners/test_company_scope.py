"""A company's enquiries, files and colleagues are its own: any page or file of company A asked for by anybody
else answers 404 (never the object), an anonymous visitor is sent to sign in, and nobody joins a company
without an invitation sent to their verified address."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import quote

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from notifications.models import Notification
from partners.models import Attachment, Company, CompanyMember, Enquiry, Invitation, Message

from ..factories import AttachmentFactory, EnquiryFactory, UserFactory, siren, submitted_enquiry

pytestmark = pytest.mark.django_db


@dataclass
class Target:
    enquiry: Enquiry
    attachment: Attachment


@pytest.fixture(params=["draft", "submitted"])
def target(request, company, company_member):
    """Company A's enquiry, as a draft or sent, with one file."""
    if request.param == "draft":
        enquiry = EnquiryFactory(company=company, title="Secret plans of company A")
    else:
        enquiry = submitted_enquiry(company=company, title="Secret plans of company A", submitted=company_member)
    return Target(enquiry=enquiry, attachment=AttachmentFactory(enquiry=enquiry, original_name="a-secret.pdf"))


# (name, method, url builder, POST data): every company-side page of one enquiry in partners/urls.py
PAGES = [
    ("detail", "get", lambda t: reverse("partners:enquiry_detail", args=[t.enquiry.pk]), None),
    *[
        (f"edit {step}", method, lambda t, s=step: reverse("partners:enquiry_edit", args=[t.enquiry.pk, s]), data)
        for step in ("needs", "project", "practical", "review")
        for method, data in (("get", None), ("post", {"title": "Hijacked", "summary": "Hijacked", "consent": "on"}))
    ],
    ("sent", "get", lambda t: reverse("partners:enquiry_submitted", args=[t.enquiry.pk]), None),
    ("message", "post", lambda t: reverse("partners:message_create", args=[t.enquiry.pk]), {"body": "Hijacked"}),
    ("withdraw", "post", lambda t: reverse("partners:enquiry_withdraw", args=[t.enquiry.pk]), {"reason": "Hijack"}),
    (
        "download",
        "get",
        lambda t: reverse("partners:attachment_download", args=[t.enquiry.pk, t.attachment.pk]),
        None,
    ),
    (
        "delete file",
        "post",
        lambda t: reverse("partners:attachment_delete", args=[t.enquiry.pk, t.attachment.pk]),
        {"step": "practical"},
    ),
]
PAGE_IDS = [f"{method} {name}" for name, method, _url, _data in PAGES]


def ask(client, method, url, data):
    return client.post(url, data or {}) if method == "post" else client.get(url)


def assert_untouched(target: Target):
    enquiry = Enquiry.objects.get(pk=target.enquiry.pk)
    assert enquiry.title == "Secret plans of company A"
    assert enquiry.stage == target.enquiry.stage
    assert enquiry.summary == target.enquiry.summary
    assert Attachment.objects.filter(pk=target.attachment.pk).exists()
    assert not Message.objects.filter(body="Hijacked").exists()


@pytest.mark.parametrize(("name", "method", "url", "data"), PAGES, ids=PAGE_IDS)
def test_a_member_of_another_company_gets_404(client, other_company_member, target, name, method, url, data):
    client.force_login(other_company_member)
    response = ask(client, method, url(target), data)
    assert response.status_code == 404
    assert b"Secret plans" not in response.content and b"a-secret" not in response.content
    assert_untouched(target)


@pytest.mark.parametrize(("name", "method", "url", "data"), PAGES, ids=PAGE_IDS)
def test_an_anonymous_visitor_is_sent_to_sign_in(client, target, name, method, url, data):
    page = url(target)
    response = ask(client, method, page, data)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={quote(page)}"
    assert_untouched(target)


@pytest.mark.parametrize(("name", "method", "url", "data"), PAGES, ids=PAGE_IDS)
def test_staff_without_a_company_get_404_on_company_pages(client, central_user, target, name, method, url, data):
    client.force_login(central_user)  # the central team sees everything, in the admin, never as a company
    response = ask(client, method, url(target), data)
    assert response.status_code == 404
    assert_untouched(target)


@pytest.mark.parametrize(("name", "method", "url", "data"), PAGES, ids=PAGE_IDS)
def test_a_signed_in_user_of_no_company_gets_404(client, target, name, method, url, data):
    client.force_login(UserFactory())
    assert ask(client, method, url(target), data).status_code == 404
    assert_untouched(target)


def test_a_file_of_company_a_under_an_enquiry_of_company_b_is_not_found(client, other_company_member, target):
    theirs = submitted_enquiry(company=other_company_member.company_membership.company)
    client.force_login(other_company_member)
    url = reverse("partners:attachment_download", args=[theirs.pk, target.attachment.pk])
    assert client.get(url).status_code == 404
    delete = reverse("partners:attachment_delete", args=[theirs.pk, target.attachment.pk])
    assert client.post(delete).status_code == 404
    assert_untouched(target)


def test_my_enquiries_never_lists_another_companys(client, other_company_member, target):
    client.force_login(other_company_member)
    listing = client.get(reverse("partners:enquiry_list"))
    assert listing.status_code == 200
    assert "Secret plans" not in listing.text


def test_the_company_members_own_pages_answer(client, company_member, target):
    client.force_login(company_member)
    detail = client.get(reverse("partners:enquiry_detail", args=[target.enquiry.pk]), follow=True)
    assert detail.status_code == 200
    assert "Secret plans of company A" in detail.text
    download = client.get(reverse("partners:attachment_download", args=[target.enquiry.pk, target.attachment.pk]))
    assert download.status_code == 200


# Companies and invitations


def company_form(**overrides):
    data = {
        "legal_name": "Leukos Bis SAS",
        "country": "FR",
        "registration_number": siren(55_555_555),
        "size": "sme",
        "sector": "biopharma",
        "website": "leukos-bis.example.com",
    }
    data.update(overrides)
    return data


def test_a_new_member_registers_their_company_before_the_first_enquiry(client):
    user = UserFactory()
    client.force_login(user)
    assert client.get(reverse("partners:enquiry_new"))["Location"].startswith(reverse("partners:company_create"))
    response = client.post(
        f"{reverse('partners:company_create')}?next={reverse('partners:enquiry_new')}", company_form()
    )
    assert response["Location"] == reverse("partners:enquiry_new")
    membership = CompanyMember.objects.get(user=user)
    assert membership.company.legal_name == "Leukos Bis SAS"
    assert membership.company.website == "https://leukos-bis.example.com"


def test_an_invalid_registration_number_is_refused_with_a_message(client):
    client.force_login(UserFactory())
    response = client.post(reverse("partners:company_create"), company_form(registration_number="123456789"))
    assert response.status_code == 200
    assert response.context["form"].errors["registration_number"]
    assert "SIREN" in response.text
    assert not Company.objects.filter(legal_name="Leukos Bis SAS").exists()


def register_existing(client, company, typed):
    number = company.registration_number
    if typed == "spaced":
        number = f"{number[:3]} {number[3:6]} {number[6:]}"
    return client.post(
        reverse("partners:company_create"), company_form(legal_name=company.legal_name, registration_number=number)
    )


@pytest.mark.parametrize("typed", ["same", "spaced"])
def test_nobody_attaches_themselves_to_an_existing_company_without_an_invitation(client, company, typed):
    newcomer = UserFactory()
    client.force_login(newcomer)
    response = register_existing(client, company, typed)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not CompanyMember.objects.filter(user=newcomer).exists()
    assert Company.objects.filter(registration_number=company.registration_number).count() == 1


def test_registering_an_existing_company_says_to_ask_a_colleague_for_an_invitation(client, company):
    client.force_login(UserFactory())
    response = register_existing(client, company, "same")
    assert "This company already has an account on the portal." in response.text
    assert "Ask a colleague who uses it to invite you" in response.text


def test_a_member_cannot_register_a_second_company(client, company_member):
    client.force_login(company_member)
    response = client.post(reverse("partners:company_create"), company_form())
    assert response["Location"] == reverse("partners:company_detail")
    assert not Company.objects.filter(legal_name="Leukos Bis SAS").exists()


@pytest.fixture
def invite(client, company_member, django_capture_on_commit_callbacks):
    """Company A's member invites a colleague from the company page; returns the Invitation."""

    def send(email="dana.colleague@leukos.example"):
        client.force_login(company_member)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("partners:company_detail"), {"email": email})
        assert response["Location"] == reverse("partners:company_detail")
        client.logout()
        return Invitation.objects.get(email=email.lower())

    return send


def verified_user(email):
    user = UserFactory(email=email)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def accept_url(invitation):
    return reverse("partners:invitation_accept", args=[invitation.token])


def test_the_invitation_email_is_an_outbox_row_with_the_accept_link(invite, company_member):
    invitation = invite("Dana.Colleague@Leukos.example")
    notification = Notification.objects.get(template="invitation")
    link = f"http://testserver{accept_url(invitation)}"
    assert notification.recipient == "dana.colleague@leukos.example"
    assert link in notification.body_text and link in notification.body_html
    assert "Leukos Therapeutics SAS" in notification.subject + notification.body_text
    assert notification.status == Notification.Status.SENT
    assert mail.outbox[-1].to == ["dana.colleague@leukos.example"]
    assert link in mail.outbox[-1].body


def test_an_invited_colleague_joins_and_sees_the_companys_enquiries(client, invite, company, company_member):
    sent = submitted_enquiry(company=company, title="Our CAR-T project", submitted=company_member)
    invitation = invite()
    colleague = verified_user("dana.colleague@leukos.example")
    client.force_login(colleague)
    assert "This invitation was sent to dana.colleague@leukos.example." in client.get(accept_url(invitation)).text
    response = client.post(accept_url(invitation), follow=True)
    assert response.redirect_chain == [(reverse("partners:enquiry_list"), 302)]
    assert "Welcome to Leukos Therapeutics SAS on the portal." in response.text
    assert "Our CAR-T project" in response.text
    assert client.get(reverse("partners:enquiry_detail", args=[sent.pk])).status_code == 200
    invitation.refresh_from_db()
    assert (invitation.accepted_by, invitation.accepted_at is not None) == (colleague, True)


def test_an_invitation_is_accepted_only_with_the_invited_verified_address(client, invite):
    invitation = invite()
    stranger = verified_user("someone.else@example.org")
    client.force_login(stranger)
    response = client.post(accept_url(invitation), follow=True)
    assert (
        "This invitation was sent to dana.colleague@leukos.example. Sign in with that address to accept it."
        in response.text
    )
    assert not CompanyMember.objects.filter(user=stranger).exists()


def test_an_unverified_address_cannot_accept(client, invite):
    invitation = invite()
    unverified = UserFactory(email="dana.colleague@leukos.example")
    EmailAddress.objects.create(user=unverified, email=unverified.email, verified=False, primary=True)
    client.force_login(unverified)
    client.post(accept_url(invitation))
    assert not CompanyMember.objects.filter(user=unverified).exists()


def test_an_expired_invitation_is_refused(client, invite):
    invitation = invite()
    Invitation.objects.filter(pk=invitation.pk).update(created_at=timezone.now() - dt.timedelta(days=15))
    colleague = verified_user("dana.colleague@leukos.example")
    client.force_login(colleague)
    assert "This invitation has expired or has already been used." in client.get(accept_url(invitation)).text
    response = client.post(accept_url(invitation), follow=True)
    assert "This invitation has expired or has already been used. Ask for a new one." in response.text
    assert not CompanyMember.objects.filter(user=colleague).exists()


def test_an_invitation_is_used_once(client, invite):
    invitation = invite()
    first = verified_user("dana.colleague@leukos.example")
    client.force_login(first)
    client.post(accept_url(invitation))
    second = verified_user("dana.other@leukos.example")
    client.force_login(second)
    response = client.post(accept_url(invitation), follow=True)
    assert "This invitation has expired or has already been used." in response.text
    assert not CompanyMember.objects.filter(user=second).exists()


def test_a_member_of_another_company_cannot_accept(client, invite, other_company_member):
    invitation = invite(other_company_member.email)
    EmailAddress.objects.create(user=other_company_member, email=other_company_member.email, verified=True)
    client.force_login(other_company_member)
    response = client.post(accept_url(invitation), follow=True)
    assert "You already belong to a company: one account acts for one company only." in response.text
    assert other_company_member.company_membership.company.legal_name == "Hemato Diagnostics SA"
    assert CompanyMember.objects.filter(user=other_company_member).count() == 1


def test_an_anonymous_visitor_is_told_to_sign_up_or_in_with_the_invited_address(client, invite):
    invitation = invite()
    page = client.get(accept_url(invitation))
    assert page.status_code == 200
    assert "Sign up with that address" in page.text
    assert f"{reverse('account_signup')}?next={quote(accept_url(invitation))}" in page.text
    client.post(accept_url(invitation))
    assert (
        not CompanyMember.objects.filter(company__legal_name="Leukos Therapeutics SAS")
        .exclude(user__username="chloe.company")
        .exists()
    )


def test_an_unknown_invitation_is_not_found(client):
    assert client.get(reverse("partners:invitation_accept", args=["not-a-token"])).status_code == 404


def test_a_colleague_already_in_the_company_is_not_invited_again(client, company_member):
    client.force_login(company_member)
    response = client.post(reverse("partners:company_detail"), {"email": company_member.email.upper()})
    assert response.status_code == 200
    assert "is already a member of Leukos Therapeutics SAS" in response.text
    assert not Invitation.objects.exists()
