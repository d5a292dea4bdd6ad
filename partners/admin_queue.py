"""The central team's triage queue: list filters, search and pagination that stay fast on 100,000 enquiries.

Django's defaults would count the whole table twice per page, filter many-to-many relations through joins
that need DISTINCT, and search with a scan across a join; here every filter is an ``EXISTS`` on an indexed
table, the search uses the trigram indexes (PostgreSQL) and looks companies up first, and the paginator
counts only a few pages ahead of the one shown.
"""

from __future__ import annotations

from functools import lru_cache

from django.contrib import admin
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.text import smart_split, unescape_string_literal
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .choices import ENQUIRY_CLOSED_STAGES, EnquiryStage
from .models import Company, DiseaseArea, Entity, GoverningBody, Routing

S = EnquiryStage


class CappedCountPaginator(Paginator):
    """Counts at most ``lookahead`` pages past the current one: a bounded ``COUNT`` over a ``LIMIT``ed
    subquery instead of one over every matching row. ``is_capped`` says there may be more."""

    lookahead = 5

    def __init__(self, object_list, per_page, *, page_number: int = 1, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.limit = (max(page_number, 1) + self.lookahead) * int(per_page)

    @cached_property
    def count(self) -> int:
        counted = self.object_list.order_by()[: self.limit + 1].count()
        self.is_capped = counted > self.limit
        return min(counted, self.limit)

    is_capped = False


MAX_PAGE = 10_000  # beyond it the pager stops counting (a filter finds older rows better than paging)


def page_number(request) -> int:
    try:
        return min(max(int(request.GET.get("p", 1)), 1), MAX_PAGE)
    except ValueError:
        return 1


@lru_cache(maxsize=8)
def _stage_lookups(language: str) -> list[tuple[str, str]]:
    # built once per language: the change list makes its filters three times a page
    return [(StageFilter.CLOSED, str(_("Closed"))), *((s.value, str(s.label)) for s in S if s != S.DRAFT)]


class StageFilter(admin.SimpleListFilter):
    """Open enquiries by default (the queue); closed ones, each stage, or everything on demand."""

    title = _("stage")
    parameter_name = "stage"
    OPEN, CLOSED, ALL = "open", "closed", "all"

    def lookups(self, request, model_admin):
        return _stage_lookups(get_language() or "")

    def value(self):
        return super().value() or self.OPEN

    def choices(self, changelist):
        current = self.value()
        for value, label in [(self.OPEN, _("Open (the queue)")), (self.ALL, _("All")), *self.lookup_choices]:
            yield {
                "selected": current == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }

    def queryset(self, request, queryset):
        value = self.value()
        if value == self.ALL:
            return queryset
        if value == self.OPEN:
            return queryset.open()
        if value == self.CLOSED:
            return queryset.filter(stage__in=ENQUIRY_CLOSED_STAGES)
        if value in S.values:
            return queryset.filter(stage=value)
        return queryset.none()


class OverdueFilter(admin.SimpleListFilter):
    title = _("deadline")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("Overdue")), ("no", _("On time"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.overdue()
        if self.value() == "no":
            return queryset.filter(Q(overdue_from__isnull=True) | Q(overdue_from__gt=timezone.localdate()))
        return queryset


class AssignedFilter(admin.SimpleListFilter):
    title = _("follower")
    parameter_name = "assigned"

    def lookups(self, request, model_admin):
        return [("me", _("Me")), ("nobody", _("Nobody"))]

    def queryset(self, request, queryset):
        if self.value() == "me":
            return queryset.filter(assigned_to=request.user)
        if self.value() == "nobody":
            return queryset.filter(assigned_to__isnull=True)
        return queryset


class _ExistsFilter(admin.SimpleListFilter):
    """A filter on a related table by ``EXISTS``: no join on the list query, so no duplicates, no DISTINCT."""

    def lookups(self, request, model_admin):
        return [(str(pk), label) for pk, label in self.options()]

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        if not value.isdigit():
            return queryset.none()
        return queryset.filter(Exists(self.related(int(value))))


class DiseaseAreaFilter(_ExistsFilter):
    title = _("disease area")
    parameter_name = "area"

    def options(self):
        return [(area.pk, str(area)) for area in DiseaseArea.objects.all()]

    def related(self, pk):
        through = DiseaseArea.enquiry_set.through
        return through.objects.filter(enquiry=OuterRef("pk"), diseasearea_id=pk)


class EntityFilter(_ExistsFilter):
    title = _("entity")
    parameter_name = "entity"

    def options(self):
        return Entity.objects.filter(is_active=True).values_list("pk", "name")

    def related(self, pk):
        return Routing.objects.filter(enquiry=OuterRef("pk"), entity_id=pk)


class GoverningBodyFilter(_ExistsFilter):
    title = _("governing body")
    parameter_name = "body"

    def options(self):
        return GoverningBody.objects.values_list("pk", "short_name")

    def related(self, pk):
        return Routing.objects.filter(enquiry=OuterRef("pk"), entity__governances__body_id=pk)


SEARCHED_FIELDS = ["reference", "title", "summary"]
# Beyond this many companies matching a word, the search joins instead of listing their ids.
COMPANY_IDS_INLINE = 500


def search_enquiries(queryset, search_term: str):
    """Every word must match the reference, title, summary or company name (as the admin's own search), with
    companies looked up first so that each condition can use its own index."""
    for bit in smart_split(search_term):
        if bit.startswith(('"', "'")) and bit[0] == bit[-1]:
            bit = unescape_string_literal(bit)
        if not bit:
            continue
        condition = Q()
        for field in SEARCHED_FIELDS:
            condition |= Q(**{f"{field}__icontains": bit})
        companies = Company.objects.filter(legal_name__icontains=bit).values_list("pk", flat=True)
        ids = list(companies[: COMPANY_IDS_INLINE + 1])
        if len(ids) > COMPANY_IDS_INLINE:
            condition |= Q(company__legal_name__icontains=bit)
        elif ids:
            condition |= Q(company_id__in=ids)
        queryset = queryset.filter(condition)
    return queryset
