"""Contracts expire at their end date, with a warning to the parties beforehand (once)."""

import datetime as dt

import pytest
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import ngettext

from agreements import expiry
from agreements.choices import ContractStage
from agreements.models import Agreement, ContractSettings, StageChange
from agreements.workflow import _transition
from notifications.models import Notification

from ..factories import nda, routed_enquiry

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 12, 3)


@pytest.fixture
def in_force(central_user, company, company_member, entity):
    """An NDA in force until 2027-01-01 (the steps before are not this test's subject)."""
    enquiry = routed_enquiry(company=company, entities=[entity], actor=central_user, submitted=company_member)
    agreement = nda(enquiry=enquiry, entity=entity, actor=central_user)
    for step in ("start_drafting", "send_for_review", "agree", "sign_by_company", "enter_into_force"):
        _transition(agreement=agreement, actor=None, name=step)
    Agreement.objects.filter(pk=agreement.pk).update(ends_on=dt.date(2027, 1, 1))
    Notification.objects.all().delete()
    return Agreement.objects.get(pk=agreement.pk)


def test_the_parties_are_warned_once_within_the_warning_period(in_force, company_member):
    assert expiry.warn_expiring(TODAY - dt.timedelta(days=3)) == 0  # 32 days before the end: not yet
    assert expiry.warn_expiring(TODAY) == 1
    assert expiry.warn_expiring(TODAY) == 0  # once
    email = Notification.objects.get(template="contract_update", recipient=company_member.email)
    with translation.override(email.language):  # the company's language: the sentence, the date as it writes it
        sentence = ngettext(
            "The %(kind)s ends on %(date)s, in %(days)d day.", "The %(kind)s ends on %(date)s, in %(days)d days.", 29
        ) % {"kind": in_force.get_kind_display(), "date": date_format(dt.date(2027, 1, 1)), "days": 29}
    assert sentence in email.body_text


def test_the_warning_period_is_the_legal_teams_setting(in_force):
    ContractSettings.objects.update_or_create(pk=1, defaults={"expiry_warning_days": 10})
    assert expiry.warn_expiring(TODAY) == 0
    assert expiry.warn_expiring(dt.date(2026, 12, 22)) == 1


def test_a_contract_past_its_end_date_expires_through_the_workflow(in_force):
    assert expiry.expire_due(dt.date(2027, 1, 1)) == 0  # its last day
    assert expiry.expire_due(dt.date(2027, 1, 2)) == 1
    in_force.refresh_from_db()
    assert in_force.stage == ContractStage.EXPIRED
    change = StageChange.objects.filter(agreement=in_force).latest("at")
    assert (change.transition, change.actor) == ("expire", None)
    assert expiry.expire_due(dt.date(2027, 1, 3)) == 0


def test_the_daily_task_warns_and_expires_and_beat_runs_it(in_force, settings):
    from django.utils import timezone

    from agreements.tasks import expire_contracts

    Agreement.objects.filter(pk=in_force.pk).update(ends_on=timezone.localdate() + dt.timedelta(days=10))
    assert expire_contracts() == "1 warned, 0 expired, 0 signature deadlines near"
    Agreement.objects.filter(pk=in_force.pk).update(ends_on=timezone.localdate() - dt.timedelta(days=1))
    assert expire_contracts() == "0 warned, 1 expired, 0 signature deadlines near"
    assert settings.CELERY_BEAT_SCHEDULE["expire-contracts"]["task"] == "agreements.tasks.expire_contracts"
