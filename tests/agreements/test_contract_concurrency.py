"""Two people click the same step of the same contract at the same moment (PostgreSQL pass): exactly one wins,
the other is told the contract moved on, and the audit trail holds one record."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.utils import translation

from agreements import workflow
from agreements.choices import AgreementKind
from agreements.choices import ContractStage as C
from agreements.models import Agreement, StageChange
from agreements.workflow import WorkflowError

from ..factories import nda, routed_enquiry

# serialized_rollback: the role groups come from a data migration, and each test's flush removes them.
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

HOLD = 0.3  # seconds the first one keeps its transaction open after checking the stage


def race(calls) -> tuple[list, list[BaseException]]:
    """Run each call in its own thread (its own connection), all released at once."""
    start = threading.Barrier(len(calls))
    results: list = []
    errors: list[BaseException] = []

    def attempt(call):
        try:
            start.wait(timeout=30)
            with translation.override("en"):  # the active language is per thread: as the test's own
                results.append(call())
        except BaseException as error:  # noqa: BLE001 - reported by the main thread
            errors.append(error)
        finally:
            connection.close()  # each thread has its own connection; leave none open for the flush

    threads = [threading.Thread(target=attempt, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a thread is still waiting"
    return results, errors


@pytest.fixture
def slow_check(monkeypatch):
    """Whoever gets past the stage check holds its transaction a moment: without the row lock, the other one
    would read the old stage meanwhile and both would win."""
    check = workflow.can_proceed

    def can_proceed(method, *args, **kwargs):
        allowed = check(method, *args, **kwargs)
        threading.Event().wait(HOLD)
        return allowed

    monkeypatch.setattr(workflow, "can_proceed", can_proceed)


def test_the_same_step_clicked_twice_at_once_moves_the_contract_once(
    slow_check, central_user, legal_officer, entity, company
):
    enquiry = routed_enquiry(company=company, entities=[entity], actor=central_user)
    agreement = nda(enquiry=enquiry, entity=entity, actor=central_user)
    copies = [Agreement.objects.get(pk=agreement.pk) for _ in range(2)]  # each page loaded before either click

    results, errors = race(
        [
            lambda: workflow.agreement_start_drafting(agreement=copies[0], actor=central_user),
            lambda: workflow.agreement_start_drafting(agreement=copies[1], actor=legal_officer),
        ]
    )

    assert len(results) == 1, errors
    assert [type(error) for error in errors] == [WorkflowError]
    assert str(errors[0]) == (
        f"Contract {agreement.reference} is now “Drafting”: this step is no longer possible. Reload the page."
    )
    assert Agreement.objects.get(pk=agreement.pk).stage == C.DRAFTING
    change = StageChange.objects.get(agreement=agreement, transition="start_drafting")
    assert change.actor in (central_user, legal_officer)
    assert (change.from_stage, change.to_stage) == (C.REQUESTED, C.DRAFTING)


def test_contracts_asked_for_at_once_get_distinct_numbers(central_user, entity, other_entity, company):
    enquiry = routed_enquiry(company=company, entities=[entity, other_entity], actor=central_user)

    results, errors = race(
        [
            lambda: workflow.agreement_request(
                enquiry=enquiry, entity=entity, kind=AgreementKind.NDA, actor=central_user
            ),
            lambda: workflow.agreement_request(
                enquiry=enquiry, entity=other_entity, kind=AgreementKind.NDA, actor=central_user
            ),
        ]
    )

    assert not errors, errors
    assert sorted(Agreement.objects.filter(enquiry=enquiry).values_list("number", flat=True)) == [1, 2]
    assert StageChange.objects.filter(agreement__enquiry=enquiry, transition="request").count() == 2


def test_the_same_nda_asked_for_twice_at_once_is_made_once(central_user, legal_officer, entity, company):
    enquiry = routed_enquiry(company=company, entities=[entity], actor=central_user)

    results, errors = race(
        [
            lambda: workflow.agreement_request(
                enquiry=enquiry, entity=entity, kind=AgreementKind.NDA, actor=central_user
            ),
            lambda: workflow.agreement_request(
                enquiry=enquiry, entity=entity, kind=AgreementKind.NDA, actor=legal_officer
            ),
        ]
    )

    assert len(results) == 1 and len(errors) == 1
    assert isinstance(errors[0], workflow.WorkflowError)
    assert "is already under way on this enquiry" in str(errors[0])
    assert Agreement.objects.filter(enquiry=enquiry).count() == 1
