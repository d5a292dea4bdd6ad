"""The contract engine (issue 5): a contract asked for with its parties, both stage machines walked by role and
by stage, the audit trail each step writes, the enquiry that follows, and the diagrams drawn from the code."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import NamedTuple

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import transaction

from agreements import workflow
from agreements.choices import AgreementKind, PartyRole
from agreements.choices import ContractStage as C
from agreements.models import Agreement, Contract, Nda, StageChange
from agreements.workflow import WorkflowError
from partners import workflow as enquiry_workflow
from partners.choices import EnquiryStage
from partners.roles import LEGAL_STAFF

from ..factories import (
    EnquiryFactory,
    EntityFactory,
    GovernanceFactory,
    GoverningBodyFactory,
    UserFactory,
    contract,
    contracting_enquiry,
    fill_terms,
    nda,
    routed_enquiry,
)

pytestmark = pytest.mark.django_db

AT = dt.datetime(2026, 6, 1, 9, 30, tzinfo=dt.UTC)

# ---- who may do what, and from which stage (DESIGN.md section 4, issue 5) ------------------------------------
ROLES = ("central", "lead_legal", "co_owner_legal", "unrelated_legal", "company", "other_company", "entity_contact")
DRAFTERS = frozenset({"central", "lead_legal"})  # legal staff of the lead body, and the central team
REVIEWERS = frozenset({"central", "company"})  # the company's members, and the central team


class Step(NamedTuple):
    sources: frozenset[str]
    target: str
    roles: frozenset[str] | None  # None: the periodic task, no actor


NDA_OPEN = frozenset({C.REQUESTED, C.DRAFTING, C.SENT_FOR_REVIEW, C.CHANGES_REQUESTED, C.AGREED, C.SIGNED_BY_COMPANY})
CONTRACT_OPEN = frozenset(
    {C.SCOPING, C.DRAFTING, C.INTERNAL_REVIEW, C.SENT_TO_COMPANY, C.IN_NEGOTIATION, C.AGREED, C.IN_SIGNATURE}
)
MACHINES: dict[str, dict[str, Step]] = {
    "nda": {
        "start_drafting": Step(frozenset({C.REQUESTED}), C.DRAFTING, DRAFTERS),
        "send_for_review": Step(frozenset({C.DRAFTING, C.CHANGES_REQUESTED}), C.SENT_FOR_REVIEW, DRAFTERS),
        "request_changes": Step(frozenset({C.SENT_FOR_REVIEW}), C.CHANGES_REQUESTED, REVIEWERS),
        "agree": Step(frozenset({C.SENT_FOR_REVIEW}), C.AGREED, REVIEWERS),
        "sign_by_company": Step(frozenset({C.AGREED}), C.SIGNED_BY_COMPANY, REVIEWERS),
        "enter_into_force": Step(frozenset({C.SIGNED_BY_COMPANY}), C.IN_FORCE, DRAFTERS),
        "expire": Step(frozenset({C.IN_FORCE}), C.EXPIRED, None),
        "terminate": Step(frozenset({C.IN_FORCE}), C.TERMINATED, DRAFTERS),
        "cancel": Step(NDA_OPEN, C.CANCELLED, DRAFTERS),
    },
    "contract": {
        "start_drafting": Step(frozenset({C.SCOPING}), C.DRAFTING, DRAFTERS),
        "submit_for_internal_review": Step(frozenset({C.DRAFTING}), C.INTERNAL_REVIEW, DRAFTERS),
        "return_to_drafting": Step(frozenset({C.INTERNAL_REVIEW}), C.DRAFTING, DRAFTERS),
        "send_to_company": Step(frozenset({C.INTERNAL_REVIEW, C.IN_NEGOTIATION}), C.SENT_TO_COMPANY, DRAFTERS),
        "request_changes": Step(frozenset({C.SENT_TO_COMPANY}), C.IN_NEGOTIATION, REVIEWERS),
        "agree": Step(frozenset({C.SENT_TO_COMPANY}), C.AGREED, REVIEWERS),
        "open_signature": Step(frozenset({C.AGREED}), C.IN_SIGNATURE, DRAFTERS),
        "enter_into_force": Step(frozenset({C.IN_SIGNATURE}), C.IN_FORCE, DRAFTERS),
        "complete": Step(frozenset({C.IN_FORCE}), C.COMPLETED, DRAFTERS),
        "expire": Step(frozenset({C.IN_FORCE}), C.EXPIRED, None),
        "terminate": Step(frozenset({C.IN_FORCE}), C.TERMINATED, DRAFTERS),
        "cancel": Step(CONTRACT_OPEN, C.CANCELLED, DRAFTERS),
    },
}

_NDA_AGREED = ["start_drafting", "send_for_review", "agree"]
_NDA_IN_FORCE = [*_NDA_AGREED, "sign_by_company", "enter_into_force"]
_CONTRACT_SENT = ["start_drafting", "submit_for_internal_review", "send_to_company"]
_CONTRACT_IN_FORCE = [*_CONTRACT_SENT, "agree", "open_signature", "enter_into_force"]
# The steps (run by the central team) that bring a new contract to each stage of its machine.
ROUTES: dict[str, dict[str, list[str]]] = {
    "nda": {
        C.REQUESTED: [],
        C.DRAFTING: ["start_drafting"],
        C.SENT_FOR_REVIEW: ["start_drafting", "send_for_review"],
        C.CHANGES_REQUESTED: ["start_drafting", "send_for_review", "request_changes"],
        C.AGREED: _NDA_AGREED,
        C.SIGNED_BY_COMPANY: [*_NDA_AGREED, "sign_by_company"],
        C.IN_FORCE: _NDA_IN_FORCE,
        C.EXPIRED: [*_NDA_IN_FORCE, "expire"],
        C.TERMINATED: [*_NDA_IN_FORCE, "terminate"],
        C.CANCELLED: ["cancel"],
    },
    "contract": {
        C.SCOPING: [],
        C.DRAFTING: ["start_drafting"],
        C.INTERNAL_REVIEW: ["start_drafting", "submit_for_internal_review"],
        C.SENT_TO_COMPANY: _CONTRACT_SENT,
        C.IN_NEGOTIATION: [*_CONTRACT_SENT, "request_changes"],
        C.AGREED: [*_CONTRACT_SENT, "agree"],
        C.IN_SIGNATURE: [*_CONTRACT_SENT, "agree", "open_signature"],
        C.IN_FORCE: _CONTRACT_IN_FORCE,
        C.COMPLETED: [*_CONTRACT_IN_FORCE, "complete"],
        C.EXPIRED: [*_CONTRACT_IN_FORCE, "expire"],
        C.TERMINATED: [*_CONTRACT_IN_FORCE, "terminate"],
        C.CANCELLED: ["cancel"],
    },
}

# The steps whose comment or reason the workflow requires, with the one these tests give.
TEXTS = {
    "request_changes": "Article 4: five years of survival, not ten.",
    "return_to_drafting": "The DRCI asks for the hospital's liability clause.",
    "terminate": "The company stopped the programme.",
    "cancel": "The company chose another partner.",
}


def run(name: str, agreement: Agreement, actor, *, text: str | None = None, at: dt.datetime | None = None):
    """One step through its workflow service, as a view or the admin would call it."""
    text = TEXTS.get(name, "") if text is None else text
    calls = {
        "start_drafting": lambda: workflow.agreement_start_drafting(agreement=agreement, actor=actor, at=at),
        "send_for_review": lambda: workflow.agreement_send_to_company(agreement=agreement, actor=actor, at=at),
        "send_to_company": lambda: workflow.agreement_send_to_company(agreement=agreement, actor=actor, at=at),
        "submit_for_internal_review": lambda: workflow.agreement_submit_for_internal_review(
            agreement=agreement, actor=actor, at=at
        ),
        "return_to_drafting": lambda: workflow.agreement_return_to_drafting(
            agreement=agreement, actor=actor, comment=text, at=at
        ),
        "request_changes": lambda: workflow.agreement_request_changes(
            agreement=agreement, actor=actor, comment=text, at=at
        ),
        "agree": lambda: workflow.agreement_agree(agreement=agreement, actor=actor, at=at),
        # No public service for it yet (see test_the_company_signs_an_nda_through_its_own_service): the private
        # step runner is the only way to an NDA signed by the company, hence in force.
        "sign_by_company": lambda: workflow._transition(
            agreement=agreement, actor=actor, name="sign_by_company", at=at
        ),
        "open_signature": lambda: workflow.agreement_open_signature(agreement=agreement, actor=actor, at=at),
        "enter_into_force": lambda: workflow.agreement_enter_into_force(agreement=agreement, actor=actor, at=at),
        "complete": lambda: workflow.agreement_complete(agreement=agreement, actor=actor, at=at),
        "expire": lambda: workflow.agreement_expire(agreement=agreement, at=at),
        "terminate": lambda: workflow.agreement_terminate(agreement=agreement, actor=actor, reason=text, at=at),
        "cancel": lambda: workflow.agreement_cancel(agreement=agreement, actor=actor, reason=text, at=at),
    }
    return calls[name]()


def machine_of(agreement: Agreement) -> str:
    return "nda" if agreement.kind == AgreementKind.NDA else "contract"


def walk(agreement: Agreement, stage: str, actor) -> Agreement:
    for name in ROUTES[machine_of(agreement)][stage]:
        agreement = run(name, agreement, actor)
    assert agreement.stage == stage
    return agreement


def snapshot(agreement: Agreement) -> tuple:
    """What a refused step must leave as it was."""
    row = Agreement.objects.select_related("enquiry").get(pk=agreement.pk)
    return (row.stage, row.stage_changed_at, row.in_force_at, row.enquiry.stage, StageChange.objects.count())


@pytest.fixture
def co_owner(entity):
    """A second governing body of ``entity``: it co-owns the results and negotiates nothing. Its short name sorts
    before the lead's, so the lead comes first only because it is the lead."""
    body = GoverningBodyFactory(name="Assistance Publique - Hôpitaux de Paris", short_name="AP-HP")
    GovernanceFactory(entity=entity, body=body)
    return body


@pytest.fixture
def people(
    central_user, legal_officer, co_owner, company_member, other_company_member, entity_contact, other_entity
) -> dict:
    co_owner_legal = UserFactory(username="diane.drci", is_staff=True, groups=[LEGAL_STAFF])
    co_owner.legal_staff.add(co_owner_legal)
    unrelated_legal = UserFactory(username="ugo.unrelated", is_staff=True, groups=[LEGAL_STAFF])
    other_entity.governances.get().body.legal_staff.add(unrelated_legal)
    return {
        "central": central_user,
        "lead_legal": legal_officer,
        "co_owner_legal": co_owner_legal,
        "unrelated_legal": unrelated_legal,
        "company": company_member,
        "other_company": other_company_member,
        "entity_contact": entity_contact,
    }


@pytest.fixture
def new(people, entity, company):
    """``new("nda")``: an NDA on an enquiry routed to ``entity``; ``new("contract")``: a research collaboration on
    one in contracting. Both asked for by the central team, their terms complete (they may go to the company)."""
    central = people["central"]

    def make(machine: str) -> Agreement:
        if machine == "nda":
            enquiry = routed_enquiry(company=company, entities=[entity], actor=central)
            return fill_terms(nda(enquiry=enquiry, entity=entity, actor=central), actor=central)
        enquiry = contracting_enquiry(company=company, entity=entity, actor=central)
        return fill_terms(contract(enquiry=enquiry, entity=entity, actor=central), actor=central)

    return make


# ---- asking for a contract --------------------------------------------------------------------------------------
class TestRequest:
    def test_the_parties_come_from_the_entitys_governance(self, central_user, company):
        """The lead negotiator signs for all; a co-owner signs too, unless its governance row records a mandate
        that lets the lead sign for it. The lead's row is created last and sorts last: it is still the lead."""
        unit = EntityFactory(code="UMR-S 1131")
        aphp = GoverningBodyFactory(short_name="AP-HP")
        cnrs = GoverningBodyFactory(short_name="CNRS")
        upc = GoverningBodyFactory(short_name="UPCité")
        GovernanceFactory(entity=unit, body=aphp)
        GovernanceFactory(entity=unit, body=cnrs, lead_signs_for_it=True)
        GovernanceFactory(entity=unit, body=upc, lead=True)
        enquiry = routed_enquiry(company=company, entities=[unit], actor=central_user)

        agreement = nda(enquiry=enquiry, entity=unit, actor=central_user)

        assert agreement.parties.count() == 4
        company_party = agreement.parties.get(role=PartyRole.COMPANY)
        assert (company_party.company, company_party.body, company_party.must_sign) == (company, None, True)
        lead = agreement.parties.get(role=PartyRole.LEAD_NEGOTIATOR)
        assert (lead.body, lead.must_sign, lead.signs_through) == (upc, True, None)
        co_owners = {
            p.body.short_name: (p.must_sign, p.signs_through) for p in agreement.parties.filter(role="co_owner")
        }
        assert co_owners == {"AP-HP": (True, None), "CNRS": (False, lead)}

    def test_an_entity_with_one_body_gives_two_parties(self, central_user, entity, company, governing_body):
        enquiry = routed_enquiry(company=company, entities=[entity], actor=central_user)

        agreement = nda(enquiry=enquiry, entity=entity, actor=central_user)

        assert sorted((p.role, p.company or p.body) for p in agreement.parties.all()) == [
            (PartyRole.COMPANY, company),
            (PartyRole.LEAD_NEGOTIATOR, governing_body),
        ]

    def test_contracts_are_numbered_per_enquiry(self, central_user, entity, company, other_company):
        enquiry = contracting_enquiry(company=company, entity=entity, actor=central_user)
        other = contracting_enquiry(company=other_company, entity=entity, actor=central_user)

        first = nda(enquiry=enquiry, entity=entity, actor=central_user)
        elsewhere = nda(enquiry=other, entity=entity, actor=central_user)
        second = contract(enquiry=enquiry, entity=entity, actor=central_user)
        third = contract(enquiry=enquiry, entity=entity, actor=central_user, kind=AgreementKind.SERVICE)

        assert [a.number for a in (first, second, third)] == [1, 2, 3]
        assert [a.reference for a in (first, second, third)] == [f"{enquiry.reference}-{n}" for n in (1, 2, 3)]
        assert (elsewhere.number, elsewhere.reference) == (1, f"{other.reference}-1")

    @pytest.mark.parametrize(
        ("kind", "stage"),
        [
            (AgreementKind.NDA, C.REQUESTED),
            (AgreementKind.RESEARCH_COLLABORATION, C.SCOPING),
            (AgreementKind.SERVICE, C.SCOPING),
        ],
    )
    def test_a_new_contract_starts_in_its_first_stage_with_its_stage_change(
        self, kind, stage, central_user, legal_officer, entity, company
    ):
        enquiry = contracting_enquiry(company=company, entity=entity, actor=central_user)

        agreement = workflow.agreement_request(
            enquiry=enquiry, entity=entity, kind=kind, actor=legal_officer, language="en", at=AT
        )

        row = Agreement.objects.get(pk=agreement.pk)
        assert (row.kind, row.stage, row.language, row.requested_by) == (kind, stage, "en", legal_officer)
        assert (row.created_at, row.stage_changed_at, row.in_force_at) == (AT, AT, None)
        change = StageChange.objects.get(agreement=row)
        assert (change.enquiry, change.actor, change.transition) == (enquiry, legal_officer, "request")
        assert (change.from_stage, change.to_stage, change.comment, change.at) == ("", stage, "", AT)

    def test_the_company_may_ask_for_an_nda(self, company_member, central_user, entity, company):
        enquiry = routed_enquiry(company=company, entities=[entity], actor=central_user)

        agreement = nda(enquiry=enquiry, entity=entity, actor=company_member)

        assert (agreement.stage, agreement.requested_by) == (C.REQUESTED, company_member)
        assert StageChange.objects.get(agreement=agreement).actor == company_member

    @pytest.mark.parametrize(
        ("kind", "allowed"),
        [
            (AgreementKind.NDA, {"central", "lead_legal", "company"}),
            (AgreementKind.RESEARCH_COLLABORATION, {"central", "lead_legal"}),
        ],
    )
    def test_who_may_ask_for_a_contract(self, kind, allowed, people, entity, company):
        enquiry = contracting_enquiry(company=company, entity=entity, actor=people["central"])
        for role in ROLES:
            if role in allowed:
                with transaction.atomic():
                    agreement = workflow.agreement_request(
                        enquiry=enquiry, entity=entity, kind=kind, actor=people[role]
                    )
                    assert agreement.requested_by == people[role], role
                    transaction.set_rollback(True)
                continue
            with pytest.raises(PermissionDenied) as caught:
                workflow.agreement_request(enquiry=enquiry, entity=entity, kind=kind, actor=people[role])
            assert str(caught.value) == f"You may not start a contract on enquiry {enquiry.reference}.", role
            assert not Agreement.objects.exists(), role

    @pytest.mark.parametrize("close", ["withdraw", "no_go"])
    def test_refused_on_a_closed_enquiry(self, close, central_user, company_member, entity, company):
        enquiry = contracting_enquiry(company=company, entity=entity, actor=central_user)
        if close == "withdraw":
            enquiry_workflow.enquiry_withdraw(enquiry=enquiry, actor=company_member, reason="Programme stopped.")
        else:
            enquiry_workflow.enquiry_close_no_go(enquiry=enquiry, actor=central_user, reason="No budget.")
        changes = StageChange.objects.count()

        for kind in (AgreementKind.NDA, AgreementKind.RESEARCH_COLLABORATION):
            with pytest.raises(WorkflowError) as caught:
                workflow.agreement_request(enquiry=enquiry, entity=entity, kind=kind, actor=central_user)
            assert str(caught.value) == f"Enquiry {enquiry.reference} is closed: no contract can start on it."
        assert not Agreement.objects.exists()
        assert StageChange.objects.count() == changes

    def test_refused_on_a_draft(self, company_member, entity, company):
        draft = EnquiryFactory(company=company)

        with pytest.raises(WorkflowError):
            nda(enquiry=draft, entity=entity, actor=company_member)
        assert not Agreement.objects.exists()

    def test_a_draft_is_refused_with_a_message_that_fits_it(self, company_member, entity, company):
        draft = EnquiryFactory(company=company)

        with pytest.raises(WorkflowError) as caught:
            nda(enquiry=draft, entity=entity, actor=company_member)
        assert "None" not in str(caught.value)
        assert "closed" not in str(caught.value)

    def test_refused_for_an_entity_the_enquiry_was_not_routed_to(self, central_user, entity, other_entity, company):
        enquiry = routed_enquiry(company=company, entities=[entity], actor=central_user)

        with pytest.raises(WorkflowError) as caught:
            nda(enquiry=enquiry, entity=other_entity, actor=central_user)
        assert str(caught.value) == (
            f"{other_entity} is not working on enquiry {enquiry.reference}: route it there first."
        )
        assert not Agreement.objects.exists()

    def test_refused_for_an_entity_that_declined(self, central_user, entity, other_entity, company):
        enquiry = routed_enquiry(company=company, entities=[entity, other_entity], actor=central_user)
        enquiry_workflow.enquiry_answer_routing(
            routing=enquiry.routings.get(entity=other_entity), actor=central_user, accept=False, reason="No capacity."
        )

        with pytest.raises(WorkflowError, match="is not working on enquiry"):
            nda(enquiry=enquiry, entity=other_entity, actor=central_user)
        assert nda(enquiry=enquiry, entity=entity, actor=central_user).number == 1

    @pytest.mark.parametrize("accepted", [False, True])
    def test_an_agreement_waits_for_contracting_an_nda_does_not(
        self, accepted, central_user, entity, company, legal_officer
    ):
        enquiry = routed_enquiry(company=company, entities=[entity], actor=central_user)
        if accepted:
            enquiry = enquiry_workflow.enquiry_answer_routing(
                routing=enquiry.routings.get(), actor=central_user, accept=True
            )

        with pytest.raises(WorkflowError) as caught:
            contract(enquiry=enquiry, entity=entity, actor=legal_officer)
        assert str(caught.value) == (
            f"Agreements start once the central team has confirmed contracting on enquiry {enquiry.reference}."
        )
        assert not Agreement.objects.exists()
        assert nda(enquiry=enquiry, entity=entity, actor=legal_officer).stage == C.REQUESTED

    @pytest.mark.parametrize("governance", ["none", "no_lead"])
    def test_refused_for_an_entity_without_a_lead_negotiator(self, governance, central_user, company):
        unit = EntityFactory(code="GFM")
        if governance == "no_lead":
            GovernanceFactory(entity=unit, is_managing_body=True)
        enquiry = routed_enquiry(company=company, entities=[unit], actor=central_user)

        with pytest.raises(WorkflowError) as caught:
            nda(enquiry=enquiry, entity=unit, actor=central_user)
        assert str(caught.value) == (
            f"{unit} has no lead negotiator among its governing bodies: the central team must name one first."
        )
        assert not Agreement.objects.exists()

    def test_an_unknown_kind_is_refused(self, central_user, entity, company):
        enquiry = contracting_enquiry(company=company, entity=entity, actor=central_user)

        with pytest.raises(ValidationError, match="Unknown kind of contract"):
            contract(enquiry=enquiry, entity=entity, actor=central_user, kind="joint_venture")
        assert not Agreement.objects.exists()


# ---- every step, by role and by stage ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("machine", "name"),
    [(machine, name) for machine, steps in MACHINES.items() for name, step in steps.items() if step.roles],
)
def test_each_step_is_allowed_to_its_roles_only(machine, name, new, people):
    """Refused roles change nothing; each allowed one moves the contract and writes who, from, to and why."""
    step = MACHINES[machine][name]
    source = sorted(step.sources)[0]
    agreement = walk(new(machine), source, people["central"])
    for role in ROLES:
        user = people[role]
        if role not in step.roles:
            before = snapshot(agreement)
            with pytest.raises(PermissionDenied) as caught:
                run(name, agreement, user, at=AT)
            assert str(caught.value) == f"You are not allowed to do this on contract {agreement.reference}.", role
            assert snapshot(agreement) == before, role
            continue
        with transaction.atomic():
            moved = run(name, agreement, user, at=AT)
            row = Agreement.objects.get(pk=agreement.pk)
            assert (moved.stage, row.stage, row.stage_changed_at) == (step.target, step.target, AT), role
            change = StageChange.objects.get(agreement=agreement, at=AT)
            assert (change.enquiry_id, change.actor, change.transition) == (agreement.enquiry_id, user, name), role
            assert (change.from_stage, change.to_stage, change.comment) == (
                source,
                step.target,
                TEXTS.get(name, ""),
            ), role
            transaction.set_rollback(True)


@pytest.mark.parametrize(
    ("machine", "stage"), [(machine, stage) for machine, routes in ROUTES.items() for stage in routes]
)
def test_each_stage_allows_exactly_its_steps(machine, stage, new, people):
    """The transition table, row by row: from this stage the listed steps go where they should, every other step
    of the machine is refused with a message saying the contract moved on, and changes nothing."""
    central = people["central"]
    agreement = walk(new(machine), stage, central)
    expected = {name for name, step in MACHINES[machine].items() if stage in step.sources}

    assert {t.name for t in agreement.as_machine().get_available_stage_transitions()} == expected
    for name, step in MACHINES[machine].items():
        if name in expected:
            with transaction.atomic():
                assert run(name, agreement, central).stage == step.target, name
                transaction.set_rollback(True)
            continue
        before = snapshot(agreement)
        with pytest.raises(WorkflowError) as caught:
            run(name, agreement, central)
        label = C(stage).label
        assert str(caught.value) == (
            f"Contract {agreement.reference} is now “{label}”: this step is no longer possible. Reload the page."
        ), name
        assert snapshot(agreement) == before, name


@pytest.mark.parametrize(
    ("machine", "name"), [(machine, name) for machine, steps in MACHINES.items() for name in steps if name in TEXTS]
)
def test_a_comment_or_reason_is_required_where_the_workflow_says(machine, name, new, people):
    step = MACHINES[machine][name]
    agreement = walk(new(machine), sorted(step.sources)[0], people["central"])
    before = snapshot(agreement)

    for text in ("", "   \n"):
        with pytest.raises(ValidationError):
            run(name, agreement, people["central"], text=text)
    assert snapshot(agreement) == before


@pytest.mark.parametrize(
    ("kind", "stage"), [(AgreementKind.NDA, C.DRAFTING), (AgreementKind.RESEARCH_COLLABORATION, C.INTERNAL_REVIEW)]
)
def test_nothing_goes_to_the_company_before_its_terms_are_complete(kind, stage, people, entity, company):
    central = people["central"]
    enquiry = contracting_enquiry(company=company, entity=entity, actor=central)
    agreement = walk(
        workflow.agreement_request(enquiry=enquiry, entity=entity, kind=kind, actor=central), stage, central
    )
    before = snapshot(agreement)

    with pytest.raises(ValidationError) as caught:
        workflow.agreement_send_to_company(agreement=agreement, actor=people["lead_legal"])
    assert (
        f"Contract {agreement.reference} cannot go to the company: enter its terms first." in caught.value.messages[0]
    )
    assert "Effective date" in caught.value.messages[0]
    assert snapshot(agreement) == before

    fill_terms(agreement, actor=people["lead_legal"])
    assert workflow.agreement_send_to_company(agreement=agreement, actor=people["lead_legal"]).stage != stage


def test_a_comment_is_kept_without_its_surrounding_blanks(new, people):
    agreement = walk(new("nda"), C.SENT_FOR_REVIEW, people["central"])

    workflow.agreement_request_changes(agreement=agreement, actor=people["company"], comment="  Clause 4, please.\n")

    assert StageChange.objects.get(agreement=agreement, transition="request_changes").comment == "Clause 4, please."


@pytest.mark.parametrize("machine", ["nda", "contract"])
def test_the_periodic_task_expires_a_contract_in_force_as_nobody(machine, new, people):
    agreement = walk(new(machine), C.IN_FORCE, people["central"])

    expired = workflow.agreement_expire(agreement=agreement, at=AT)

    assert (expired.stage, Agreement.objects.get(pk=agreement.pk).stage) == (C.EXPIRED, C.EXPIRED)
    change = StageChange.objects.get(agreement=agreement, transition="expire")
    assert (change.actor, change.from_stage, change.to_stage, change.at) == (None, C.IN_FORCE, C.EXPIRED, AT)


# ---- in force: the stamp, and the enquiry that follows ---------------------------------------------------------
@pytest.mark.parametrize("machine", ["nda", "contract"])
def test_entering_into_force_stamps_the_time_once(machine, new, people):
    before = ROUTES[machine][C.IN_FORCE][-2]
    agreement = walk(new(machine), MACHINES[machine][before].target, people["central"])
    assert Agreement.objects.get(pk=agreement.pk).in_force_at is None

    workflow.agreement_enter_into_force(agreement=agreement, actor=people["lead_legal"], at=AT)

    row = Agreement.objects.get(pk=agreement.pk)
    assert (row.stage, row.in_force_at, row.stage_changed_at) == (C.IN_FORCE, AT, AT)
    later = AT + dt.timedelta(days=400)
    workflow.agreement_terminate(agreement=row, actor=people["central"], reason="Ended early.", at=later)
    row = Agreement.objects.get(pk=agreement.pk)
    assert (row.stage, row.in_force_at, row.stage_changed_at) == (C.TERMINATED, AT, later)


def test_a_research_collaboration_in_force_marks_the_partnership_signed(new, people):
    agreement = walk(new("contract"), C.IN_SIGNATURE, people["central"])
    enquiry = agreement.enquiry
    assert enquiry.stage == EnquiryStage.CONTRACTING

    workflow.agreement_enter_into_force(agreement=agreement, actor=people["lead_legal"], at=AT)

    enquiry.refresh_from_db()
    assert (enquiry.stage, enquiry.closed_at) == (EnquiryStage.SIGNED, AT)
    signed = StageChange.objects.get(enquiry=enquiry, transition="mark_signed")
    assert (signed.agreement, signed.actor, signed.from_stage, signed.to_stage, signed.at) == (
        None,
        None,
        EnquiryStage.CONTRACTING,
        EnquiryStage.SIGNED,
        AT,
    )
    assert StageChange.objects.get(agreement=agreement, transition="enter_into_force").actor == people["lead_legal"]


def test_a_second_agreement_in_force_leaves_the_signed_enquiry_as_it_is(people, entity, company):
    central = people["central"]
    enquiry = contracting_enquiry(company=company, entity=entity, actor=central)
    first, second = (
        walk(
            fill_terms(contract(enquiry=enquiry, entity=entity, actor=central), actor=central), C.IN_SIGNATURE, central
        )
        for _ in range(2)
    )
    workflow.agreement_enter_into_force(agreement=first, actor=central)

    workflow.agreement_enter_into_force(agreement=second, actor=central)

    enquiry.refresh_from_db()
    assert enquiry.stage == EnquiryStage.SIGNED
    assert StageChange.objects.filter(enquiry=enquiry, transition="mark_signed").count() == 1
    assert Agreement.objects.get(pk=second.pk).stage == C.IN_FORCE


@pytest.mark.parametrize("enquiry_stage", [EnquiryStage.ROUTED, EnquiryStage.CONTRACTING])
def test_an_nda_in_force_does_not_sign_the_partnership(enquiry_stage, people, entity, company):
    central = people["central"]
    if enquiry_stage == EnquiryStage.CONTRACTING:
        enquiry = contracting_enquiry(company=company, entity=entity, actor=central)
    else:
        enquiry = routed_enquiry(company=company, entities=[entity], actor=central)

    walk(fill_terms(nda(enquiry=enquiry, entity=entity, actor=central), actor=central), C.IN_FORCE, central)

    enquiry.refresh_from_db()
    assert enquiry.stage == enquiry_stage
    assert not StageChange.objects.filter(enquiry=enquiry, transition="mark_signed").exists()


def test_confidential_exchange_opens_only_while_an_nda_is_in_force(new, people):
    central = people["central"]
    agreement = new("nda")
    enquiry = agreement.enquiry
    for name in _NDA_IN_FORCE:
        assert not enquiry.has_nda_in_force(), agreement.stage
        agreement = run(name, agreement, central)

    assert enquiry.has_nda_in_force()
    workflow.agreement_terminate(agreement=agreement, actor=central, reason="The company left.")
    assert not enquiry.has_nda_in_force()


def test_an_agreement_in_force_is_no_nda(people, entity, company):
    central = people["central"]
    enquiry = contracting_enquiry(company=company, entity=entity, actor=central)
    walk(nda(enquiry=enquiry, entity=entity, actor=central), C.CANCELLED, central)

    walk(fill_terms(contract(enquiry=enquiry, entity=entity, actor=central), actor=central), C.IN_FORCE, central)

    assert not enquiry.has_nda_in_force()


def test_an_nda_in_force_on_another_enquiry_does_not_count(people, entity, company):
    central = people["central"]
    enquiry = routed_enquiry(company=company, entities=[entity], actor=central)
    other = routed_enquiry(company=company, entities=[entity], actor=central)

    walk(fill_terms(nda(enquiry=other, entity=entity, actor=central), actor=central), C.IN_FORCE, central)

    assert other.has_nda_in_force()
    assert not enquiry.has_nda_in_force()


# ---- the two machines stay apart -------------------------------------------------------------------------------
def test_each_machine_has_only_its_own_steps():
    nda_steps = {t.name for t in Nda._meta.get_field("stage").get_all_transitions(Nda)}
    contract_steps = {t.name for t in Contract._meta.get_field("stage").get_all_transitions(Contract)}

    assert nda_steps == set(MACHINES["nda"])
    assert contract_steps == set(MACHINES["contract"])
    for name in nda_steps - contract_steps:
        assert not hasattr(Contract, name), name
    for name in contract_steps - nda_steps:
        assert not hasattr(Nda, name), name


def test_the_proxies_hold_their_own_rows(new):
    first, second = new("nda"), new("contract")

    assert list(Nda.objects.values_list("pk", flat=True)) == [first.pk]
    assert list(Contract.objects.values_list("pk", flat=True)) == [second.pk]
    assert type(first.as_machine()) is Nda
    assert type(second.as_machine()) is Contract


@pytest.mark.parametrize(
    ("stage", "name"),
    [
        (C.DRAFTING, "submit_for_internal_review"),
        (C.AGREED, "open_signature"),
        (C.IN_FORCE, "complete"),
    ],
)
def test_an_nda_cannot_run_an_agreement_step(stage, name, new, people):
    agreement = walk(new("nda"), stage, people["central"])
    before = snapshot(agreement)

    with pytest.raises(WorkflowError) as caught:
        run(name, agreement, people["central"])
    assert str(caught.value) == "There is no such step for this contract."
    assert snapshot(agreement) == before


@pytest.mark.parametrize(("stage", "name"), [(C.DRAFTING, "send_for_review"), (C.AGREED, "sign_by_company")])
def test_an_agreement_cannot_run_an_nda_step(stage, name, new, people):
    agreement = walk(new("contract"), stage, people["central"])
    before = snapshot(agreement)

    with pytest.raises(WorkflowError) as caught:
        workflow._transition(agreement=agreement, actor=people["central"], name=name)
    assert str(caught.value) == "There is no such step for this contract."
    assert snapshot(agreement) == before


def test_sending_to_the_company_takes_each_machines_own_step(new, people):
    central = people["central"]
    first = walk(new("nda"), C.DRAFTING, central)
    second = walk(new("contract"), C.INTERNAL_REVIEW, central)

    assert workflow.agreement_send_to_company(agreement=first, actor=central).stage == C.SENT_FOR_REVIEW
    assert workflow.agreement_send_to_company(agreement=second, actor=central).stage == C.SENT_TO_COMPANY
    assert StageChange.objects.get(agreement=first, to_stage=C.SENT_FOR_REVIEW).transition == "send_for_review"
    assert StageChange.objects.get(agreement=second, to_stage=C.SENT_TO_COMPANY).transition == "send_to_company"


# ---- the stage is the workflow's alone ---------------------------------------------------------------------------
@pytest.mark.parametrize("model", [Agreement, Nda, Contract])
def test_the_stage_cannot_be_assigned(model, new, people):
    agreement = new("nda" if model is Nda else "contract")
    row = model.objects.get(pk=agreement.pk)
    stage = row.stage

    with pytest.raises(AttributeError, match="Direct stage modification is not allowed"):
        row.stage = C.IN_FORCE
    assert row.stage == stage
    assert Agreement.objects.get(pk=agreement.pk).stage == stage


def test_an_older_copy_reloads_the_stage_the_workflow_set(new, people):
    agreement = new("contract")
    stale = Contract.objects.get(pk=agreement.pk)

    workflow.agreement_start_drafting(agreement=agreement, actor=people["lead_legal"])
    stale.refresh_from_db()

    assert stale.stage == C.DRAFTING


# ---- the diagrams drawn from the code ------------------------------------------------------------------------
def dot_of(model: str) -> str:
    """``manage.py graph_transitions <model>``, printed as dot source (rendering needs Graphviz's own binary)."""
    out = io.StringIO()
    call_command("graph_transitions", model, stdout=out)
    return out.getvalue()


NODE = re.compile(r'^\s*"[^"]+\.stage\.(\w+)" \[label=', re.MULTILINE)
EDGE = re.compile(r'^\s*"[^"]+\.stage\.(\w+)" -> "[^"]+\.stage\.(\w+)" \[label=(\w+)\]', re.MULTILINE)


@pytest.mark.parametrize(("model", "machine"), [("agreements.Nda", "nda"), ("agreements.Contract", "contract")])
def test_each_machine_draws_its_own_diagram(model, machine):
    dot = dot_of(model)

    assert set(NODE.findall(dot)) == set(ROUTES[machine])
    expected = {(source, step.target, name) for name, step in MACHINES[machine].items() for source in step.sources}
    assert set(EDGE.findall(dot)) == expected
    for stage in ROUTES[machine]:
        assert str(C(stage).label) in dot
