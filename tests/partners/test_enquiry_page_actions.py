"""The enquiry's admin page (issue 4): which steps each user is offered, what each step does, what is refused,
routing with its suggestions, an entity's decline, the message box and "Assign to me".

Every step runs through ``partners.workflow``: a test checks the stage, the StageChange (who, from, to, why)
and, where it matters, what the company then reads on its own page.
"""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from agreements.models import StageChange
from notifications.models import Notification
from partners import workflow
from partners.choices import EnquiryStage, RoutingStatus
from partners.models import Enquiry, Message
from partners.roles import ENTITY_CONTACT

from ..factories import (
    DiseaseAreaFactory,
    GoverningBodyFactory,
    RoutingRuleFactory,
    UserFactory,
    routed_enquiry,
    submitted_enquiry,
)
from .pages import field_names, form_values

pytestmark = pytest.mark.django_db

S = EnquiryStage

QUESTION = "Which cell lines have you already tested the antibody on?"
REASON = "OPALE's entities do not work on solid tumours."


def change_url(enquiry: Enquiry) -> str:
    return reverse("admin:partners_enquiry_change", args=[enquiry.pk])


def action_url(enquiry: Enquiry, name: str) -> str:
    return reverse("admin:partners_enquiry_transition", args=[enquiry.pk, name])


def panel(response) -> str:
    """The part of the page that says where the enquiry stands and offers the next steps."""
    assert response.status_code == 200
    found = re.search(r'<section class="opale-panel".*?</section>', response.text, re.S)
    assert found, "the enquiry page has no action panel"
    return found.group(0)


def text_of(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def offered(response) -> set[str]:
    """The steps whose buttons the page shows (each is a link or form to its transition URL)."""
    return set(re.findall(r"/transition/(\w+)/", panel(response)))


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def enquiry_at(stage: str, *, central_user, entity, **kwargs) -> Enquiry:
    """An enquiry brought to ``stage`` the way the portal does it: by the workflow, step by step."""
    if stage in (S.ROUTED, S.ACCEPTED, S.CONTRACTING, S.SIGNED):
        enquiry = routed_enquiry(entities=[entity], actor=central_user, **kwargs)
        if stage != S.ROUTED:
            routing = enquiry.routings.get()
            enquiry = workflow.enquiry_answer_routing(routing=routing, actor=central_user, accept=True)
        if stage in (S.CONTRACTING, S.SIGNED):
            enquiry = workflow.enquiry_start_contracting(enquiry=enquiry, actor=central_user)
        if stage == S.SIGNED:
            enquiry = workflow.enquiry_mark_signed(enquiry=enquiry, actor=central_user)
        return enquiry
    enquiry = submitted_enquiry(**kwargs)
    if stage == S.IN_TRIAGE:
        enquiry = workflow.enquiry_take_into_triage(enquiry=enquiry, actor=central_user)
    elif stage == S.AWAITING_COMPANY:
        enquiry = workflow.enquiry_request_information(enquiry=enquiry, actor=central_user, question=QUESTION)
    elif stage == S.NO_GO:
        enquiry = workflow.enquiry_close_no_go(enquiry=enquiry, actor=central_user, reason=REASON)
    return enquiry


def stage_of(enquiry: Enquiry) -> str:
    return Enquiry.objects.values_list("stage", flat=True).get(pk=enquiry.pk)


# ---- which buttons show ------------------------------------------------------------------------------------

CENTRAL_ON_SUBMITTED = {"take_into_triage", "route", "request_information", "decline", "close_no_go"}


@pytest.mark.parametrize(
    ("role", "stage", "steps"),
    [
        ("central_user", S.SUBMITTED, CENTRAL_ON_SUBMITTED),
        ("central_user", S.IN_TRIAGE, {"route", "request_information", "decline", "close_no_go"}),
        ("central_user", S.AWAITING_COMPANY, {"decline", "close_no_go"}),
        # the central team may also answer for an entity (by phone, say)
        ("central_user", S.ROUTED, {"route", "accept_by_entity", "decline_routing", "decline", "close_no_go"}),
        ("central_user", S.ACCEPTED, {"start_contracting", "close_no_go"}),
        ("central_user", S.CONTRACTING, {"mark_signed", "close_no_go"}),
        ("central_user", S.NO_GO, set()),
        ("entity_contact", S.ROUTED, {"accept_by_entity", "decline_routing"}),
        ("entity_contact", S.ACCEPTED, set()),  # its answer is given
        ("legal_officer", S.ROUTED, set()),
        ("legal_officer", S.ACCEPTED, set()),
        ("legal_officer", S.CONTRACTING, {"mark_signed"}),  # the lead body says when it is signed
    ],
)
def test_each_step_shows_only_when_role_and_stage_allow_it(
    client, request, central_user, entity, legal_officer, entity_contact, role, stage, steps
):
    enquiry = enquiry_at(stage, central_user=central_user, entity=entity)
    client.force_login(request.getfixturevalue(role))

    assert offered(client.get(change_url(enquiry))) == steps


def test_the_central_team_reads_each_step_in_words(client, central_user):
    enquiry = submitted_enquiry()
    client.force_login(central_user)

    shown = text_of(panel(client.get(change_url(enquiry))))

    for label in (
        "Take into triage",
        "Route to entities…",
        "Ask the company…",
        "Decline: no entity can take it on…",
        "Close as no-go…",
        "Assign to me",
        "Send to the company",
        "Save as internal note (staff only)",
    ):
        assert label in shown
    assert "Decline for the entity" not in shown
    # the usual path first, closing steps last
    assert shown.index("Take into triage") < shown.index("Route to entities") < shown.index("Close as no-go")


def test_an_entity_contact_is_offered_to_accept_or_decline_for_the_entity(client, central_user, entity, entity_contact):
    enquiry = routed_enquiry(entities=[entity], actor=central_user)
    client.force_login(entity_contact)

    shown = text_of(panel(client.get(change_url(enquiry))))

    assert "Accept for the entity…" in shown
    assert "Decline for the entity…" in shown
    for label in ("Take into triage", "Route to entities", "Close as no-go", "Decline: no entity can", "Assign to me"):
        assert label not in shown


def test_legal_staff_are_offered_no_enquiry_step(client, central_user, entity, legal_officer):
    enquiry = routed_enquiry(entities=[entity], actor=central_user)
    client.force_login(legal_officer)

    shown = text_of(panel(client.get(change_url(enquiry))))

    for label in ("Take into triage", "Route to", "Accept for the entity", "Decline", "Close as no-go", "Assign to me"):
        assert label not in shown


@pytest.mark.parametrize("url_name", ["admin:partners_enquiry_change", "admin:partners_enquiry_changelist"])
def test_company_members_cannot_reach_the_admin(member, company, url_name):
    enquiry = submitted_enquiry(company=company, title="Our own enquiry")
    args = [enquiry.pk] if url_name.endswith("change") else []

    response = member.get(reverse(url_name, args=args))

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))
    response = member.post(action_url(enquiry, "take_into_triage"))
    assert response.status_code == 302 and response.url.startswith(reverse("admin:login"))
    assert stage_of(enquiry) == S.SUBMITTED


# ---- what each step does -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "start", "role", "data", "end", "comment"),
    [
        ("take_into_triage", S.SUBMITTED, "central_user", {}, S.IN_TRIAGE, ""),
        ("request_information", S.IN_TRIAGE, "central_user", {"question": QUESTION}, S.AWAITING_COMPANY, QUESTION),
        ("decline", S.SUBMITTED, "central_user", {"reason": REASON}, S.DECLINED, REASON),
        ("close_no_go", S.ROUTED, "central_user", {"reason": REASON}, S.NO_GO, REASON),
        ("start_contracting", S.ACCEPTED, "central_user", {}, S.CONTRACTING, ""),
        ("mark_signed", S.CONTRACTING, "legal_officer", {}, S.SIGNED, ""),
    ],
)
def test_posting_a_step_runs_the_workflow(
    client, request, central_user, entity, legal_officer, name, start, role, data, end, comment
):
    enquiry = enquiry_at(start, central_user=central_user, entity=entity)
    actor = request.getfixturevalue(role)
    client.force_login(actor)

    response = client.post(action_url(enquiry, name), data)

    assert response.status_code == 302
    assert response.url == change_url(enquiry)
    assert stage_of(enquiry) == end
    change = enquiry.stage_changes.order_by("pk").last()
    assert (change.transition, change.actor, change.from_stage, change.to_stage) == (name, actor, start, end)
    assert change.comment == comment
    [said] = messages_of(response)
    assert said.startswith(f"Enquiry {enquiry.reference} is now")


def test_an_entity_contact_accepts_for_the_entity(client, central_user, entity, entity_contact):
    enquiry = routed_enquiry(entities=[entity], actor=central_user)
    routing = enquiry.routings.get()
    client.force_login(entity_contact)

    form = client.get(action_url(enquiry, "accept_by_entity"))
    assert form.status_code == 200
    assert form_values(form.text)["routing"] == [str(routing.pk)]  # their one routing, chosen for them
    response = client.post(
        action_url(enquiry, "accept_by_entity"), {"routing": routing.pk, "reason": "Dr Martin will follow it."}
    )

    assert response.status_code == 302
    assert stage_of(enquiry) == S.ACCEPTED
    routing.refresh_from_db()
    assert (routing.status, routing.answered_by, routing.answer_reason) == (
        RoutingStatus.ACCEPTED,
        entity_contact,
        "Dr Martin will follow it.",
    )
    change = enquiry.stage_changes.get(transition="accept_by_entity")
    assert change.actor == entity_contact
    assert str(entity) in change.comment


@pytest.mark.parametrize(
    ("name", "role", "stage", "fields"),
    [
        ("request_information", "central_user", S.SUBMITTED, {"question"}),
        ("decline", "central_user", S.SUBMITTED, {"reason"}),
        ("close_no_go", "central_user", S.SUBMITTED, {"reason"}),
        ("route", "central_user", S.SUBMITTED, {"entities", "note"}),
        ("accept_by_entity", "entity_contact", S.ROUTED, {"routing", "reason"}),
        ("decline_routing", "entity_contact", S.ROUTED, {"routing", "reason"}),
    ],
)
def test_a_step_that_asks_something_shows_its_form_first(
    client, request, central_user, entity, entity_contact, name, role, stage, fields
):
    enquiry = enquiry_at(stage, central_user=central_user, entity=entity)
    client.force_login(request.getfixturevalue(role))

    page = client.get(action_url(enquiry, name))

    assert page.status_code == 200
    assert fields <= field_names(page.text)
    assert enquiry.reference in page.text and enquiry.title in page.text
    assert stage_of(enquiry) == stage


def test_a_plain_step_asks_for_confirmation_on_get(client, central_user):
    enquiry = submitted_enquiry()
    client.force_login(central_user)

    page = client.get(action_url(enquiry, "take_into_triage"))

    assert page.status_code == 200
    assert "Confirm: Take into triage." in text_of(page.text)
    assert stage_of(enquiry) == S.SUBMITTED


@pytest.mark.parametrize(("name", "field"), [("request_information", "question"), ("decline", "reason")])
def test_a_step_without_what_it_asks_changes_nothing(client, central_user, name, field):
    enquiry = submitted_enquiry()
    client.force_login(central_user)

    page = client.post(action_url(enquiry, name), {field: "   "})

    assert page.status_code == 200
    assert "This field is required." in page.text
    assert stage_of(enquiry) == S.SUBMITTED
    assert enquiry.stage_changes.count() == 1  # the submission only


# ---- what is refused ---------------------------------------------------------------------------------------


def assert_refused(response, enquiry: Enquiry, stage: str, changes: int) -> None:
    """Nothing changed, and the user was told (a message on the enquiry page) or got a 404."""
    assert stage_of(enquiry) == stage
    assert enquiry.stage_changes.count() == changes
    if response.status_code == 404:
        return
    assert response.status_code == 302
    assert response.url == change_url(enquiry)
    assert any("not possible" in m or "not allowed" in m for m in messages_of(response)), messages_of(response)


def test_a_step_in_the_wrong_stage_is_refused_with_a_message(client, central_user):
    enquiry = enquiry_at(S.IN_TRIAGE, central_user=central_user, entity=None)
    client.force_login(central_user)

    response = client.post(action_url(enquiry, "take_into_triage"))

    assert_refused(response, enquiry, S.IN_TRIAGE, 2)
    assert f"This is not possible on enquiry {enquiry.reference} now (stage: In triage)." in messages_of(response)


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("take_into_triage", {}),
        ("route", {"entities": "ENTITY", "note": "Forwarded by the entity itself."}),
        ("decline", {"reason": "We decline for everyone."}),
        ("close_no_go", {"reason": "We close it."}),
        ("mark_signed", {}),
    ],
)
def test_an_entity_contact_cannot_run_central_team_steps(
    client, central_user, entity, other_entity, entity_contact, name, data
):
    enquiry = routed_enquiry(entities=[entity], actor=central_user)
    changes = enquiry.stage_changes.count()
    client.force_login(entity_contact)
    data = {k: (other_entity.pk if v == "ENTITY" else v) for k, v in data.items()}

    response = client.post(action_url(enquiry, name), data)

    assert_refused(response, enquiry, S.ROUTED, changes)
    assert enquiry.routings.count() == 1


@pytest.mark.parametrize("name", ["accept_by_entity", "decline_routing", "close_no_go", "route"])
def test_legal_staff_cannot_answer_for_the_entity_nor_triage(client, central_user, entity, legal_officer, name):
    enquiry = routed_enquiry(entities=[entity], actor=central_user)
    routing = enquiry.routings.get()
    changes = enquiry.stage_changes.count()
    client.force_login(legal_officer)

    response = client.post(
        action_url(enquiry, name), {"routing": routing.pk, "reason": "Legal says yes.", "entities": entity.pk}
    )

    assert_refused(response, enquiry, S.ROUTED, changes)
    routing.refresh_from_db()
    assert routing.status == RoutingStatus.PENDING


@pytest.mark.parametrize("name", ["submit", "withdraw", "provide_information", "return_to_triage"])
@pytest.mark.parametrize("stage", [S.SUBMITTED, S.AWAITING_COMPANY, S.ROUTED])
def test_a_guessed_transition_that_has_no_button_is_refused(client, central_user, entity, stage, name):
    """The company's own steps (submit, withdraw, answer) and the workflow's internal one are no admin steps,
    even for the central team, whose role the stage machine lets withdraw on the company's behalf."""
    enquiry = enquiry_at(stage, central_user=central_user, entity=entity)
    changes = enquiry.stage_changes.count()
    client.force_login(central_user)

    response = client.post(action_url(enquiry, name), {"reason": "Guessing.", "answer": "Guessing."})

    assert_refused(response, enquiry, stage, changes)


@pytest.mark.parametrize("name", ["nonexistent", "save", "delete", "pk"])
def test_a_guessed_name_that_is_no_transition_is_refused(client, central_user, name):
    """Model methods and attributes that are no step answer 404, never a server error."""
    enquiry = submitted_enquiry()
    client.force_login(central_user)

    response = client.post(action_url(enquiry, name))

    assert_refused(response, enquiry, S.SUBMITTED, 1)


@pytest.mark.parametrize("name", ["withdraw", "take_into_triage"])
def test_the_change_form_cannot_run_a_transition_around_the_workflow(client, central_user, name):
    """django-fsm-2's admin runs a transition named in the change form's POST straight on the model; here steps
    go through the transition pages (the workflow) only."""
    enquiry = submitted_enquiry()
    client.force_login(central_user)
    url = change_url(enquiry)
    data = {key: values if len(values) > 1 else values[0] for key, values in form_values(client.get(url).text).items()}
    data.pop("csrfmiddlewaretoken", None)

    response = client.post(url, {**data, "_fsm_transition_to": name, "_continue": "1"})

    assert response.status_code == 302  # the form was valid and saved: only the step is in question
    # Either refused, or run through the workflow (then with its StageChange); never a bare stage change.
    stage = stage_of(enquiry)
    recorded = list(enquiry.stage_changes.values_list("transition", flat=True))
    assert stage == S.SUBMITTED or recorded[-1] == name
    assert stage != S.WITHDRAWN


def test_a_step_on_an_enquiry_outside_ones_scope_is_a_404(client, central_user, other_entity, entity_contact):
    enquiry = routed_enquiry(entities=[other_entity], actor=central_user, title="Routed elsewhere")
    routing = enquiry.routings.get()
    client.force_login(entity_contact)

    for name in ("accept_by_entity", "decline_routing", "take_into_triage"):
        response = client.post(action_url(enquiry, name), {"routing": routing.pk, "reason": "Not ours."})
        assert response.status_code == 404
        assert "Routed elsewhere" not in response.text
    routing.refresh_from_db()
    assert (routing.status, stage_of(enquiry)) == (RoutingStatus.PENDING, S.ROUTED)


# ---- routing -----------------------------------------------------------------------------------------------


@pytest.fixture
def suggested(entity, governing_body):
    """``entity`` suits an anti-CD123 AML project: it offers bilateral R&D, works on AML, and a rule of the
    central team points CD123 work to it. It has two governing bodies: UPCité leads, AP-HP hosts it."""
    entity.disease_areas.add(DiseaseAreaFactory(code="aml"))
    entity.governances.create(body=GoverningBodyFactory(short_name="AP-HP", name="AP-HP"), is_host_body=True)
    RoutingRuleFactory(entity=entity, name="CD123 antibodies", keywords="cd123")
    return entity


def test_the_route_page_lists_suggestions_with_reasons_and_bodies_lead_first(
    client, central_user, suggested, other_entity
):
    enquiry = submitted_enquiry(title="Anti-CD123 antibody", summary="Testing our anti-CD123 antibody on AML.")
    client.force_login(central_user)

    page = client.get(action_url(enquiry, "route"))

    assert page.status_code == 200
    # the first suggestion: its name, its reasons, then the bodies that would negotiate (ending the item)
    first = text_of(page.text.split('<li class="opale-suggested">')[1].split("</p>")[0])
    assert str(suggested) in first
    assert "offers: Bilateral R&D project" in first
    assert "disease area: Acute myeloid leukemia (AML)" in first
    assert "rule “CD123 antibodies”" in first
    assert "Would negotiate: UPCité (lead negotiator, IP agent); AP-HP (host body)" in first
    # the best suggestion is ticked; every active entity can still be chosen
    assert form_values(page.text)["entities"] == [str(suggested.pk)]
    assert str(other_entity) in page.text


def test_the_enquiry_page_shows_the_same_suggestions(client, central_user, suggested):
    enquiry = submitted_enquiry(title="Anti-CD123 antibody", summary="Testing our anti-CD123 antibody on AML.")
    client.force_login(central_user)

    shown = text_of(panel(client.get(change_url(enquiry))))

    assert "Suggested entities" in shown
    assert "rule “CD123 antibodies”" in shown
    assert "Would negotiate: UPCité (lead negotiator, IP agent); AP-HP (host body)" in shown
    assert f"{action_url(enquiry, 'route')}?entity={suggested.pk}" in panel(client.get(change_url(enquiry)))


def test_a_suggestion_link_preselects_its_entity(client, central_user, suggested, other_entity):
    enquiry = submitted_enquiry()
    client.force_login(central_user)

    page = client.get(action_url(enquiry, "route"), {"entity": other_entity.pk})

    assert form_values(page.text)["entities"] == [str(other_entity.pk)]


def test_routing_to_several_entities_is_one_post_with_a_note(
    client, central_user, suggested, other_entity, entity_contact, company
):
    enquiry = submitted_enquiry(company=company)
    client.force_login(central_user)
    note = "Could you tell us by Friday whether you can test it?"

    response = client.post(action_url(enquiry, "route"), {"entities": [suggested.pk, other_entity.pk], "note": note})

    assert response.status_code == 302
    assert stage_of(enquiry) == S.ROUTED
    routings = {r.entity: r for r in enquiry.routings.all()}
    assert set(routings) == {suggested, other_entity}
    for routing in routings.values():
        assert (routing.note_to_entity, routing.routed_by, routing.status) == (note, central_user, "pending")
    assert "rule “CD123 antibodies”" in routings[suggested].reason  # why, kept for the record
    change = enquiry.stage_changes.get(transition="route")
    assert change.actor == central_user
    assert str(suggested) in change.comment and str(other_entity) in change.comment
    # the entity's contacts are asked, its lead body's office is told, the company learns who will answer
    outbox = Notification.objects.values_list("template", "recipient")
    assert ("enquiry_routed_entity", entity_contact.email) in outbox
    assert ("enquiry_routed_legal", suggested.lead_body.contact_email) in outbox
    assert ("enquiry_routed_company", enquiry.contact_email) in outbox


def test_routing_to_no_entity_shows_the_form_again(client, central_user, suggested):
    enquiry = submitted_enquiry()
    client.force_login(central_user)

    page = client.post(action_url(enquiry, "route"), {"note": "To nobody."})

    assert page.status_code == 200
    assert "Choose at least one entity to route the enquiry to." in page.text
    assert stage_of(enquiry) == S.SUBMITTED
    assert not enquiry.routings.exists()


# ---- an entity declines ------------------------------------------------------------------------------------


def test_an_entity_contact_must_say_why_the_entity_declines(client, central_user, entity, entity_contact):
    enquiry = routed_enquiry(entities=[entity], actor=central_user)
    routing = enquiry.routings.get()
    client.force_login(entity_contact)

    page = client.post(action_url(enquiry, "decline_routing"), {"routing": routing.pk, "reason": ""})

    assert page.status_code == 200
    assert "This field is required." in page.text
    routing.refresh_from_db()
    assert (routing.status, stage_of(enquiry)) == (RoutingStatus.PENDING, S.ROUTED)


def test_when_the_only_entity_declines_the_enquiry_is_back_in_triage(
    client, central_user, entity, entity_contact, company, company_member
):
    enquiry = routed_enquiry(entities=[entity], actor=central_user, company=company, submitted=company_member)
    routing = enquiry.routings.get()
    client.force_login(entity_contact)
    reason = "Our team has no time before 2027."

    response = client.post(action_url(enquiry, "decline_routing"), {"routing": routing.pk, "reason": reason})

    assert response.status_code == 302
    routing.refresh_from_db()
    assert (routing.status, routing.answer_reason, routing.answered_by) == (
        RoutingStatus.DECLINED,
        reason,
        entity_contact,
    )
    assert stage_of(enquiry) == S.IN_TRIAGE
    back = enquiry.stage_changes.get(transition="return_to_triage")
    assert (back.from_stage, back.to_stage) == (S.ROUTED, S.IN_TRIAGE)
    assert reason in back.comment
    # the company reads that OPALE looks elsewhere, never the entity's reason
    client.force_login(company_member)
    portal = client.get(reverse("partners:enquiry_detail", args=[enquiry.pk]))
    assert "looking for another one" in portal.text
    assert reason not in portal.text


def test_the_enquiry_stays_routed_until_every_entity_declined(
    client, central_user, entity, other_entity, entity_contact
):
    other_contact = UserFactory(username="olga.other", is_staff=True, groups=[ENTITY_CONTACT])
    other_entity.scientific_contacts.add(other_contact)
    enquiry = routed_enquiry(entities=[entity, other_entity], actor=central_user)
    ours, theirs = enquiry.routings.get(entity=entity), enquiry.routings.get(entity=other_entity)

    client.force_login(entity_contact)
    page = client.get(action_url(enquiry, "decline_routing"))
    assert form_values(page.text)["routing"] == [str(ours.pk)]  # only its own entity's routing
    client.post(action_url(enquiry, "decline_routing"), {"routing": theirs.pk, "reason": "For the others."})
    theirs.refresh_from_db()
    assert theirs.status == RoutingStatus.PENDING  # not its entity: not its answer
    client.post(action_url(enquiry, "decline_routing"), {"routing": ours.pk, "reason": "Not our field."})
    assert stage_of(enquiry) == S.ROUTED

    client.force_login(other_contact)
    client.post(action_url(enquiry, "decline_routing"), {"routing": theirs.pk, "reason": "Nor ours."})
    assert stage_of(enquiry) == S.IN_TRIAGE


# ---- the message box ---------------------------------------------------------------------------------------


def message_url(enquiry: Enquiry) -> str:
    return reverse("admin:partners_enquiry_message", args=[enquiry.pk])


def test_send_to_the_company_reaches_its_portal_page(client, central_user, company, company_member):
    enquiry = submitted_enquiry(company=company, submitted=company_member)
    client.force_login(central_user)
    body = "Thank you: could you send the non-confidential data sheet?"

    response = client.post(message_url(enquiry), {"body": body, "to": "company"})

    assert response.status_code == 302 and response.url == change_url(enquiry) + "#messages"
    assert "Message sent to the company." in messages_of(response)
    message = Message.objects.get(enquiry=enquiry)
    assert (message.body, message.author, message.is_internal) == (body, central_user, False)
    assert Notification.objects.filter(recipient=company_member.email).exists()
    client.force_login(company_member)
    assert body in client.get(reverse("partners:enquiry_detail", args=[enquiry.pk])).text


def test_an_internal_note_stays_among_staff(client, central_user, entity, entity_contact, company, company_member):
    enquiry = routed_enquiry(entities=[entity], actor=central_user, company=company, submitted=company_member)
    client.force_login(central_user)
    body = "Internal: their previous project with us stalled on IP."
    notifications = Notification.objects.count()

    response = client.post(message_url(enquiry), {"body": body, "to": "internal"})

    assert "Internal note saved." in messages_of(response)
    message = Message.objects.get(enquiry=enquiry)
    assert (message.body, message.is_internal) == (body, True)
    assert Notification.objects.count() == notifications  # nobody is e-mailed
    client.force_login(entity_contact)
    assert body in client.get(change_url(enquiry)).text  # staff read it
    client.force_login(company_member)
    assert body not in client.get(reverse("partners:enquiry_detail", args=[enquiry.pk])).text


def test_an_empty_message_is_refused(client, central_user):
    enquiry = submitted_enquiry()
    client.force_login(central_user)

    response = client.post(message_url(enquiry), {"body": "  ", "to": "company"})

    assert "Write the message first." in messages_of(response)
    assert not Message.objects.exists()
    assert client.get(message_url(enquiry)).status_code == 405


def test_an_entity_contact_writes_on_enquiries_routed_to_its_entity_only(
    client, central_user, entity, other_entity, entity_contact
):
    ours = routed_enquiry(entities=[entity], actor=central_user)
    theirs = routed_enquiry(entities=[other_entity], actor=central_user)
    client.force_login(entity_contact)

    response = client.post(message_url(ours), {"body": "We can look at it next week.", "to": "internal"})
    assert response.status_code == 302
    assert ours.messages.get().author == entity_contact

    response = client.post(message_url(theirs), {"body": "Posted from outside.", "to": "company"})
    assert response.status_code == 404
    assert not theirs.messages.exists()


# ---- follow it myself --------------------------------------------------------------------------------------


def test_follow_it_myself_assigns_the_enquiry(client, central_user):
    enquiry = submitted_enquiry()
    client.force_login(central_user)

    response = client.post(reverse("admin:partners_enquiry_assign", args=[enquiry.pk]))

    assert response.status_code == 302
    assert "You now follow this enquiry." in messages_of(response)
    enquiry.refresh_from_db()
    assert enquiry.assigned_to == central_user
    shown = text_of(panel(client.get(change_url(enquiry))))
    assert f"Followed by: {central_user.get_full_name()}" in shown
    assert "Assign to me" not in shown


@pytest.mark.parametrize("role", ["entity_contact", "legal_officer"])
def test_only_the_central_team_follows_enquiries(client, request, central_user, entity, role):
    enquiry = routed_enquiry(entities=[entity], actor=central_user)
    client.force_login(request.getfixturevalue(role))

    response = client.post(reverse("admin:partners_enquiry_assign", args=[enquiry.pk]))

    assert response.status_code == 302
    assert "Only the central team assigns enquiries." in messages_of(response)
    enquiry.refresh_from_db()
    assert enquiry.assigned_to is None


def test_a_company_member_never_reaches_the_message_box(client, company, company_member):
    enquiry = submitted_enquiry(company=company, submitted=company_member)
    client.force_login(company_member)

    response = client.post(message_url(enquiry), {"body": "Through the admin.", "to": "internal"})

    assert response.status_code == 302 and response.url.startswith(reverse("admin:login"))
    assert not Message.objects.exists()


def test_every_step_leaves_its_stage_change(client, central_user, entity, entity_contact):
    """One enquiry from submission to contracting through the page's buttons only: the timeline lists each."""
    enquiry = submitted_enquiry()
    client.force_login(central_user)
    client.post(action_url(enquiry, "take_into_triage"))
    client.post(action_url(enquiry, "route"), {"entities": [entity.pk], "note": "Please."})
    client.force_login(entity_contact)
    client.post(action_url(enquiry, "accept_by_entity"), {"routing": enquiry.routings.get().pk})
    client.force_login(central_user)
    client.post(action_url(enquiry, "start_contracting"))

    steps = list(StageChange.objects.filter(enquiry=enquiry).order_by("pk").values_list("transition", "actor"))
    assert steps == [
        ("submit", enquiry.submitted_by_id),
        ("take_into_triage", central_user.pk),
        ("route", central_user.pk),
        ("accept_by_entity", entity_contact.pk),
        ("start_contracting", central_user.pk),
    ]
    assert stage_of(enquiry) == S.CONTRACTING
