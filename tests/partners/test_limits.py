"""Limits a person may hit: too many enquiry saves or sign-ups answer the portal's "too many attempts" page
(status 429, never a 500), and five wrong passwords lock an account out of sign-in for a while."""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from axes.utils import reset
from django.conf import settings as django_settings
from django.core.cache import cache
from django.urls import reverse

from notifications.models import Notification
from partners.choices import EnquiryStage
from partners.models import Enquiry

from ..factories import PASSWORD, EnquiryFactory, UserFactory

pytestmark = pytest.mark.django_db

TOO_MANY = "Too many attempts"


@pytest.fixture(autouse=True)
def fresh_limits(db):
    """Rate limits count in the cache and lockouts in axes' tables: every test starts with none used."""
    cache.clear()
    reset()
    yield
    cache.clear()
    reset()


def enquiry_rate() -> int:
    """How many enquiry saves ENQUIRY_SUBMIT_RATE allows in its window ("60/h" -> 60)."""
    return int(django_settings.ENQUIRY_SUBMIT_RATE.split("/")[0])


def test_creating_too_many_enquiries_answers_the_too_many_page(client, company_member, company):
    client.force_login(company_member)
    new = reverse("partners:enquiry_new")
    for n in range(enquiry_rate()):
        response = client.post(new, {"title": f"Idea {n}", "kind": "other"})
        assert response.status_code == 302, n
    response = client.post(new, {"title": "One too many", "kind": "other"})
    assert response.status_code == 429
    assert TOO_MANY in response.text
    assert "Please wait a few minutes, then try again." in response.text
    assert not Enquiry.objects.filter(title="One too many").exists()
    assert company.enquiries.count() == enquiry_rate()
    # reading is never limited, and the drafts already saved are all there
    listing = client.get(reverse("partners:enquiry_list"))
    assert listing.status_code == 200
    assert listing.text.count("Idea ") == enquiry_rate()


def test_the_limit_counts_per_member(client, company_member, other_company_member):
    client.force_login(company_member)
    for n in range(enquiry_rate()):
        client.post(reverse("partners:enquiry_new"), {"title": f"Idea {n}", "kind": "other"})
    assert client.post(reverse("partners:enquiry_new"), {"title": "Mine", "kind": "other"}).status_code == 429
    client.force_login(other_company_member)
    response = client.post(reverse("partners:enquiry_new"), {"title": "Theirs", "kind": "other"})
    assert response.status_code == 302


def test_a_rate_limited_submission_answers_the_too_many_page_and_stays_a_draft(client, company_member, monkeypatch):
    draft = EnquiryFactory(company=company_member.company_membership.company)
    monkeypatch.setattr("partners.views.is_ratelimited", lambda *args, **kwargs: True)
    client.force_login(company_member)
    response = client.post(reverse("partners:enquiry_edit", args=[draft.pk, "review"]), {"consent": "on"})
    assert response.status_code == 429
    assert TOO_MANY in response.text
    draft.refresh_from_db()
    assert (draft.stage, draft.reference) == (EnquiryStage.DRAFT, None)


# Sign-in: django-axes locks an account out after five failures from one address


@pytest.fixture
def account(db):
    user = UserFactory(username="victor.victim", email="victor@leukos.example")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def sign_in(client, login, password):
    return client.post(reverse("account_login"), {"login": login, "password": password})


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_five_wrong_passwords_lock_the_account_even_with_the_right_one(client, account):
    for _attempt in range(django_settings.AXES_FAILURE_LIMIT):
        response = sign_in(client, "victor@leukos.example", "not-the-password")
        assert response.status_code in (200, 429)
        assert not signed_in(client)
    response = sign_in(client, "victor@leukos.example", PASSWORD)
    assert response.status_code == 429  # axes answers the lockout page with 429
    assert not signed_in(client)
    assert client.get(reverse("partners:enquiry_list")).status_code == 302  # still sent to sign in


def test_the_lockout_counts_the_address_whatever_its_case(client, account):
    for login in ["Victor@Leukos.example", "VICTOR@LEUKOS.EXAMPLE", " victor@leukos.example", "victor@LEUKOS.example"]:
        sign_in(client, login, "wrong")
    sign_in(client, "victor@leukos.Example", "wrong")
    response = sign_in(client, "victor@leukos.example", PASSWORD)
    assert response.status_code == 429  # axes answers the lockout page with 429
    assert not signed_in(client)


def test_fewer_failures_than_the_limit_still_let_the_right_password_in(client, account):
    for _attempt in range(django_settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, "victor@leukos.example", "wrong")
    response = sign_in(client, "victor@leukos.example", PASSWORD)
    assert response.status_code == 302
    assert signed_in(client)


def test_a_locked_account_does_not_lock_a_colleague_signing_in_from_the_same_address(client, account):
    colleague = UserFactory(username="wanda.colleague", email="wanda@leukos.example")
    EmailAddress.objects.create(user=colleague, email=colleague.email, verified=True, primary=True)
    for _attempt in range(django_settings.AXES_FAILURE_LIMIT):
        sign_in(client, "victor@leukos.example", "wrong")
    response = sign_in(client, "wanda@leukos.example", PASSWORD)
    assert response.status_code == 302
    assert signed_in(client)


# Sign-up: allauth's rate limit, answered by the portal's page


def test_too_many_sign_ups_answer_the_too_many_page(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "signup": "1/h/ip"}

    def sign_up(email):
        return client.post(
            reverse("account_signup"),
            {
                "email": email,
                "password1": "a-long-enough-passphrase",
                "password2": "a-long-enough-passphrase",
                "first_name": "Ada",
                "last_name": "Bot",
            },
        )

    assert sign_up("first@bots.example").status_code == 302
    client.logout()
    response = sign_up("second@bots.example")
    assert response.status_code == 429
    assert TOO_MANY in response.text
    assert not EmailAddress.objects.filter(email="second@bots.example").exists()


# What the lockout page offers: a one-time code now, or a new password


def lock_out(client):
    for _attempt in range(django_settings.AXES_FAILURE_LIMIT):
        sign_in(client, "victor@leukos.example", "wrong")
    response = sign_in(client, "victor@leukos.example", PASSWORD)
    assert response.status_code == 429
    assert not signed_in(client)
    return response


def test_the_lockout_page_offers_a_sign_in_code_and_a_password_reset(client, account):
    page = lock_out(client).content.decode()
    assert reverse("account_request_login_code") in page
    assert reverse("account_reset_password") in page


def test_a_locked_out_member_signs_in_with_a_one_time_code(client, account):
    lock_out(client)
    response = client.post(reverse("account_request_login_code"), {"email": "victor@leukos.example"})
    body = Notification.objects.get(template="account/email/login_code").body_text
    code = re.search(r"^([A-Z0-9]{3,8}(?:-[A-Z0-9]{3,8})?)$", body, re.MULTILINE).group(1)
    client.post(response["Location"], {"code": code})
    assert signed_in(client)


def test_a_password_reset_lifts_the_lockout(client, account):
    lock_out(client)
    client.post(reverse("account_reset_password"), {"email": "victor@leukos.example"})
    body = Notification.objects.get(template="account/email/password_reset_key").body_text
    key_link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+)", body).group(1)
    form_page = client.get(key_link, follow=True)
    set_password = form_page.redirect_chain[-1][0] if form_page.redirect_chain else key_link
    client.post(set_password, {"password1": "a-brand-new-passphrase", "password2": "a-brand-new-passphrase"})
    client.logout()
    response = sign_in(client, "victor@leukos.example", "a-brand-new-passphrase")
    assert response.status_code == 302
    assert signed_in(client)
