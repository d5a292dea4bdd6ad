"""The KPI dashboard's figures, aggregated by the database from the stored clocks (quality.clocks).

Every figure is cut to what the reader may see (central team: everything; legal staff: their bodies' entities;
an entity's scientific contacts: their entities) and to the period and entity chosen. A bounded number of queries,
whatever the number of enquiries: each table is one GROUP BY.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import Avg, Count, Q, QuerySet
from django.db.models.functions import TruncQuarter
from django.utils import timezone
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from agreements.choices import AgreementKind, ContractStage
from agreements.selectors import agreements_visible_to
from partners.choices import ENQUIRY_CLOSED_STAGES, Party
from partners.models import Enquiry, Entity, GoverningBody, Routing
from partners.rules import is_central_team, is_entity_contact, is_legal_staff
from partners.selectors import enquiries_visible_to
from partners.workdays import working_days_between

from .aggregates import Percentile, percentile_of_counts
from .clocks import quarter_of
from .models import ContractClock, EnquiryClock, FiguresVersion, FunnelStep, StageSpell, SurveyAnswer, SurveyInvitation

# The enquiry clocks, in the order the dashboard shows them: (field, label).
CLOCKS = [
    ("first_response_days", _("Submission to first response")),
    ("routing_days", _("Submission to routing")),
    ("entity_answer_days", _("Routing to the entity's answer")),
    ("nda_days", _("Submission to NDA in force")),
    ("signed_days", _("Submission to agreement signed")),
]
BALLS = [
    (Party.COMPANY.value, Party.COMPANY.label),
    (Party.CENTRAL_TEAM.value, Party.CENTRAL_TEAM.label),
    (Party.ENTITY.value, Party.ENTITY.label),
    (Party.GOVERNING_BODY.value, Party.GOVERNING_BODY.label),
]
OVERDUE_SHOWN = 25
CACHE_SECONDS = 6 * 3600
WAITING_SHOWN = 10


def may_see(user) -> bool:
    """The dashboard is staff's: the central team, legal staff and entities' scientific contacts."""
    return bool(user and user.is_authenticated and user.is_staff and _scope_known(user))


def _scope_known(user) -> bool:
    return is_central_team(user) or is_legal_staff(user) or is_entity_contact(user)


def entities_in_scope(user) -> QuerySet[Entity]:
    """The entities whose figures ``user`` may read."""
    if is_central_team(user):
        return Entity.objects.all()
    mine = Q(pk__in=[])
    if is_entity_contact(user):
        mine |= Q(scientific_contacts=user)
    if is_legal_staff(user):
        mine |= Q(governances__body__legal_staff=user)
    return Entity.objects.filter(mine).distinct()


@dataclass(frozen=True)
class Filters:
    start: dt.date
    end: dt.date
    entity: Entity | None = None

    @classmethod
    def default(cls, today: dt.date | None = None) -> Filters:
        """The current quarter and the three before it."""
        today = today or timezone.localdate()
        quarter = quarter_of(today)
        year, month = quarter.year, quarter.month - 9
        if month < 1:
            year, month = year - 1, month + 12
        return cls(start=dt.date(year, month, 1), end=today)


@dataclass
class Figures:
    filters: Filters
    funnel: list[tuple[str, int]] = field(default_factory=list)
    overall: dict = field(default_factory=dict)
    by_quarter: list[dict] = field(default_factory=list)
    by_entity: list[dict] = field(default_factory=list)
    by_body: list[dict] = field(default_factory=list)
    contracts_by_kind: list[dict] = field(default_factory=list)
    waits: list[dict] = field(default_factory=list)
    waiting_now: list[dict] = field(default_factory=list)
    overdue: list[Enquiry] = field(default_factory=list)
    overdue_count: int = 0
    satisfaction: list[dict] = field(default_factory=list)


class Scope:
    """The readers' and the filters' cut, applied to each table's queryset."""

    def __init__(self, user, filters: Filters):
        self.user = user
        self.filters = filters
        self.central = is_central_team(user)
        if filters.entity is not None:
            self.entity_ids: list[int] | None = [filters.entity.pk]
        elif self.central:
            self.entity_ids = None  # everything, enquiries not yet routed included
        else:
            self.entity_ids = list(entities_in_scope(user).values_list("pk", flat=True))
        # Contracts as the portal shows them (agreements_visible_to): legal staff read those their bodies are a
        # party to, not every contract of an entity their body governs today.
        self.contracts = None if self.central else agreements_visible_to(user).values("pk")
        self.fingerprint = "central" if self.central else _reader_fingerprint(user)

    def cut(self, qs: QuerySet, *, entity: str = "entity_id", day: str | None = None, contract: str = "") -> QuerySet:
        if self.entity_ids is not None:
            qs = qs.filter(**{f"{entity}__in": self.entity_ids})
        if contract and self.contracts is not None:
            qs = qs.filter(**{f"{contract}__in": self.contracts})
        if day:
            qs = qs.filter(**{f"{day}__gte": self.filters.start, f"{day}__lte": self.filters.end})
        return qs


def _percentiles(prefix: str, column: str) -> dict:
    return {f"{prefix}_p50": Percentile(column, 0.5), f"{prefix}_p90": Percentile(column, 0.9)}


def _clock_columns() -> dict:
    columns: dict = {"count": Count("pk")}
    for name, _label in CLOCKS:
        columns.update(_percentiles(name, name))
    for ball, _label in BALLS:
        columns[f"{ball}_avg"] = Avg(f"{ball}_days")
    return columns


def figures(user, filters: Filters) -> Figures:
    """The dashboard's figures. Those read from the clocks are kept in the cache until a clock or an answer
    changes (FiguresVersion) or the day ends; the overdue list is read each time (it moves with the date alone)."""
    scope = Scope(user, filters)
    key = _cache_key(scope)
    result = cache.get(key) if key else None
    if result is None:
        result = _aggregate(scope)
        if key:
            cache.set(key, result, CACHE_SECONDS)
    result.overdue, result.overdue_count = _overdue(scope)
    return result


def _reader_fingerprint(user) -> str:
    """What decides which contracts a reader other than the central team sees: their bodies and entities."""
    bodies = sorted(GoverningBody.objects.filter(legal_staff=user).values_list("pk", flat=True))
    entities = sorted(Entity.objects.filter(scientific_contacts=user).values_list("pk", flat=True))
    return f"bodies={bodies};entities={entities}"


def _cache_key(scope: Scope) -> str | None:
    version = FiguresVersion.objects.filter(pk=FiguresVersion.ONLY).values_list("number", flat=True).first()
    if version is None:
        return None
    entities = "all" if scope.entity_ids is None else ",".join(map(str, sorted(scope.entity_ids)))
    parts = [
        version,
        timezone.localdate(),
        scope.filters.start,
        scope.filters.end,
        get_language(),
        entities,
        scope.fingerprint,
    ]
    return "quality:figures:" + hashlib.sha256(repr(parts).encode()).hexdigest()


def _aggregate(scope: Scope) -> Figures:
    enquiries = scope.cut(EnquiryClock.objects.all(), day="submitted_on")
    result = Figures(filters=scope.filters)
    result.funnel = _funnel(enquiries)
    result.overall = enquiries.aggregate(**_clock_columns())
    result.by_quarter = list(enquiries.values("quarter").annotate(**_clock_columns()).order_by("quarter"))
    # grouped on the key alone (PostgreSQL then walks the index, no sort), names read apart
    by_entity = list(enquiries.exclude(entity=None).values("entity_id").annotate(**_clock_columns()))
    names = dict(Entity.objects.filter(pk__in=[row["entity_id"] for row in by_entity]).values_list("pk", "name"))
    for row in by_entity:
        row["entity__name"] = names.get(row["entity_id"], "")
    result.by_entity = sorted(by_entity, key=lambda row: row["entity__name"])
    by_body = list(enquiries.exclude(body=None).values("body_id").annotate(**_clock_columns()))
    bodies = dict(
        GoverningBody.objects.filter(pk__in=[row["body_id"] for row in by_body]).values_list("pk", "short_name")
    )
    for row in by_body:
        row["body__short_name"] = bodies.get(row["body_id"], "")
    result.by_body = sorted(by_body, key=lambda row: row["body__short_name"])
    result.contracts_by_kind = _contracts_by_kind(scope)
    result.waits = _waits(scope)
    result.waiting_now = _waiting_now(scope)
    result.satisfaction = _satisfaction(scope)
    return result


def _moments(filters: Filters) -> tuple[dt.datetime, dt.datetime]:
    """The period as a range of instants (Paris days), so that indexes on the timestamps serve."""
    zone = timezone.get_current_timezone()
    start = dt.datetime.combine(filters.start, dt.time.min, tzinfo=zone)
    end = dt.datetime.combine(filters.end + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    return start, end


def _funnel(enquiries: QuerySet) -> list[tuple[str, int]]:
    counts = enquiries.aggregate(
        **{f"step{step.value}": Count("pk", filter=Q(furthest__gte=step)) for step in FunnelStep}
    )
    return [(str(step.label), counts[f"step{step.value}"]) for step in FunnelStep]


def _contracts_by_kind(scope: Scope) -> list[dict]:
    contracts = scope.cut(ContractClock.objects.filter(is_amendment=False), day="requested_on", contract="agreement")
    rows = list(
        contracts.values("kind")
        .annotate(
            count=Count("pk"),
            in_force=Count("pk", filter=Q(in_force_days__isnull=False)),
            company_avg=Avg("company_days", filter=Q(in_force_days__isnull=False)),
            governing_body_avg=Avg("governing_body_days", filter=Q(in_force_days__isnull=False)),
            **_percentiles("in_force_days", "in_force_days"),
        )
        .order_by("kind")
    )
    labels = dict(AgreementKind.choices)
    for row in rows:
        row["label"] = labels.get(row["kind"], row["kind"])
    return sorted(rows, key=lambda row: -(row["in_force_days_p50"] or 0))


def _stage_label(stage: str) -> str:
    return str(dict(ContractStage.choices).get(stage, stage))


def _waits(scope: Scope) -> list[dict]:
    """Finished stretches of the contracts, by stage and ball holder, longest in total first. Counted per whole
    number of days and the percentiles read from those counts: exact, and far less to sort than every spell."""
    start, end = _moments(scope.filters)
    spells = scope.cut(StageSpell.objects.filter(agreement__isnull=False, left_at__isnull=False), contract="agreement")
    spells = spells.filter(entered_at__gte=start, entered_at__lt=end)
    histograms = defaultdict(list)
    for stage, ball, days, count in spells.values_list("stage", "ball", "working_days").annotate(n=Count("pk")):
        histograms[(stage, ball)].append((days, count))
    balls = dict(BALLS)
    rows = []
    for (stage, ball), histogram in histograms.items():
        histogram.sort()
        rows.append(
            {
                "stage": stage,
                "ball": ball,
                "count": sum(count for _days, count in histogram),
                "total": sum(days * count for days, count in histogram),
                "days_p50": percentile_of_counts(histogram, 0.5),
                "days_p90": percentile_of_counts(histogram, 0.9),
                "stage_label": _stage_label(stage),
                "ball_label": balls.get(ball, ball),
            }
        )
    return sorted(rows, key=lambda row: (-row["total"], row["stage"]))


def _waiting_now(scope: Scope) -> list[dict]:
    """The contracts waiting longest today: their current stage, since when, and whose move it is."""
    spells = scope.cut(
        StageSpell.objects.filter(agreement__isnull=False, left_at__isnull=True), contract="agreement"
    ).exclude(enquiry__stage__in=ENQUIRY_CLOSED_STAGES)  # a contract left open by a withdrawn enquiry waits for nobody
    rows = []
    today = timezone.localdate()
    balls = dict(BALLS)
    for spell in spells.select_related("agreement__enquiry", "entity").order_by("entered_at")[:WAITING_SHOWN]:
        rows.append(
            {
                "agreement": spell.agreement,
                "enquiry": spell.agreement.enquiry,
                "entity": spell.entity,
                "stage_label": _stage_label(spell.stage),
                "ball_label": balls.get(spell.ball, spell.ball),
                "since": spell.entered_at,
                "days": working_days_between(timezone.localtime(spell.entered_at).date(), today),
            }
        )
    return rows


def _overdue(scope: Scope) -> tuple[list[Enquiry], int]:
    enquiries = enquiries_visible_to(scope.user).overdue()
    if scope.filters.entity is not None:
        enquiries = enquiries.filter(pk__in=Routing.objects.filter(entity=scope.filters.entity).values("enquiry_id"))
    count = enquiries.count()
    shown = list(enquiries.select_related("company").order_by("overdue_from", "pk")[:OVERDUE_SHOWN])
    return shown, count


def _satisfaction(scope: Scope) -> list[dict]:
    start, end = _moments(scope.filters)
    answers = SurveyAnswer.objects.filter(answered_at__gte=start, answered_at__lt=end)
    if scope.entity_ids is not None:
        # an answer about a contract is that contract's entity's; about the enquiry, the enquiry's entity's
        ids = scope.entity_ids
        about = Q(contract__entity_id__in=ids) | Q(contract__isnull=True, enquiry__clock__entity_id__in=ids)
        answers = answers.filter(invitation__in=SurveyInvitation.objects.filter(about).values("pk"))
    if scope.contracts is not None:
        answers = answers.filter(Q(invitation__contract__isnull=True) | Q(invitation__contract__in=scope.contracts))
    rows = list(
        answers.annotate(quarter=TruncQuarter("answered_at"))
        .values("quarter")
        .annotate(
            count=Count("pk"),
            avg_recommendation=Avg("recommendation"),
            promoters=Count("pk", filter=Q(recommendation__gte=9)),
            detractors=Count("pk", filter=Q(recommendation__lte=6)),
            avg_responsiveness=Avg("responsiveness"),
            avg_clarity=Avg("clarity"),
            avg_expertise_fit=Avg("expertise_fit"),
        )
        .order_by("quarter")
    )
    for row in rows:
        row["quarter"] = quarter_of(
            row["quarter"].date() if isinstance(row["quarter"], dt.datetime) else row["quarter"]
        )
        row["nps"] = round(100 * (row["promoters"] - row["detractors"]) / row["count"]) if row["count"] else None
    return rows


def quarter_label(day: dt.date) -> str:
    return gettext("%(year)s Q%(number)s") % {"year": day.year, "number": (day.month - 1) // 3 + 1}
