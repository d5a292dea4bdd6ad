"""Who may open what in the admin (issue 4): every admin URL of the partners and agreements apps that shows an
enquiry or a row hanging off it, for every role, inside and outside the role's scope.

One enquiry, the target, is routed to ``entity`` (whose lead body is ``governing_body``); a second one, routed
to ``other_entity``, gives the roles of that other side something of their own. A role either opens a page
(200), is sent back to the enquiry with a message (a step it may not take there), is refused (404, or 403
where the admin forbids the page to everybody of that role), or, outside the staff, is sent to the admin's
login. A refusal never shows the object: neither its reference, nor its title, nor its company's name.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.urls import reverse

from partners import workflow
from partners.choices import Confidentiality
from partners.models import Attachment, Enquiry
from partners.roles import ENTITY_CONTACT, LEGAL_STAFF

from ..factories import (
    AttachmentFactory,
    EntityFactory,
    GoverningBodyFactory,
    MessageFactory,
    UserFactory,
    routed_enquiry,
)

pytestmark = pytest.mark.django_db

TITLE = "Target: anti-CD123 antibody on AML blasts"
DECOY_TITLE = "Decoy: FLT3 inhibitor screening"
PUBLIC_FILE = "public-summary.txt"
CONFIDENTIAL_FILE = "term-sheet-under-nda.pdf"

# What a role gets on a URL.
OK = "opens"  # 200, and the page is about the object
HIDDEN = "lists without it"  # 200 (a list), and the object is not on it
BACK = "back to the enquiry"  # 302 to the enquiry's page, with a message saying why not
NO = "refused"  # 404 or 403: never the object
LOGIN = "to the admin login"  # not staff: sent to sign in

STAFF_IN = ("central", "contact", "legal")  # the central team, and the scoped staff of the routed entity
STAFF_OUT = ("other_contact", "other_legal")  # contact of another entity, legal staff of another body
NOT_STAFF = ("company_member", "anonymous")
ROLES = STAFF_IN + STAFF_OUT + NOT_STAFF


@dataclass
class Target:
    enquiry: Enquiry
    routing: object
    message: object
    note: object
    attachment: Attachment
    confidential: Attachment

    @property
    def company(self):
        return self.enquiry.company

    @property
    def stage_change(self):
        return self.enquiry.stage_changes.order_by("pk").last()


@pytest.fixture
def target(company, company_member, entity, other_entity, other_company, central_user) -> Target:
    enquiry = routed_enquiry(entities=[entity], actor=central_user, company=company, title=TITLE)
    decoy = routed_enquiry(entities=[other_entity], actor=central_user, company=other_company, title=DECOY_TITLE)
    MessageFactory(enquiry=decoy, author=central_user)
    AttachmentFactory(enquiry=decoy, uploaded_by=central_user)
    return Target(
        enquiry=enquiry,
        routing=enquiry.routings.get(),
        message=MessageFactory(enquiry=enquiry, author=company_member, body="When can we start?"),
        note=MessageFactory(enquiry=enquiry, author=central_user, body="Staff only.", is_internal=True),
        attachment=AttachmentFactory(enquiry=enquiry, uploaded_by=company_member, original_name=PUBLIC_FILE),
        confidential=AttachmentFactory(
            enquiry=enquiry,
            uploaded_by=central_user,
            original_name=CONFIDENTIAL_FILE,
            confidentiality=Confidentiality.CONFIDENTIAL,
        ),
    )


@pytest.fixture
def other_contact(other_entity):
    user = UserFactory(username="olga.other-entity", is_staff=True, groups=[ENTITY_CONTACT])
    other_entity.scientific_contacts.add(user)
    return user


@pytest.fixture
def other_legal(other_entity):
    user = UserFactory(username="oscar.other-body", is_staff=True, groups=[LEGAL_STAFF])
    other_entity.lead_body.legal_staff.add(user)
    return user


@pytest.fixture
def sign_in(client, request):
    users = {
        "central": "central_user",
        "contact": "entity_contact",
        "legal": "legal_officer",
        "other_contact": "other_contact",
        "other_legal": "other_legal",
        "company_member": "company_member",
    }

    def sign_in_as(role: str):
        client.logout()
        if role != "anonymous":
            client.force_login(request.getfixturevalue(users[role]))
        return client

    return sign_in_as


@dataclass
class Page:
    name: str
    url: str
    shows: str  # text that proves the page is about the object (or, for a list, that it lists it)
    expected: dict[str, str]
    method: str = "get"


def expect(**changes: str) -> dict[str, str]:
    """Each role's outcome: by default, staff of the enquiry's scope open it, the others are refused."""
    outcomes = {role: OK for role in STAFF_IN} | {role: NO for role in STAFF_OUT}
    outcomes |= {role: LOGIN for role in NOT_STAFF}
    return outcomes | changes


def a_list() -> dict[str, str]:
    return expect(other_contact=HIDDEN, other_legal=HIDDEN)


def refused_to_all_staff(**changes) -> dict[str, str]:
    return expect(**({role: NO for role in STAFF_IN} | changes))


def a_step(**changes) -> dict[str, str]:
    """A step of the enquiry page: in scope it is either its form (OK) or a refusal with a message (BACK)."""
    return expect(**({role: BACK for role in STAFF_IN} | changes))


def pages(t: Target) -> list[Page]:
    enquiry, ref = t.enquiry, t.enquiry.reference

    def admin(name: str, *args) -> str:
        return reverse(f"admin:{name}", args=args)

    def step(name: str) -> str:
        return admin("partners_enquiry_transition", enquiry.pk, name)

    company = t.company.legal_name
    return [
        Page("enquiry list", admin("partners_enquiry_changelist"), ref, a_list()),
        Page("enquiry", admin("partners_enquiry_change", enquiry.pk), TITLE, expect()),
        Page("enquiry history", admin("partners_enquiry_history", enquiry.pk), TITLE, expect()),
        Page("enquiry delete", admin("partners_enquiry_delete", enquiry.pk), "", refused_to_all_staff()),
        Page("step route", step("route"), "Entities", a_step(central=OK)),
        Page("step take into triage", step("take_into_triage"), "", a_step()),
        Page("step ask the company", step("request_information"), "", a_step()),
        Page("step decline", step("decline"), "Reason", a_step(central=OK)),
        Page("step close as no-go", step("close_no_go"), "Reason", a_step(central=OK)),
        Page("step accept for the entity", step("accept_by_entity"), "Comment", a_step(central=OK, contact=OK)),
        Page("step decline for the entity", step("decline_routing"), "Why", a_step(central=OK, contact=OK)),
        Page("step start contracting", step("start_contracting"), "", a_step()),
        Page("step mark signed", step("mark_signed"), "", a_step()),
        Page("guessed step submit", step("submit"), "", a_step()),
        Page("guessed step withdraw", step("withdraw"), "", a_step()),
        Page("message box", admin("partners_enquiry_message", enquiry.pk), "", a_step(), method="post"),
        Page("follow it myself", admin("partners_enquiry_assign", enquiry.pk), "", a_step(), method="post"),
        Page("routing list", admin("partners_routing_changelist"), ref, a_list()),
        Page("routing", admin("partners_routing_change", t.routing.pk), TITLE, expect()),
        Page("routing history", admin("partners_routing_history", t.routing.pk), TITLE, expect()),
        # routings, messages and files are the enquiry's record: nobody deletes them
        Page("routing delete", admin("partners_routing_delete", t.routing.pk), TITLE, refused_to_all_staff()),
        Page("message list", admin("partners_message_changelist"), ref, a_list()),
        Page("message", admin("partners_message_change", t.message.pk), "When can we start?", expect()),
        Page("internal note", admin("partners_message_change", t.note.pk), "Staff only.", expect()),
        Page("message history", admin("partners_message_history", t.message.pk), TITLE, expect()),
        Page("message delete", admin("partners_message_delete", t.message.pk), TITLE, refused_to_all_staff()),
        Page("attachment list", admin("partners_attachment_changelist"), PUBLIC_FILE, a_list()),
        Page("attachment", admin("partners_attachment_change", t.attachment.pk), TITLE, expect()),
        Page("attachment history", admin("partners_attachment_history", t.attachment.pk), PUBLIC_FILE, expect()),
        Page(
            "attachment delete",
            admin("partners_attachment_delete", t.attachment.pk),
            PUBLIC_FILE,
            refused_to_all_staff(),
        ),
        Page("company list", admin("partners_company_changelist"), company, a_list()),
        Page("company", admin("partners_company_change", t.company.pk), company, expect()),
        Page("company history", admin("partners_company_history", t.company.pk), company, expect()),
        Page("stage change list", admin("agreements_stagechange_changelist"), ref, a_list()),
        Page("stage change", admin("agreements_stagechange_change", t.stage_change.pk), TITLE, expect()),
        Page("stage change history", admin("agreements_stagechange_history", t.stage_change.pk), "", expect()),
        Page(
            "stage change delete",
            admin("agreements_stagechange_delete", t.stage_change.pk),
            "",
            refused_to_all_staff(),
        ),
    ]


def is_refused(response, *, strict: bool) -> bool:
    """404 or 403; unless ``strict``, also Django's own answer to an object its admin cannot find (a redirect to
    the admin's home page with "doesn't exist"), which shows nothing of it either."""
    if response.status_code in (403, 404):
        return True
    return not strict and response.status_code == 302 and response.url == reverse("admin:index")


def outcome_problem(page: Page, response, t: Target, expected: str) -> str | None:
    """What is wrong with ``response`` for a role expecting ``expected`` on ``page`` (None: nothing)."""
    status, text = response.status_code, response.content.decode()
    secrets = [t.enquiry.reference, TITLE] + ([t.company.legal_name] if page.name.startswith("company") else [])
    if expected == OK:
        if status != 200:
            return f"expected 200, got {status}"
        if page.shows and page.shows not in text:
            return f"opened, but {page.shows!r} is not on it"
        return None
    if expected == BACK:
        to_enquiry = reverse("admin:partners_enquiry_change", args=[t.enquiry.pk])
        if status != 302 or not response.url.startswith(to_enquiry):
            return f"expected a redirect to the enquiry, got {status} {response.get('Location', '')}"
        return None
    if expected == HIDDEN:
        if status != 200:
            return f"expected the list (200), got {status}"
    elif expected == NO:
        if not is_refused(response, strict=False):
            return f"expected 404 or 403, got {status} {response.get('Location', '')}"
    elif expected == LOGIN:
        if status != 302 or not response.url.startswith(reverse("admin:login")):
            return f"expected the admin login, got {status} {response.get('Location', '')}"
    shown = [secret for secret in secrets if secret in text]
    return f"{expected}, yet shows {shown}" if shown else None


@pytest.mark.parametrize("role", ROLES)
def test_every_admin_url_of_an_enquiry_for_every_role(sign_in, target, role, other_contact, other_legal):
    client = sign_in(role)
    problems = []
    for page in pages(target):
        data = {"body": f"Written by {role}.", "to": "internal"} if page.method == "post" else None
        response = getattr(client, page.method)(page.url, data)
        problem = outcome_problem(page, response, target, page.expected[role])
        if problem:
            problems.append(f"{page.name} ({page.method.upper()} {page.url}): {problem}")

    assert problems == [], f"as {role}:\n" + "\n".join(problems)


def test_the_matrix_covers_every_role_on_every_page(target):
    for page in pages(target):
        assert set(page.expected) == set(ROLES), page.name


@pytest.mark.parametrize("role", ["contact", "legal", "other_contact", "other_legal"])
def test_guessed_ids_of_objects_that_do_not_exist_answer_404(sign_in, target, role, other_contact, other_legal):
    client = sign_in(role)
    missing = 10_000 + max(target.enquiry.pk, target.routing.pk, target.attachment.pk, target.note.pk)
    for name in ("change", "history", "transition"):
        args = [missing, "route"] if name == "transition" else [missing]
        response = client.get(reverse(f"admin:partners_enquiry_{name}", args=args))
        assert response.status_code == 404, name
    for model in ("routing", "message", "attachment", "company"):
        response = client.get(reverse(f"admin:partners_{model}_change", args=[missing]))
        assert is_refused(response, strict=False), model


@pytest.mark.parametrize("role", ["other_contact", "other_legal"])
def test_guessed_related_objects_outside_scope_answer_404(sign_in, target, role, other_contact, other_legal):
    client = sign_in(role)
    stock = [
        page
        for page in pages(target)
        if page.expected[role] == NO and not page.url.startswith("/admin/partners/enquiry/")
    ]
    answers = {page.name: client.get(page.url).status_code for page in stock}
    assert {name: status for name, status in answers.items() if status not in (403, 404)} == {}


# ---- confidential files ------------------------------------------------------------------------------------


def test_entity_contacts_never_see_confidential_file_names_on_the_enquiry_page(sign_in, target):
    page = sign_in("contact").get(reverse("admin:partners_enquiry_change", args=[target.enquiry.pk]))

    assert page.status_code == 200
    assert PUBLIC_FILE in page.text
    assert CONFIDENTIAL_FILE not in page.text


def test_entity_contacts_never_see_confidential_file_names_in_the_attachment_admin(sign_in, target):
    client = sign_in("contact")

    listing = client.get(reverse("admin:partners_attachment_changelist"))
    found = client.get(reverse("admin:partners_attachment_changelist"), {"q": "term-sheet"})
    page = client.get(reverse("admin:partners_attachment_change", args=[target.confidential.pk]))

    assert PUBLIC_FILE in listing.text
    assert CONFIDENTIAL_FILE not in listing.text
    assert CONFIDENTIAL_FILE not in found.text
    assert is_refused(page, strict=False) and CONFIDENTIAL_FILE not in page.text


@pytest.mark.parametrize("role", ["central", "legal"])
def test_the_central_team_and_legal_staff_of_the_body_see_confidential_files(sign_in, target, role):
    client = sign_in(role)

    page = client.get(reverse("admin:partners_enquiry_change", args=[target.enquiry.pk]))
    file_page = client.get(reverse("admin:partners_attachment_change", args=[target.confidential.pk]))

    assert CONFIDENTIAL_FILE in page.text
    assert file_page.status_code == 200 and CONFIDENTIAL_FILE in file_page.text


@pytest.mark.parametrize("role", ["other_contact", "other_legal"])
def test_staff_of_another_entity_or_body_never_see_any_file_of_the_enquiry(
    sign_in, target, role, other_contact, other_legal
):
    client = sign_in(role)

    listing = client.get(reverse("admin:partners_attachment_changelist"))

    assert listing.status_code == 200
    assert PUBLIC_FILE not in listing.text and CONFIDENTIAL_FILE not in listing.text


# ---- legal staff: what involves their governing body ------------------------------------------------------


def test_legal_staff_of_any_governing_body_of_the_routed_entity_see_the_enquiry(client, target, entity):
    """A host or managing body is involved as much as the lead: its legal staff follow the enquiry too."""
    host_legal = UserFactory(username="hana.host-body", is_staff=True, groups=[LEGAL_STAFF])
    entity.governances.create(
        body=GoverningBodyFactory(short_name="AP-HP", legal_staff=[host_legal]), is_host_body=True
    )
    client.force_login(host_legal)

    assert client.get(reverse("admin:partners_enquiry_change", args=[target.enquiry.pk])).status_code == 200
    listing = client.get(reverse("admin:partners_enquiry_changelist"))
    assert [e.reference for e in listing.context["cl"].result_list] == [target.enquiry.reference]


def test_legal_staff_of_a_body_whose_entities_were_not_routed_see_nothing(client, target, governing_body):
    idle_body = GoverningBodyFactory(short_name="Inserm")
    EntityFactory(name="Unit never asked", lead_body=idle_body)
    idle_legal = UserFactory(username="ines.idle-body", is_staff=True, groups=[LEGAL_STAFF])
    idle_body.legal_staff.add(idle_legal)
    client.force_login(idle_legal)

    for name in ("enquiry", "routing", "message", "attachment", "company"):
        listing = client.get(reverse(f"admin:partners_{name}_changelist"))
        assert listing.status_code == 200
        assert list(listing.context["cl"].result_list) == [], name
    response = client.get(reverse("admin:partners_enquiry_change", args=[target.enquiry.pk]))
    assert response.status_code == 404 and TITLE not in response.text


# ---- an entity's reason for declining ---------------------------------------------------------------------

OUR_REASON = "Our platform is booked until 2027."
THEIR_REASON = "Their PI left the unit last month."


@pytest.fixture
def both_declined(central_user, entity, other_entity, entity_contact, other_contact):
    """Routed to both entities; ``entity`` declines first, ``other_entity`` last, which sends the enquiry back to
    triage with its reason in the StageChange."""
    enquiry = routed_enquiry(entities=[entity, other_entity], actor=central_user, title=TITLE)
    ours, theirs = enquiry.routings.get(entity=entity), enquiry.routings.get(entity=other_entity)
    workflow.enquiry_answer_routing(routing=ours, actor=entity_contact, accept=False, reason=OUR_REASON)
    workflow.enquiry_answer_routing(routing=theirs, actor=other_contact, accept=False, reason=THEIR_REASON)
    return enquiry


def reason_pages(enquiry: Enquiry) -> dict[str, str]:
    back = enquiry.stage_changes.get(transition="return_to_triage")
    return {
        "enquiry": reverse("admin:partners_enquiry_change", args=[enquiry.pk]),
        "routing list": reverse("admin:partners_routing_changelist"),
        **{
            f"routing of {routing.entity.code}": reverse("admin:partners_routing_change", args=[routing.pk])
            for routing in enquiry.routings.select_related("entity")
        },
        "stage change list": reverse("admin:agreements_stagechange_changelist"),
        "stage change list, searched": reverse("admin:agreements_stagechange_changelist") + "?q=PI",
        "stage change": reverse("admin:agreements_stagechange_change", args=[back.pk]),
    }


def pages_showing(client, pages: dict[str, str], text: str) -> list[str]:
    return [name for name, url in pages.items() if text in client.get(url).content.decode()]


def test_the_central_team_reads_every_reason_for_declining(sign_in, both_declined):
    client = sign_in("central")

    page = client.get(reverse("admin:partners_enquiry_change", args=[both_declined.pk])).text

    assert OUR_REASON in page and THEIR_REASON in page


def test_an_entity_contact_reads_no_other_entitys_reason_on_the_enquiry_page(sign_in, both_declined):
    client = sign_in("contact")

    page = client.get(reverse("admin:partners_enquiry_change", args=[both_declined.pk])).text

    assert OUR_REASON in page  # its own answer
    assert THEIR_REASON not in page


def test_an_entity_contact_reads_no_other_entitys_reason_anywhere_in_the_admin(sign_in, both_declined):
    client = sign_in("contact")

    assert pages_showing(client, reason_pages(both_declined), THEIR_REASON) == []


def test_legal_staff_read_no_entitys_reason_for_declining(sign_in, both_declined):
    client = sign_in("legal")
    pages = reason_pages(both_declined)

    assert pages_showing(client, pages, OUR_REASON) + pages_showing(client, pages, THEIR_REASON) == []
