"""Signature deadlines the rules set (issue 6): a CIFRE collaboration contract signed within 6 months of the thesis
start, an ANR consortium agreement within 12 months of the project start. Computed from the terms, shown on the
contract (admin and company page) and in the triage queue, and warned about once, 30 days before."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from agreements import expiry, services, workflow
from agreements.choices import AgreementKind
from agreements.models import Agreement
from notifications.models import Notification
from partners.notices import legal_recipients

from ..factories import contract, contracting_enquiry
from .kind_data import data_for

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def cifre(entity, company, central_user):
    enquiry = contracting_enquiry(entity=entity, actor=central_user, company=company, title="Thèse CIFRE ménine")
    return contract(enquiry=enquiry, entity=entity, actor=central_user, kind=AgreementKind.CIFRE)


def save(agreement, actor, **changes):
    return services.agreement_save_terms(agreement=agreement, actor=actor, data={**data_for(agreement), **changes})


def test_a_cifre_contract_must_be_signed_six_months_after_the_thesis_starts(cifre, central_user):
    saved = save(cifre, central_user, thesis_start="2026-08-31")
    assert saved.signature_deadline == dt.date(2027, 2, 28)


def test_an_anr_consortium_within_twelve_months_of_the_project_start(entity, company, central_user):
    enquiry = contracting_enquiry(entity=entity, actor=central_user, company=company, title="ANR PRCE")
    consortium = contract(enquiry=enquiry, entity=entity, actor=central_user, kind=AgreementKind.CONSORTIUM)
    saved = save(consortium, central_user, programme="anr", project_start="2027-01-31")
    assert saved.signature_deadline == dt.date(2028, 1, 31)


def test_other_kinds_have_no_deadline(entity, company, central_user):
    enquiry = contracting_enquiry(entity=entity, actor=central_user, company=company)
    assert save(contract(enquiry=enquiry, entity=entity, actor=central_user), central_user).signature_deadline is None


def test_the_deadline_shows_on_the_contract_pages(client, member, cifre, central_user):
    saved = save(cifre, central_user, thesis_start="2026-08-31")
    workflow.agreement_start_drafting(agreement=saved, actor=central_user)
    workflow.agreement_submit_for_internal_review(agreement=saved, actor=central_user)
    workflow.agreement_send_to_company(agreement=saved, actor=central_user)
    page = member.get(reverse("agreements:contract_detail", args=[saved.enquiry_id, saved.pk])).content.decode()
    assert "To be signed by 28 February 2027" in page
    client.force_login(central_user)
    admin_page = client.get(reverse("admin:agreements_agreement_change", args=[saved.pk])).content.decode()
    assert "Sign by" in admin_page and "Feb. 28, 2027" in admin_page


def test_the_triage_queue_shows_the_deadline_and_marks_it_near(client, cifre, central_user):
    near = TODAY + dt.timedelta(days=20)
    save(cifre, central_user, thesis_start=(near - dt.timedelta(days=183)).isoformat())
    deadline = Agreement.objects.get(pk=cifre.pk).signature_deadline
    assert 0 < (deadline - TODAY).days <= 30
    client.force_login(central_user)
    queue = client.get(reverse("admin:partners_enquiry_changelist") + "?stage=all").content.decode()
    row = queue[queue.index(cifre.enquiry.reference) :]
    row = row[: row.index("</tr>")]
    assert "CIFRE collaboration contract: sign by" in row and "⚠" in row


def test_the_parties_are_warned_once_within_thirty_days(cifre, central_user, governing_body, company_member):
    save(cifre, central_user, thesis_start=(TODAY - dt.timedelta(days=170)).isoformat())
    before = Notification.objects.count()
    assert expiry.warn_signature_deadlines() == 1
    assert expiry.warn_signature_deadlines() == 0  # once
    office = list(legal_recipients(governing_body))
    warned = Notification.objects.order_by("pk")[before:]
    readers = {n.recipient for n in warned}
    assert {*office, cifre.enquiry.contact_email} <= readers, readers
    assert Agreement.objects.get(pk=cifre.pk).deadline_warned_at is not None


def test_a_far_deadline_is_not_warned_yet(cifre, central_user):
    save(cifre, central_user, thesis_start=(TODAY + dt.timedelta(days=10)).isoformat())
    assert expiry.warn_signature_deadlines() == 0
