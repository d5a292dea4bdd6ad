"""The demo's year of history: enough enquiries, contracts and survey answers, spread over the quarters, for the KPI
dashboard's charts to mean something; replayed through the workflow in time order; loaded once."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from statistics import median

import pytest
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from agreements.choices import AgreementKind, ContractStage
from agreements.models import Agreement, DraftVersion, StageChange
from partners import demo_data, demo_history
from partners.choices import EnquiryStage, RoutingStatus
from partners.models import Enquiry, Routing
from partners.workdays import working_days_between
from quality.models import SurveyAnswer, SurveyEvent, SurveyInvitation

S = EnquiryStage
# Days to check the plans against: every 9th day of a year, and the first and last days of each quarter.
DAYS = sorted(
    {dt.date(2026, 1, 1) + dt.timedelta(days=n) for n in range(0, 366, 9)}
    | {dt.date(2026, month, 1) for month in (1, 4, 7, 10)}
    | {dt.date(2026, month, day) for month, day in ((3, 31), (6, 30), (9, 30), (12, 31))}
)


def quarter(day: dt.date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def last_quarters(today: dt.date, count: int = 4) -> list[tuple[int, int]]:
    """The quarter three weeks ago (a quarter begun this week has little to show yet) and the ones before it."""
    year, number = quarter(today - dt.timedelta(days=25))
    quarters = []
    for _ in range(count):
        quarters.append((year, number))
        year, number = (year - 1, 4) if number == 1 else (year, number - 1)
    return quarters


def local_day(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


def history_titles() -> set[str]:
    return {spec["title"] for spec in demo_history.enquiries(timezone.localdate())}


# ---- the plans, whatever the day (no database) -------------------------------------------------------------------
def test_the_history_is_drawn_once_the_same_whatever_the_day():
    titles = [spec["title"] for spec in demo_history._plans()]
    demo_history._plans.cache_clear()
    assert [spec["title"] for spec in demo_history._plans()] == titles  # seeded: the same draw again
    assert 120 <= len(titles) <= 160
    # The titles are the natural key: a later load finds the same enquiries, and none is a story's title.
    assert len({(spec["company"], spec["title"]) for spec in demo_history._plans()}) == len(titles)
    assert not set(titles) & {spec["title"] for spec in demo_data.ENQUIRIES}
    for today in (dt.date(2026, 3, 2), dt.date(2026, 11, 20)):
        assert {spec["title"] for spec in demo_history.enquiries(today)} == set(titles)


@pytest.mark.parametrize("today", DAYS, ids=str)
def test_every_timeline_stays_in_order_before_today_over_a_year(today):
    specs = demo_history.enquiries(today)
    quiet = today - dt.timedelta(days=demo_history.QUIET_DAYS)
    created = []
    for spec in specs:
        moments = demo_data.timeline(spec, today)
        assert moments == sorted(moments) and len(set(moments)) == len(moments), spec["title"]
        assert local_day(moments[-1]) <= quiet, spec["title"]
        assert today - local_day(moments[0]) < dt.timedelta(days=340), spec["title"]  # the demo tests' bound
        created.append(local_day(moments[0]))
    assert len({quarter(day) for day in created}) >= 4


@pytest.mark.parametrize("today", DAYS, ids=str)
def test_each_of_the_last_four_quarters_has_survey_answers_whatever_the_day(today):
    """Counted on the closures' surveys alone: they are there with or without the contracts."""
    answered = defaultdict(int)
    for spec in demo_history.enquiries(today):
        moments = demo_data.timeline(spec, today)[1:]
        event = None
        for (_gap, action, *args), moment in zip(spec["steps"], moments, strict=True):
            if action == "survey":
                event = args[0]
            elif action == "rate" and event == SurveyEvent.ENQUIRY_CLOSED:
                answered[quarter(local_day(moment))] += 1
    for each in last_quarters(today):
        assert answered[each] >= 2, (today, each, dict(answered))


def test_the_plans_tell_what_a_central_team_sees_in_a_year():
    specs = demo_history.enquiries(dt.date(2026, 11, 20))
    actions = [[step[1] for step in spec["steps"]] for spec in specs]
    first_responses = [
        next(step[0] for step in spec["steps"] if step[1] in ("triage", "ask", "decline", "route"))
        for spec in specs
        if any(step[1] == "triage" for step in spec["steps"])
    ]
    assert sum(gap > 5 for gap in first_responses) >= 8  # late, in working days
    assert sum(gap <= 5 for gap in first_responses) >= 0.8 * len(first_responses)
    assert sum("answer" in steps for steps in actions) >= 10  # awaiting the company, then back
    assert sum(steps.count("route") >= 2 and "refuse" in steps for steps in actions) >= 5  # declined, re-routed
    for closing in ("withdraw", "no_go", "decline", "sign"):
        assert sum(closing in steps for steps in actions) >= 10, closing
    signatures = [step for spec in specs for step in spec["steps"] if step[1] == "agreement" and step[3] == "sign"]
    assert signatures  # some contracts signed on the portal


# ---- loaded without the contracts ------------------------------------------------------------------------------
@pytest.mark.django_db
def test_without_contracts_the_history_loads_its_enquiries_once_and_still_signs_them():
    first = demo_data.load(contracts=False)
    titles = history_titles()
    history = Enquiry.objects.filter(title__in=titles)
    assert history.count() == len(titles) and first["created"]["enquiries"] == len(titles) + len(demo_data.ENQUIRIES)
    assert not Agreement.objects.exists()
    assert history.filter(stage=S.SIGNED).count() >= 15  # signed where the agreement came into force, or on paper
    assert SurveyAnswer.objects.filter(invitation__enquiry__in=history).count() >= 30

    again = demo_data.load(contracts=False)
    assert again["created"] == {} and again["totals"] == first["totals"]


# ---- loaded with the contracts ---------------------------------------------------------------------------------
@pytest.fixture(scope="class")
def loaded(django_db_setup, django_db_blocker):
    """The whole demo, contracts rendered, loaded once for the class and rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield demo_data.load()
        transaction.set_rollback(True)


@pytest.mark.usefixtures("loaded", "db")
class TestTheLoadedHistory:
    def enquiries(self):
        return Enquiry.objects.filter(title__in=history_titles())

    def test_it_spans_the_year_with_more_in_recent_quarters(self):
        submitted = [local_day(e.submitted_at) for e in self.enquiries()]
        assert 120 <= len(submitted) <= 160
        by_quarter = defaultdict(int)
        for day in submitted:
            by_quarter[quarter(day)] += 1
        assert len(by_quarter) >= 4
        assert by_quarter[min(by_quarter)] < max(by_quarter.values())  # the first quarter is the quietest

    def test_every_enquirys_stage_changes_happened_in_order_before_now(self):
        now = timezone.now()
        changes = defaultdict(list)
        for change in StageChange.objects.filter(enquiry__in=self.enquiries()).order_by("pk"):
            changes[change.enquiry_id].append(change)
        assert len(changes) == self.enquiries().count()
        for enquiry_id, rows in changes.items():
            moments = [row.at for row in rows]
            assert moments == sorted(moments), enquiry_id  # written as they happened
            assert moments[-1] < now - dt.timedelta(days=1), enquiry_id
            own = [row for row in rows if row.agreement_id is None]
            for before, after in zip(own, own[1:], strict=False):
                assert before.to_stage == after.from_stage and before.at < after.at, enquiry_id

    def test_first_responses_mostly_within_five_working_days_some_late(self):
        days = [
            working_days_between(local_day(e.submitted_at), local_day(e.first_response_at))
            for e in self.enquiries().exclude(first_response_at=None)
        ]
        late = [d for d in days if d > 5]
        assert len(late) >= 8 and len(late) <= 0.2 * len(days)
        assert median(days) <= 3

    def test_a_central_team_would_recognise_its_year(self):
        enquiries = self.enquiries()
        stages = set(enquiries.values_list("stage", flat=True))
        assert {S.DECLINED, S.WITHDRAWN, S.NO_GO, S.SIGNED, S.CONTRACTING, S.SUBMITTED, S.ROUTED} <= stages
        assert enquiries.filter(stage__in=[S.SIGNED, S.CONTRACTING]).count() >= 0.25 * enquiries.count()
        closed = enquiries.filter(stage__in=[S.DECLINED, S.WITHDRAWN, S.NO_GO, S.SIGNED]).count()
        assert 4 <= enquiries.count() - closed <= 25  # a handful still open today
        reopened = StageChange.objects.filter(enquiry__in=enquiries, transition="provide_information")
        assert reopened.values("enquiry").distinct().count() >= 10
        rerouted = enquiries.filter(routings__status=RoutingStatus.DECLINED).filter(
            routings__status=RoutingStatus.ACCEPTED
        )
        assert rerouted.distinct().count() >= 5
        # overdue: nobody answered within 5 working days, or an entity silent for more than 10
        today = timezone.localdate()
        unanswered = enquiries.filter(stage=S.SUBMITTED)
        assert any(working_days_between(local_day(e.submitted_at), today) > 5 for e in unanswered)
        pending = Routing.objects.filter(enquiry__in=enquiries, status=RoutingStatus.PENDING, enquiry__stage=S.ROUTED)
        assert any(working_days_between(local_day(r.routed_at), today) > 10 for r in pending)

    def test_one_entity_is_markedly_slower_to_answer(self):
        days = defaultdict(list)
        answered = Routing.objects.filter(enquiry__in=self.enquiries()).exclude(answered_at=None)
        for routing in answered.select_related("entity"):
            days[routing.entity.code].append(
                working_days_between(local_day(routing.routed_at), local_day(routing.answered_at))
            )
        medians = {code: median(values) for code, values in days.items() if len(values) >= 3}
        slowest = max(medians, key=medians.get)
        assert slowest == "UMR 8200"
        assert medians[slowest] >= 2 * median(medians.values())
        assert len(medians) >= 8  # several entities, so "by entity" differs

    def test_ndas_and_agreements_came_into_force_on_the_portal_in_plausible_times(self):
        contracts = Agreement.objects.filter(enquiry__in=self.enquiries())
        in_force = contracts.filter(stage=ContractStage.IN_FORCE)
        ndas, agreements = in_force.filter(kind=AgreementKind.NDA), in_force.exclude(kind=AgreementKind.NDA)
        assert ndas.count() >= 3 and agreements.count() >= 3
        assert len({a.parties.get(role="lead_negotiator").body_id for a in in_force}) >= 3  # "by body" differs
        for agreement in in_force:
            requested = agreement.stage_changes.order_by("at").first().at
            days = working_days_between(local_day(requested), local_day(agreement.in_force_at))
            low, high = (10, 85) if agreement.kind == AgreementKind.NDA else (30, 150)  # AP-HP: slower
            assert low <= days <= high, (agreement.reference, days)
            assert agreement.enquiry.stage in (S.CONTRACTING, S.SIGNED)
        assert not DraftVersion.objects.filter(agreement__in=contracts).exclude(status=DraftVersion.Status.READY)
        # company review rounds, and contracts abandoned with their enquiry
        assert StageChange.objects.filter(agreement__in=contracts, transition="request_changes").count() >= 5
        assert contracts.filter(stage=ContractStage.CANCELLED).exists()
        assert contracts.exclude(stage__in=[ContractStage.IN_FORCE, ContractStage.CANCELLED]).exists()  # under way

    def test_contracts_led_by_ap_hp_wait_longest(self):
        """Of each kind that came into force, the AP-HP contract took longest (its legal staff are the slowest)."""
        by_kind = defaultdict(dict)
        for agreement in Agreement.objects.filter(enquiry__in=self.enquiries(), stage=ContractStage.IN_FORCE):
            requested = agreement.stage_changes.order_by("at").first().at
            lead = agreement.parties.get(role="lead_negotiator").body.short_name
            days = working_days_between(local_day(requested), local_day(agreement.in_force_at))
            by_kind[agreement.kind].setdefault(lead, []).append(days)
        compared = [kind for kind, leads in by_kind.items() if "AP-HP" in leads and len(leads) > 1]
        assert compared
        for kind in compared:
            others = [days for lead, values in by_kind[kind].items() if lead != "AP-HP" for days in values]
            assert min(by_kind[kind]["AP-HP"]) > max(others), (kind, by_kind[kind])

    def test_satisfaction_is_asked_at_each_event_and_answered_over_the_quarters(self):
        now = timezone.now()
        invitations = SurveyInvitation.objects.filter(enquiry__in=self.enquiries()).select_related("enquiry")
        assert {i.event for i in invitations} == set(SurveyEvent.values)
        for invitation in invitations:
            if invitation.event == SurveyEvent.ENQUIRY_CLOSED:
                assert invitation.contract_id is None and invitation.created_at >= invitation.enquiry.closed_at
            else:
                assert invitation.contract.in_force_at <= invitation.created_at
                assert (invitation.event == SurveyEvent.NDA_IN_FORCE) == (invitation.contract.kind == "nda")
            assert invitation.expires_at == invitation.created_at + dt.timedelta(days=60)
        answers = SurveyAnswer.objects.filter(invitation__in=invitations).select_related("invitation")
        assert 0.5 * invitations.count() <= answers.count() < invitations.count()  # most, not all, answer
        for answer in answers:
            assert answer.invitation.created_at < answer.answered_at < now
            assert answer.answered_at == answer.invitation.answered_at
        by_quarter = defaultdict(int)
        for answer in answers:
            by_quarter[quarter(local_day(answer.answered_at))] += 1
        assert all(by_quarter[each] >= 2 for each in last_quarters(timezone.localdate())), dict(by_quarter)
        scores = [answer.recommendation for answer in answers]
        assert sum(7 <= score <= 10 for score in scores) >= 0.6 * len(scores)
        assert any(score <= 4 for score in scores)
        assert answers.filter(~Q(comment="")).exists()

    def test_loading_again_creates_nothing(self):
        totals = {label: count for label, count in self.loaded_totals().items()}
        again = demo_data.load()
        assert again["created"] == {} and again["totals"] == totals

    @staticmethod
    def loaded_totals():
        return {label: model.objects.count() for label, model in demo_data.COUNTED_MODELS}
