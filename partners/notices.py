"""The e-mails the enquiry workflow causes: who hears about what, and in which language.

``partners.workflow`` (and ``services.message_post``) call one function per event inside the transaction of
the change, so each e-mail is an outbox row written with its cause (DESIGN.md section 6): if the change
rolls back, no e-mail goes.

Languages: the company reads its enquiry's language; staff (central team, entity contacts, legal offices)
read the portal's language, ``settings.LANGUAGE_CODE`` (French), since staff accounts carry no language of
their own. Labels (kind, stage, disease areas) are rendered in the reader's language, not the request's.

What the company never reads: an entity's reason for declining (it may be blunt, or about another company),
and internal notes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Prefetch, prefetch_related_objects
from django.urls import reverse
from django.utils import timezone, translation

from notifications.models import Notification
from notifications.services import notify

from .choices import EnquiryStage, RoutingStatus
from .models import Enquiry, Entity, GoverningBody, Message, Routing
from .roles import CENTRAL_TEAM
from .workdays import is_working_day, working_days_between

S = EnquiryStage

# Recipients: e-mail address (lower case) -> the user it belongs to, or None for a shared mailbox.
Recipients = dict[str, object]

# Stages in which an entity may still answer its routing (partners.workflow.enquiry_answer_routing).
ANSWERABLE_STAGES = [S.ROUTED, S.ACCEPTED, S.CONTRACTING]
# Rows listed in one digest; beyond, the e-mail says how many more and links the admin list.
DIGEST_MAX_ROWS = 50

DIGEST_ENTITY = "digest_entity"
DIGEST_CENTRAL = "digest_central"


_silenced: ContextVar[bool] = ContextVar("partners_notices_silenced", default=False)


def is_silenced() -> bool:
    """Whether e-mails are switched off here (the demo loader's past events tell nobody)."""
    return _silenced.get()


def enquiry_context(enquiry: Enquiry) -> dict:
    """What every e-mail about an enquiry shows (call inside the reader's language)."""
    return _enquiry_context(enquiry)


def staff_language() -> str:
    return settings.LANGUAGE_CODE


@contextmanager
def silenced() -> Iterator[None]:
    """Nobody is e-mailed about what happens inside: the demo loader replays months of past events through the
    workflow, and nobody should be told about them today."""
    token = _silenced.set(True)
    try:
        yield
    finally:
        _silenced.reset(token)


# Links


def admin_url(enquiry: Enquiry) -> str:
    return settings.PORTAL_URL + reverse("admin:partners_enquiry_change", args=[enquiry.pk])


def company_url(enquiry: Enquiry) -> str:
    return settings.PORTAL_URL + reverse("partners:enquiry_detail", args=[enquiry.pk])


# Who reads


def _add(recipients: Recipients, email: str, user=None) -> None:
    email = (email or "").strip().lower()
    if email and (user is not None or email not in recipients):
        recipients[email] = user


def company_recipients(enquiry: Enquiry) -> Recipients:
    """The enquiry's contact person and the member who submitted it (often the same person)."""
    recipients: Recipients = {}
    _add(recipients, enquiry.contact_email)
    submitter = enquiry.submitted_by
    if submitter is not None and submitter.is_active:
        _add(recipients, submitter.email, submitter)
    return recipients


def central_team_recipients() -> Recipients:
    """Active members of the Central team group, plus the team's shared mailbox when one is set."""
    recipients: Recipients = {}
    users = get_user_model().objects.filter(groups__name=CENTRAL_TEAM, is_active=True).exclude(email="").distinct()
    for user in users:
        _add(recipients, user.email, user)
    _add(recipients, settings.CENTRAL_TEAM_EMAIL)
    return recipients


def entity_recipients(entity: Entity) -> Recipients:
    """The entity's scientific contacts; its general address only when none of them can be reached."""
    recipients: Recipients = {}
    for user in entity.scientific_contacts.all():  # .all(): prefetched by the callers that loop
        if user.is_active and user.email:
            _add(recipients, user.email, user)
    if not recipients:
        _add(recipients, entity.contact_email)
    return recipients


def entities_still_on(enquiry: Enquiry) -> list[Entity]:
    """The entities that have not declined: still asked (pending) or working on it (accepted)."""
    return list(
        Entity.objects.filter(
            routings__enquiry=enquiry, routings__status__in=[RoutingStatus.PENDING, RoutingStatus.ACCEPTED]
        )
        .prefetch_related("scientific_contacts")
        .distinct()
        .order_by("name", "pk")
    )


def entity_readers(entities: list[Entity]) -> dict[str, tuple[object, list[Entity]]]:
    """E-mail address -> (its user, the entities it reads for): one e-mail per person, even for one who is
    the contact of two of the entities."""
    readers: dict[str, tuple[object, list[Entity]]] = {}
    for entity in entities:
        for email, user in entity_recipients(entity).items():
            readers.setdefault(email, (user, []))[1].append(entity)
    return readers


def legal_recipients(body: GoverningBody) -> Recipients:
    """The body's contracting office address; its legal staff when the office has none."""
    recipients: Recipients = {}
    if body.contact_email:
        _add(recipients, body.contact_email)
        return recipients
    for user in body.legal_staff.all():
        if user.is_active and user.email:
            _add(recipients, user.email, user)
    return recipients


def _send(*, recipients: Recipients, template: str, language: str, context: Callable[[], dict]) -> int:
    """One e-mail per recipient. ``context`` is built in the readers' language so that labels are theirs."""
    if not recipients or _silenced.get():
        return 0
    with translation.override(language):
        values = context()
    for email, user in sorted(recipients.items()):
        notify(to=email, template=template, language=language, context=values, user=user)
    return len(recipients)


send = _send  # the contracts' e-mails (agreements.notices) go out the same way


def _name(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.email or user.get_username()


def _enquiry_context(enquiry: Enquiry) -> dict:
    """What every e-mail about an enquiry shows: call inside the reader's language."""
    return {
        "reference": enquiry.reference,
        "title": enquiry.title,
        "kind": enquiry.get_kind_display(),
        "company": enquiry.company.legal_name,
    }


def _staff_context(enquiry: Enquiry) -> dict:
    """What staff need to judge an enquiry at a glance (all of it non-confidential)."""
    return {
        **_enquiry_context(enquiry),
        "company_size": enquiry.company.get_size_display(),
        "disease_areas": ", ".join(str(area) for area in enquiry.disease_areas.all()),
        "summary": enquiry.summary,
        "url": admin_url(enquiry),
    }


def _entity_place(entity: Entity) -> str:
    """How the company reads an entity: its name and city, no internal code."""
    return f"{entity.name} ({entity.city})" if entity.city else entity.name


# Events


def enquiry_routed(enquiry: Enquiry, routings: list[Routing], actor) -> None:
    """Routed to entities: their scientific contacts are asked (with the admin link where they answer), the
    lead governing body of each is told for information, and the company learns who will answer."""
    if not routings:
        return
    prefetch_related_objects(routings, "entity__scientific_contacts", "entity__governances__body__legal_staff")
    prefetch_related_objects([enquiry], "disease_areas")
    entities = [routing.entity for routing in routings]

    # One e-mail per person, naming every entity they answer for (a person may be contact of two).
    asked: dict[str, tuple[object, list[Routing]]] = {}
    for routing in routings:
        for email, user in entity_recipients(routing.entity).items():
            asked.setdefault(email, (user, []))[1].append(routing)
    for email, (user, theirs) in sorted(asked.items()):
        notes = list(dict.fromkeys(r.note_to_entity.strip() for r in theirs if r.note_to_entity.strip()))
        _send(
            recipients={email: user},
            template="enquiry_routed_entity",
            language=staff_language(),
            context=lambda theirs=theirs, notes=notes: {
                **_staff_context(enquiry),
                "entities": ", ".join(str(r.entity) for r in theirs),
                "note": "\n\n".join(notes),
                "routed_by": _name(actor),
            },
        )

    # The lead negotiator's office, once per body even when it leads several of the routed entities.
    led: dict[int, tuple[GoverningBody, list[Entity]]] = {}
    for entity in entities:
        body = entity.lead_body
        if body is not None:
            led.setdefault(body.pk, (body, []))[1].append(entity)
    for body, theirs in led.values():
        _send(
            recipients=legal_recipients(body),
            template="enquiry_routed_legal",
            language=staff_language(),
            context=lambda body=body, theirs=theirs: {
                **_staff_context(enquiry),
                "body": body.short_name,
                "entities": ", ".join(str(entity) for entity in theirs),
            },
        )

    _send(
        recipients=company_recipients(enquiry),
        template="enquiry_routed_company",
        language=enquiry.language,
        context=lambda: {
            **_enquiry_context(enquiry),
            "teams": [_entity_place(entity) for entity in entities],
            "team_count": len(entities),
            "url": company_url(enquiry),
        },
    )


def routing_answered(routing: Routing, actor) -> None:
    """An entity answered. The central team reads the answer and its reason. The company reads good news when
    an entity accepts, and "OPALE looks for another team" once every entity declined, never the reason."""
    # Read again in the transaction: the caller's copy may predate the answer or the stage change.
    routing = Routing.objects.select_related("entity", "answered_by", "enquiry__company", "enquiry__submitted_by").get(
        pk=routing.pk
    )
    if routing.status == RoutingStatus.PENDING:
        raise ValueError(f"Routing {routing.pk} has no answer yet: nothing to notify.")
    enquiry = routing.enquiry
    accepted = routing.status == RoutingStatus.ACCEPTED
    all_declined = not accepted and not enquiry.routings.exclude(status=RoutingStatus.DECLINED).exists()

    _send(
        recipients=central_team_recipients(),
        template="routing_answered",
        language=staff_language(),
        context=lambda: {
            **_enquiry_context(enquiry),
            "entity": str(routing.entity),
            "accepted": accepted,
            "answer": routing.get_status_display(),
            "reason": routing.answer_reason,
            "answered_by": _name(routing.answered_by or actor),
            "all_declined": all_declined,
            "url": admin_url(enquiry),
        },
    )
    if accepted:
        _send(
            recipients=company_recipients(enquiry),
            template="routing_accepted_company",
            language=enquiry.language,
            context=lambda: {
                **_enquiry_context(enquiry),
                "team": _entity_place(routing.entity),
                "url": company_url(enquiry),
            },
        )
    elif all_declined:
        _send(
            recipients=company_recipients(enquiry),
            template="enquiry_rerouting_company",
            language=enquiry.language,
            context=lambda: {**_enquiry_context(enquiry), "url": company_url(enquiry)},
        )


def information_requested(enquiry: Enquiry, question: str) -> None:
    """The central team needs more from the company before it can go on."""
    _send(
        recipients=company_recipients(enquiry),
        template="information_requested",
        language=enquiry.language,
        context=lambda: {**_enquiry_context(enquiry), "question": question.strip(), "url": company_url(enquiry)},
    )


def enquiry_closed(enquiry: Enquiry, reason: str) -> None:
    """Declined (no entity can take it on) or closed as a no-go by the central team: the company reads why."""
    _send(
        recipients=company_recipients(enquiry),
        template="enquiry_closed",
        language=enquiry.language,
        context=lambda: {
            **_enquiry_context(enquiry),
            "declined": enquiry.stage == S.DECLINED,
            "reason": reason.strip(),
            "url": company_url(enquiry),
        },
    )


def staff_message_posted(message: Message) -> None:
    """OPALE staff wrote to the company on the enquiry's thread. Internal notes never leave the staff."""
    if message.is_internal:
        return
    enquiry = message.enquiry
    _send(
        recipients=company_recipients(enquiry),
        template="message_from_opale",
        language=enquiry.language,
        context=lambda: {
            **_enquiry_context(enquiry),
            "author": _name(message.author),
            "body": message.body,
            "url": company_url(enquiry),
        },
    )


def company_message_posted(message: Message) -> None:
    """The company wrote: the central team and the contacts of the entities still on the enquiry read it."""
    enquiry = message.enquiry
    recipients = central_team_recipients()
    for email, (user, _entities) in entity_readers(entities_still_on(enquiry)).items():
        _add(recipients, email, user)
    author_email = (getattr(message.author, "email", "") or "").lower()
    recipients.pop(author_email, None)
    _send(
        recipients=recipients,
        template="message_from_company",
        language=staff_language(),
        context=lambda: {
            **_enquiry_context(enquiry),
            "author": _name(message.author) or enquiry.contact_name,
            "body": message.body,
            "url": admin_url(enquiry),
        },
    )


def information_provided(enquiry: Enquiry, answer: str) -> None:
    """The company answered the central team's question: the ball is the team's again. Whoever follows the
    enquiry reads it too, even once they have left the team's group. The question is repeated because it
    may have been asked days ago, by someone else."""
    recipients = central_team_recipients()
    follower = enquiry.assigned_to
    if follower is not None and follower.is_active:
        _add(recipients, follower.email, follower)
    question = (
        enquiry.stage_changes.filter(transition="request_information")
        .order_by("-at", "-pk")
        .values_list("comment", flat=True)
        .first()
    )
    _send(
        recipients=recipients,
        template="information_provided",
        language=staff_language(),
        context=lambda: {
            **_enquiry_context(enquiry),
            "question": question or "",
            "answer": (answer or "").strip(),
            "url": admin_url(enquiry),
        },
    )


def enquiry_withdrawn(enquiry: Enquiry, reason: str) -> None:
    """The company withdrew. The central team reads why, and the entities still asked or already working on
    it are told they can stop (with the company's reason, written for OPALE). A draft was never sent, so
    nobody at OPALE has seen it: nobody is told."""
    if enquiry.submitted_at is None:
        return
    entities = entities_still_on(enquiry)
    central = central_team_recipients()
    _send(
        recipients=central,
        template="enquiry_withdrawn",
        language=staff_language(),
        context=lambda: {
            **_enquiry_context(enquiry),
            "reason": reason.strip(),
            "entities": ", ".join(str(entity) for entity in entities),
            "url": admin_url(enquiry),
        },
    )
    for email, (user, theirs) in sorted(entity_readers(entities).items()):
        if email in central:
            continue  # the central team's e-mail already names the entities told to stop
        _send(
            recipients={email: user},
            template="enquiry_withdrawn_entity",
            language=staff_language(),
            context=lambda theirs=theirs: {
                **_enquiry_context(enquiry),
                "reason": reason.strip(),
                "entities": ", ".join(str(entity) for entity in theirs),
                "url": admin_url(enquiry),
            },
        )


def routings_closed(enquiry: Enquiry) -> None:
    """The central team closed (declined or no-go) an enquiry that entities were still asked about or working
    on: they need not answer, and can stop. They read nothing they did not already have: the closing reason
    is written for the company and stays between OPALE and the company."""
    for email, (user, theirs) in sorted(entity_readers(entities_still_on(enquiry)).items()):
        _send(
            recipients={email: user},
            template="routings_closed",
            language=staff_language(),
            context=lambda theirs=theirs: {
                **_enquiry_context(enquiry),
                "entities": ", ".join(str(entity) for entity in theirs),
                "url": admin_url(enquiry),
            },
        )


# Daily digests (Celery beat, partners.tasks.send_daily_digests)


def daily_digests(today: dt.date | None = None) -> int:
    """Each entity contact gets the routings still waiting for their answer, the central team the overdue
    open enquiries; nobody gets an empty digest. Safe to run twice a day: who already has today's digest is
    skipped. Returns the number of e-mails queued."""
    today = today or timezone.localdate()
    if not is_working_day(today):
        return 0  # beat runs Monday to Friday; French public holidays are skipped here
    start_of_day = timezone.make_aware(dt.datetime.combine(today, dt.time.min))
    with transaction.atomic():
        already = set(
            Notification.objects.filter(
                template__in=[DIGEST_ENTITY, DIGEST_CENTRAL], created_at__gte=start_of_day
            ).values_list("template", "recipient")
        )
        return _entity_digests(today, already) + _central_digest(today, already)


def _entity_digests(today: dt.date, already: set[tuple[str, str]]) -> int:
    # 2 queries whatever the numbers: the pending routings with their enquiry, company and entity, then the
    # entities' scientific contacts.
    routings = (
        Routing.objects.filter(status=RoutingStatus.PENDING, enquiry__stage__in=ANSWERABLE_STAGES)
        .select_related("enquiry__company", "entity")
        .prefetch_related(Prefetch("entity__scientific_contacts", queryset=get_user_model().objects.order_by("pk")))
        .order_by("routed_at", "pk")
    )
    waiting: dict[str, tuple[object, list[Routing]]] = {}
    for routing in routings:
        for email, user in entity_recipients(routing.entity).items():
            waiting.setdefault(email, (user, []))[1].append(routing)
    sent = 0
    for email, (user, theirs) in sorted(waiting.items()):
        if (DIGEST_ENTITY, email) in already:
            continue
        sent += _send(
            recipients={email: user},
            template=DIGEST_ENTITY,
            language=staff_language(),
            context=lambda theirs=theirs: _rows_context(
                [
                    {
                        "reference": r.enquiry.reference,
                        "title": r.enquiry.title,
                        "company": r.enquiry.company.legal_name,
                        "entity": str(r.entity),
                        "days": working_days_between(timezone.localdate(r.routed_at), today),
                        "url": admin_url(r.enquiry),
                    }
                    for r in theirs
                ]
            ),
        )
    return sent


def _central_digest(today: dt.date, already: set[tuple[str, str]]) -> int:
    recipients = {
        email: user for email, user in central_team_recipients().items() if (DIGEST_CENTRAL, email) not in already
    }
    if not recipients:
        return 0
    overdue = Enquiry.objects.open().overdue(today)
    # The oldest overdue first: the order the queue shows them in.
    rows = list(
        overdue.select_related("company", "assigned_to").order_by("overdue_from", "submitted_at", "pk")[
            : DIGEST_MAX_ROWS + 1
        ]
    )
    if not rows:
        return 0
    total = len(rows) if len(rows) <= DIGEST_MAX_ROWS else overdue.count()

    def context() -> dict:
        return _rows_context(
            [
                {
                    "reference": enquiry.reference,
                    "title": enquiry.title,
                    "company": enquiry.company.legal_name,
                    "stage": enquiry.get_stage_display(),
                    "reasons": ", ".join(str(reason) for reason in enquiry.overdue_reasons(today)),
                    "days": working_days_between(timezone.localdate(enquiry.submitted_at), today),
                    "assigned_to": _name(enquiry.assigned_to),
                    "url": admin_url(enquiry),
                }
                for enquiry in rows[:DIGEST_MAX_ROWS]
            ],
            total=total,
        )

    return _send(recipients=recipients, template=DIGEST_CENTRAL, language=staff_language(), context=context)


def _rows_context(rows: list[dict], total: int | None = None) -> dict:
    total = len(rows) if total is None else total
    return {
        "rows": rows,
        "count": total,
        "more": total - len(rows),
        "list_url": settings.PORTAL_URL + reverse("admin:partners_enquiry_changelist"),
    }
