"""Every change of an enquiry's stage, one function per use case.

Each function locks the enquiry row, runs the django-fsm transition (which checks source stage and the
actor's permission), saves, and writes the StageChange, all in one transaction. Views, admin actions,
tasks, the demo loader and tests call these; nothing else assigns a stage.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_fsm import can_proceed, has_transition_perm

from agreements.models import StageChange
from notifications.services import notify
from quality.models import SurveyEvent
from quality.services import survey_after_commit

from . import notices
from .choices import EnquiryStage, RoutingStatus
from .models import Enquiry, Entity, Message, ReferenceCounter, Routing
from .rules import can_answer_for_entity
from .services import submission_problems

S = EnquiryStage


ASKED_AGAIN = "ask_again"  # not a stage change: the record of an entity's earlier "no", before it is asked again


class WorkflowError(Exception):
    """A transition that cannot happen now; its message is shown to the user as it is."""


def allocate_reference(year: int) -> str:
    """Next ``OPA-YYYY-NNNNN``, in one statement: the upsert's row lock serialises concurrent submissions
    until their transaction ends, so two enquiries never get the same number."""
    table = ReferenceCounter._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (year, last) VALUES (%s, 1) "  # noqa: S608 - the table name is ours
            f"ON CONFLICT (year) DO UPDATE SET last = {table}.last + 1 RETURNING last",
            [year],
        )
        (number,) = cursor.fetchone()
    return f"OPA-{year}-{number:05d}"


def _transition(
    *,
    enquiry_id: int,
    actor,
    name: str,
    comment: str | Callable[[], str] = "",
    at: dt.datetime | None = None,
    before=None,
) -> Enquiry:
    """Lock, check, change, record. ``before`` runs on the locked row just before the transition; a callable
    ``comment`` is read after it."""
    at = at or timezone.now()
    with transaction.atomic():
        enquiry = Enquiry.objects.select_for_update().get(pk=enquiry_id)
        method = getattr(enquiry, name)
        if not can_proceed(method):
            raise WorkflowError(
                _("Enquiry %(ref)s is now “%(stage)s”: this step is no longer possible. Reload the page.")
                % {"ref": _ref(enquiry), "stage": enquiry.get_stage_display()}
            )
        if actor is not None and not has_transition_perm(method, actor):
            raise PermissionDenied(_("You are not allowed to do this on enquiry %(ref)s.") % {"ref": _ref(enquiry)})
        from_stage = enquiry.stage
        if before is not None:
            before(enquiry)
        method()
        enquiry.stage_changed_at = at
        fields = ["stage", "stage_changed_at", "updated_at"]
        fields += _stamp_clocks(enquiry, at)
        enquiry.save(update_fields=sorted(set(fields)))
        StageChange.objects.create(
            enquiry=enquiry,
            actor=actor,
            transition=name,
            from_stage=from_stage,
            to_stage=enquiry.stage,
            comment=comment() if callable(comment) else comment,
            at=at,
        )
    return enquiry


def _ref(enquiry: Enquiry) -> str:
    return enquiry.reference or _("(draft)")


def _stamp_clocks(enquiry: Enquiry, at: dt.datetime) -> list[str]:
    """Set the SLA timestamps that this stage starts, the first time only."""
    clocks = {
        S.SUBMITTED: ["submitted_at"],
        S.IN_TRIAGE: ["first_response_at"],
        S.AWAITING_COMPANY: ["first_response_at"],
        S.ROUTED: ["first_response_at", "routed_at"],
        S.ACCEPTED: ["answered_at"],
        S.DECLINED: ["first_response_at", "closed_at"],
        S.NO_GO: ["first_response_at", "closed_at"],
        S.WITHDRAWN: ["closed_at"],
        S.SIGNED: ["closed_at"],
    }.get(S(enquiry.stage), [])
    stamped = []
    for field in clocks:
        if getattr(enquiry, field) is None:
            setattr(enquiry, field, at)
            stamped.append(field)
    return stamped


def _require(text: str, message: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError(message)
    return text


def enquiry_submit(*, enquiry: Enquiry, actor, at: dt.datetime | None = None, notify_company: bool = True) -> Enquiry:
    """The company sends its draft: it gets its reference, and the company a confirmation e-mail (outbox)."""
    at = at or timezone.now()

    def check_and_give_reference(locked: Enquiry) -> None:
        problems = submission_problems(locked)
        if problems:
            raise ValidationError([message for _step, message in problems])
        locked.full_clean(exclude=["reference", "stage"])
        if not locked.reference:
            locked.reference = allocate_reference(timezone.localtime(at).year)
        if locked.submitted_by_id is None and actor is not None:
            locked.submitted_by = actor
        locked.save(update_fields=["reference", "submitted_by"])

    with transaction.atomic():
        enquiry = _transition(enquiry_id=enquiry.pk, actor=actor, name="submit", at=at, before=check_and_give_reference)
        if notify_company:
            _notify_submitted(enquiry, actor)
    return enquiry


def _notify_submitted(enquiry: Enquiry, actor) -> None:
    recipients = {e.lower() for e in (getattr(actor, "email", ""), enquiry.contact_email) if e}
    for email in sorted(recipients):
        notify(
            to=email,
            template="enquiry_submitted",
            language=enquiry.language,
            user=actor if getattr(actor, "email", "").lower() == email else None,
            context={
                "reference": enquiry.reference,
                "title": enquiry.title,
                "kind": enquiry.get_kind_display(),
                "url": settings.PORTAL_URL + reverse("partners:enquiry_detail", args=[enquiry.pk]),
                "first_response_days": settings.ENQUIRY_FIRST_RESPONSE_WORKING_DAYS,
            },
        )


def enquiry_take_into_triage(*, enquiry: Enquiry, actor, at: dt.datetime | None = None) -> Enquiry:
    return _transition(enquiry_id=enquiry.pk, actor=actor, name="take_into_triage", at=at)


def enquiry_request_information(*, enquiry: Enquiry, actor, question: str, at: dt.datetime | None = None) -> Enquiry:
    question = _require(question, _("Write the question the company should answer."))
    with transaction.atomic():
        enquiry = _transition(enquiry_id=enquiry.pk, actor=actor, name="request_information", comment=question, at=at)
        notices.information_requested(enquiry, question)
    return enquiry


def enquiry_provide_information(*, enquiry: Enquiry, actor, answer: str = "", at: dt.datetime | None = None) -> Enquiry:
    with transaction.atomic():
        enquiry = _transition(enquiry_id=enquiry.pk, actor=actor, name="provide_information", comment=answer, at=at)
        notices.information_provided(enquiry, answer)
    return enquiry


def enquiry_route(
    *,
    enquiry: Enquiry,
    actor,
    entities: list[Entity],
    note: str = "",
    reasons: dict[int, str] | None = None,
    at: dt.datetime | None = None,
) -> Enquiry:
    if not entities:
        raise ValidationError(_("Choose at least one entity to route the enquiry to."))
    at = at or timezone.now()
    reasons = reasons or {}

    routed: list[Entity] = []

    def create_routings(locked: Enquiry) -> None:
        # An entity already waiting to answer, or which accepted, keeps its routing (its clock, its answer);
        # one that declined may be asked again: an internal note says so, and its earlier answer is kept in the
        # timeline, where only the central team reads an entity's reason (partners.admin_scope).
        earlier = {routing.entity_id: routing for routing in locked.routings.select_related("entity")}
        for entity in entities:
            previous = earlier.get(entity.pk)
            if previous is not None and previous.status != RoutingStatus.DECLINED:
                continue
            if previous is not None:
                StageChange.objects.create(
                    enquiry=locked,
                    actor=actor,
                    transition=ASKED_AGAIN,
                    from_stage=locked.stage,
                    to_stage=locked.stage,
                    comment=_("Earlier answer of %(entity)s (%(date)s): declined. %(reason)s")
                    % {
                        "entity": entity,
                        "date": date_format(timezone.localtime(previous.answered_at or previous.routed_at)),
                        "reason": previous.answer_reason,
                    },
                    at=at,
                )
                Message.objects.create(
                    enquiry=locked,
                    author=actor,
                    is_internal=True,
                    created_at=at,
                    body=_("%(entity)s, which declined on %(date)s, is asked again.")
                    % {
                        "entity": entity,
                        "date": date_format(timezone.localtime(previous.answered_at or previous.routed_at)),
                    },
                )
            Routing.objects.update_or_create(
                enquiry=locked,
                entity=entity,
                defaults={
                    "routed_by": actor,
                    "routed_at": at,
                    "note_to_entity": note,
                    "reason": reasons.get(entity.pk, ""),
                    "status": RoutingStatus.PENDING,
                    "answer_reason": "",
                    "answered_at": None,
                    "answered_by": None,
                },
            )
            routed.append(entity)
        if not routed:
            raise ValidationError(
                ngettext(
                    "%(entities)s already has this enquiry: choose another entity.",
                    "%(entities)s already have this enquiry: choose another entity.",
                    len(entities),
                )
                % {"entities": ", ".join(str(e) for e in entities)}
            )

    def names() -> str:  # the entities actually routed now, known once create_routings has run
        return ", ".join(str(e) for e in routed)

    with transaction.atomic():
        enquiry = _transition(
            enquiry_id=enquiry.pk, actor=actor, name="route", comment=names, at=at, before=create_routings
        )
        routings = list(enquiry.routings.filter(entity__in=routed).select_related("entity"))
        notices.enquiry_routed(enquiry, routings, actor)
    return enquiry


def enquiry_answer_routing(
    *, routing: Routing, actor, accept: bool, reason: str = "", at: dt.datetime | None = None
) -> Enquiry:
    """One entity's answer. The first acceptance moves the enquiry on; once every entity declined, it goes
    back to triage. Entities routed alongside may still answer after another one accepted (consortia)."""
    at = at or timezone.now()
    if not accept:
        reason = _require(reason, _("Say why the entity declines, so the central team can route elsewhere."))
    if not can_answer_for_entity(actor, routing.entity):
        raise PermissionDenied(
            _("Only the scientific contacts of %(entity)s may answer for it.") % {"entity": routing.entity}
        )
    with transaction.atomic():
        enquiry = Enquiry.objects.select_for_update().get(pk=routing.enquiry_id)
        if enquiry.stage not in (S.ROUTED, S.ACCEPTED, S.CONTRACTING):
            raise WorkflowError(_("This enquiry is no longer waiting for the entity's answer."))
        row = Routing.objects.select_for_update().get(pk=routing.pk)
        if row.status != RoutingStatus.PENDING:
            raise WorkflowError(_("This entity has already answered."))
        row.status = RoutingStatus.ACCEPTED if accept else RoutingStatus.DECLINED
        row.answered_by, row.answered_at, row.answer_reason = actor, at, reason
        row.save(update_fields=["status", "answered_by", "answered_at", "answer_reason"])
        if enquiry.stage == S.ROUTED and accept:
            comment = _("Accepted by %(entity)s") % {"entity": routing.entity}
            enquiry = _transition(enquiry_id=enquiry.pk, actor=actor, name="accept_by_entity", comment=comment, at=at)
        elif enquiry.stage == S.ROUTED and not enquiry.routings.exclude(status=RoutingStatus.DECLINED).exists():
            # Every entity said no: the central team takes the ball back. The entity's decline is the reason.
            enquiry = _transition(
                enquiry_id=enquiry.pk,
                actor=None,
                name="return_to_triage",
                comment=_("Declined by %(entity)s: %(reason)s") % {"entity": routing.entity, "reason": reason},
                at=at,
            )
        notices.routing_answered(row, actor)
        return enquiry


def enquiry_start_contracting(*, enquiry: Enquiry, actor, at: dt.datetime | None = None) -> Enquiry:
    return _transition(enquiry_id=enquiry.pk, actor=actor, name="start_contracting", at=at)


def enquiry_mark_signed(*, enquiry: Enquiry, actor, at: dt.datetime | None = None) -> Enquiry:
    return _transition(enquiry_id=enquiry.pk, actor=actor, name="mark_signed", at=at)


def enquiry_decline(*, enquiry: Enquiry, actor, reason: str, at: dt.datetime | None = None) -> Enquiry:
    reason = _require(reason, _("Say why no entity can take the enquiry on; the company will read it."))
    with transaction.atomic():
        enquiry = _transition(enquiry_id=enquiry.pk, actor=actor, name="decline", comment=reason, at=at)
        notices.enquiry_closed(enquiry, reason)
        notices.routings_closed(enquiry)
        survey_after_commit(event=SurveyEvent.ENQUIRY_CLOSED, enquiry_id=enquiry.pk)
    return enquiry


def enquiry_withdraw(*, enquiry: Enquiry, actor, reason: str, at: dt.datetime | None = None) -> Enquiry:
    reason = _require(reason, _("Say why you withdraw the enquiry."))
    with transaction.atomic():
        enquiry = _transition(enquiry_id=enquiry.pk, actor=actor, name="withdraw", comment=reason, at=at)
        notices.enquiry_withdrawn(enquiry, reason)
        if enquiry.submitted_at is not None:  # a draft never reached OPALE: nothing to rate
            survey_after_commit(event=SurveyEvent.ENQUIRY_CLOSED, enquiry_id=enquiry.pk)
    return enquiry


def enquiry_close_no_go(*, enquiry: Enquiry, actor, reason: str, at: dt.datetime | None = None) -> Enquiry:
    reason = _require(reason, _("Say why the enquiry is closed as a no-go."))
    with transaction.atomic():
        enquiry = _transition(enquiry_id=enquiry.pk, actor=actor, name="close_no_go", comment=reason, at=at)
        notices.enquiry_closed(enquiry, reason)
        notices.routings_closed(enquiry)
        survey_after_commit(event=SurveyEvent.ENQUIRY_CLOSED, enquiry_id=enquiry.pk)
    return enquiry
