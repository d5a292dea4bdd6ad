"""Company accounts (django-allauth) as a newcomer meets them: sign up, confirm the address from the e-mail,
sign in with a password or a one-time code, reset a forgotten password; every e-mail is an outbox row; staff land
in the admin and company members on "My enquiries"."""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from axes.utils import reset
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from notifications.models import Notification

from ..factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "leukemia-research-2026!"


@pytest.fixture(autouse=True)
def fresh_limits(db):
    cache.clear()
    reset()


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def verified(user):
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def link_in(text: str, path_start: str) -> str:
    """The path of the first link in ``text`` that starts with ``path_start`` (e-mails carry absolute URLs)."""
    match = re.search(rf"https?://[^/\s]+({re.escape(path_start)}[^\s\"<]*)", text)
    assert match, f"no link to {path_start} in:\n{text}"
    return match.group(1)


def sign_up(client, email="nina.newcomer@biotech.example"):
    return client.post(
        reverse("account_signup"),
        {
            "email": email,
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
            "first_name": "Nina",
            "last_name": "Newcomer",
        },
    )


def test_signing_up_sends_a_confirmation_link_through_the_outbox(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = sign_up(client)
    assert response.status_code == 302
    user = get_user_model().objects.get(email="nina.newcomer@biotech.example")
    assert (user.first_name, user.last_name) == ("Nina", "Newcomer")
    notification = Notification.objects.get(template="account/email/email_confirmation_signup")
    assert notification.recipient == "nina.newcomer@biotech.example"
    assert notification.user == user
    assert notification.subject.startswith("[OPALE] ")
    assert link_in(notification.body_text, "/accounts/confirm-email/")
    assert notification.status == Notification.Status.SENT
    assert mail.outbox[-1].to == ["nina.newcomer@biotech.example"]
    assert "OPALE Partnerships" in notification.body_text  # the portal's name, not the bare host
    assert not signed_in(client)


def test_a_french_newcomer_gets_the_confirmation_in_french(db):
    client = Client(headers={"Accept-Language": "fr"})
    sign_up(client)
    notification = Notification.objects.get(template="account/email/email_confirmation_signup")
    assert notification.language == "fr"
    assert notification.subject == "[OPALE] Confirmez votre adresse e-mail"
    assert "Partenariats OPALE" in notification.body_text


def test_account_emails_come_in_text_and_html_like_every_portal_email(client):
    sign_up(client)
    notification = Notification.objects.get(template="account/email/email_confirmation_signup")
    assert notification.body_html
    assert link_in(notification.body_html, "/accounts/confirm-email/")


def test_an_unconfirmed_address_cannot_sign_in(client):
    sign_up(client)
    client.logout()
    response = client.post(
        reverse("account_login"), {"login": "nina.newcomer@biotech.example", "password": NEW_PASSWORD}
    )
    assert not signed_in(client)
    assert response["Location"] == reverse("account_email_verification_sent")  # "check your inbox"
    assert client.get(reverse("partners:enquiry_list")).status_code == 302


def test_following_the_confirmation_link_confirms_and_signs_in(client):
    sign_up(client)
    notification = Notification.objects.get(template="account/email/email_confirmation_signup")
    confirm = link_in(notification.body_text, "/accounts/confirm-email/")
    page = client.get(confirm)
    assert page.status_code == 200
    assert "nina.newcomer@biotech.example" in page.text
    assert not EmailAddress.objects.get(email="nina.newcomer@biotech.example").verified  # a GET changes nothing

    response = client.post(confirm)
    assert response.status_code == 302
    assert EmailAddress.objects.get(email="nina.newcomer@biotech.example").verified
    assert signed_in(client)
    landing = client.get(response["Location"], follow=True)
    assert landing.status_code == 200


def test_once_confirmed_the_password_signs_in_from_another_browser(client):
    sign_up(client)
    confirm = link_in(Notification.objects.get().body_text, "/accounts/confirm-email/")
    client.post(confirm)
    client.logout()
    response = client.post(
        reverse("account_login"), {"login": "Nina.Newcomer@biotech.example", "password": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert signed_in(client)


def test_an_address_already_used_makes_no_second_account(client, company_member):
    verified(company_member)
    response = sign_up(client, email=company_member.email)
    assert response.status_code in (200, 302)
    assert get_user_model().objects.filter(email__iexact=company_member.email).count() == 1


def test_signing_in_by_code_sends_the_code_through_the_outbox(
    client, company_member, django_capture_on_commit_callbacks
):
    verified(company_member)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_request_login_code"), {"email": company_member.email})
    assert response.status_code == 302
    notification = Notification.objects.get(template="account/email/login_code")
    assert notification.recipient == company_member.email
    code = re.search(r"^([A-Z0-9]{3,8}(?:-[A-Z0-9]{3,8})?)$", notification.body_text, re.MULTILINE).group(1)
    assert code in mail.outbox[-1].body
    assert not signed_in(client)

    response = client.post(response["Location"], {"code": code})
    assert response.status_code == 302
    assert signed_in(client)
    assert response["Location"] == reverse("partners:enquiry_list")


def test_a_wrong_code_does_not_sign_in(client, company_member):
    verified(company_member)
    response = client.post(reverse("account_request_login_code"), {"email": company_member.email})
    client.post(response["Location"], {"code": "WRONG1"})
    assert not signed_in(client)


def test_resetting_a_password_sends_a_link_through_the_outbox(client, company_member):
    verified(company_member)
    response = client.post(reverse("account_reset_password"), {"email": company_member.email})
    assert response.status_code == 302
    notification = Notification.objects.get(template="account/email/password_reset_key")
    assert notification.recipient == company_member.email
    reset_link = link_in(notification.body_text, "/accounts/password/reset/key/")

    form_page = client.get(reset_link, follow=True)
    assert form_page.status_code == 200
    response = client.post(
        form_page.redirect_chain[-1][0] if form_page.redirect_chain else reset_link,
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    client.logout()
    client.post(reverse("account_login"), {"login": company_member.email, "password": NEW_PASSWORD})
    assert signed_in(client)


def test_a_reset_for_an_unknown_address_reveals_nothing(client, company_member):
    verified(company_member)
    known = client.post(reverse("account_reset_password"), {"email": company_member.email})
    unknown = client.post(reverse("account_reset_password"), {"email": "nobody@nowhere.example"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert not Notification.objects.filter(template="account/email/password_reset_key", recipient__contains="nobody")


def test_a_company_member_lands_on_my_enquiries(client, company_member):
    verified(company_member)
    response = client.post(reverse("account_login"), {"login": company_member.email, "password": PASSWORD})
    assert response["Location"] == reverse("partners:enquiry_list")


def test_staff_signing_in_on_the_portal_land_on_the_admin(client, central_user):
    verified(central_user)
    response = client.post(reverse("account_login"), {"login": central_user.email, "password": PASSWORD})
    assert response["Location"] == reverse("admin:index")


def test_a_user_of_no_company_is_asked_for_their_company_before_the_first_enquiry(client):
    user = verified(UserFactory(email="solo@startup.example"))
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    response = client.get(reverse("partners:enquiry_new"))
    assert response["Location"].startswith(reverse("partners:company_create"))
