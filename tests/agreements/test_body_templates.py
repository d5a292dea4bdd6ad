"""Governing bodies' own contract templates (issue 6): versions written by the body's legal staff or the central
team, checked by a restricted template engine, previewed as a PDF by a task, put in use one at a time; drafts of
contracts whose lead negotiator has one in use are made from it and name it; the admin pages by role."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import TemplateDoesNotExist, TemplateSyntaxError
from django.urls import reverse
from pypdf import PdfReader

from agreements import body_templates, documents, drafts, tasks
from agreements.models import Agreement, ContractTemplate, DraftVersion, Signature
from partners.roles import LEGAL_STAFF

from ..factories import GoverningBodyFactory, UserFactory, fill_terms, nda, routed_enquiry

pytestmark = pytest.mark.django_db

S = ContractTemplate.Status
PURPOSE = "Evaluating the anti-CD123 antibody of Leukos on primary AML samples of the unit's biobank."
SENTENCE = "Le présent accord suit la charte contractuelle de l’université, article 42."
OTHER_SENTENCE = "Le présent accord suit la charte contractuelle révisée en 2026, article 7."
BASE = '{% extends "agreements/pdf/base.html" %}'
MINIMAL = BASE + "{% block title_fr %}Accord{% endblock %}{% block articles_fr %}<p>Texte.</p>{% endblock %}"


def text_of(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def nda_source(body, sentence: str = SENTENCE, language: str = "fr") -> str:
    """The portal's NDA with one sentence of the body's own before the definitions."""
    source = body_templates.template_start_from_portal(body, "nda", language)
    heading = '<h2 class="article">Définitions</h2>'
    assert heading in source
    return source.replace(heading, f"<p>{sentence}</p>\n{heading}", 1)


@pytest.fixture
def other_body(db):
    return GoverningBodyFactory(name="Assistance Publique – Hôpitaux de Paris", short_name="AP-HP")


@pytest.fixture
def other_legal(other_body):
    user = UserFactory(username="olga.other", is_staff=True, groups=[LEGAL_STAFF])
    other_body.legal_staff.add(user)
    return user


@pytest.fixture
def make_nda(central_user, company):
    """An NDA with complete terms between ``company`` and the bodies of ``entity``, in ``language``."""

    def build(entity, language: str = "fr") -> Agreement:
        enquiry = routed_enquiry(company=company, entities=[entity], actor=central_user, title="CD123 antibody")
        agreement = nda(enquiry=enquiry, entity=entity, actor=central_user, language=language)
        return fill_terms(agreement, actor=central_user, purpose=PURPOSE)

    return build


@pytest.fixture
def renders(monkeypatch):
    """Each HTML WeasyPrint was asked to render (through agreements.documents.render)."""
    calls = []
    real = documents.render

    def counting(html, **kwargs):
        calls.append(html)
        return real(html, **kwargs)

    monkeypatch.setattr(documents, "render", counting)
    return calls


def in_use(template, actor, capture) -> ContractTemplate:
    """``template`` previewed (its task run) and put in use."""
    with capture(execute=True):
        body_templates.template_preview(template=template, actor=actor)
    template.refresh_from_db()
    return body_templates.template_put_in_use(template=template, actor=actor)


def ask(agreement, actor, capture, **kwargs) -> DraftVersion:
    with capture(execute=True):
        version = drafts.draft_request(agreement=agreement, actor=actor, **kwargs)
    version.refresh_from_db()
    return version


# ---- writing versions, by role ------------------------------------------------------------------------------
def test_the_bodys_legal_staff_and_the_central_team_write_versions_numbered_in_turn(
    governing_body, legal_officer, central_user
):
    first = body_templates.template_create(
        body=governing_body, kind="nda", language="fr", source=MINIMAL, note="First text", actor=legal_officer
    )
    second = body_templates.template_create(
        body=governing_body, kind="nda", language="fr", source=MINIMAL, actor=central_user
    )
    english = body_templates.template_create(
        body=governing_body,
        kind="nda",
        language="en",
        source=nda_source(governing_body, language="en"),
        actor=central_user,
    )

    assert [first.number, second.number, english.number] == [1, 2, 1]
    assert first.status == second.status == S.DRAFT and not first.preview and first.in_use_since is None
    assert (first.created_by, second.created_by, first.note) == (legal_officer, central_user, "First text")


@pytest.mark.parametrize("who", ["other_legal", "entity_contact", "company_member"])
def test_nobody_else_writes_a_bodys_versions(who, request, governing_body):
    actor = request.getfixturevalue(who)

    with pytest.raises(PermissionDenied):
        body_templates.template_create(body=governing_body, kind="nda", language="fr", source=MINIMAL, actor=actor)
    assert not ContractTemplate.objects.exists()


# ---- what a source may hold -------------------------------------------------------------------------------------
def block(content: str) -> str:
    return BASE + "{% block title_fr %}Accord{% endblock %}{% block articles_fr %}" + content + "{% endblock %}"


REFUSED = [
    (block('{% include "agreements/pdf/base.html" %}'), "{% include %} is not allowed"),
    (block('{% ssi "/etc/passwd" %}'), "{% ssi %} is not allowed"),
    (block("{% debug %}"), "{% debug %} is not allowed"),
    (block("{% load i18n %}"), "only {% load contract_pdf %} is allowed, not {% load i18n %}"),
    (block("{% load static %}{% static 'x.css' %}"), "only {% load contract_pdf %} is allowed"),
    (block("{% load contract_pdf from agreements %}"), "only {% load contract_pdf %} is allowed"),
    (block("{{ fr.t.purpose|safe }}"), "the filter |safe is not allowed: what users typed must stay escaped"),
    (block("{% with p=fr.t.purpose|safeseq %}{{ p }}{% endwith %}"), "the filter |safeseq is not allowed"),
    (block("{% autoescape off %}{{ fr.t.purpose }}{% endautoescape %}"), "{% autoescape %} is not allowed"),
    (block("{% filter upper %}x{% endfilter %}"), "{% filter %} is not allowed"),
    (block("{% url 'admin:index' %}"), "{% url %} is not allowed"),
    (block("{% now 'Y' %}"), "{% now %} is not allowed"),
    (block("{% lorem 100000 w %}"), "{% lorem %} is not allowed"),
    (block('{{ doc.reference|ljust:"900000000" }}'), "the filter |ljust is not allowed"),
    (block('{{ doc.reference|stringformat:"900000000s" }}'), '|stringformat:"900000000s" is not allowed'),
    (block('{{ doc.reference|floatformat:"90000" }}'), '|floatformat:"90000" is not allowed'),
    (block('{% for c in "aaaaaaaaaaaaaaaaaaaa" %}x{% endfor %}'), "a loop may go over the contract's data only"),
    (
        block(
            "{% for a in parties %}{% for b in parties %}{% for c in parties %}x{% endfor %}{% endfor %}{% endfor %}"
        ),
        "loops may be nested 2 deep at most",
    ),
    ('{% extends "agreements/pdf/research_collaboration_fr.html" %}', "a template may extend only"),
    ('{% extends "agreements/pdf/nda_en.html" %}', "a template may extend only"),  # a French one: not the English
    ('{% extends "/etc/passwd" %}', 'not "/etc/passwd"'),
    ('{% extends "../../opale_portal/settings.py" %}', "a template may extend only"),
    ('{% extends "admin/base.html" %}', "a template may extend only"),
    ("{% extends doc.reference %}", "a template may extend only"),
    ("<p>Un texte sans base.</p>", "must begin with {% extends “agreements/pdf/base.html” %}"),
    ("", "The template is empty."),
    (block("{% if %}"), "The template does not compile"),
    (block("{% endif %}"), "The template does not compile"),
    (BASE + "{% block title_fr %}Accord{% endblock %}", "must fill the block “articles_fr”"),
    (MINIMAL + "{% block article_fr %}x{% endblock %}", "The block “article_fr” is not one of the blocks"),
    (MINIMAL + "<p>Article oublié hors de tout bloc.</p>", "text outside any block is not printed"),
    (block("x" * body_templates.MAX_SOURCE_CHARS), "characters long: at most 200000 are accepted"),
]


@pytest.mark.parametrize(("source", "message"), REFUSED, ids=[message[:40] for _source, message in REFUSED])
def test_a_source_reaching_beyond_the_contracts_data_is_refused_with_a_message_naming_it(
    source, message, governing_body, legal_officer
):
    with pytest.raises(ValidationError) as refused:
        body_templates.template_create(
            body=governing_body, kind="nda", language="fr", source=source, actor=legal_officer
        )

    assert any(message in text for text in refused.value.messages), refused.value.messages
    assert not ContractTemplate.objects.exists()


def test_a_bilingual_version_must_carry_the_english_text_too(governing_body, legal_officer):
    with pytest.raises(ValidationError) as refused:
        body_templates.template_create(
            body=governing_body, kind="nda", language="en", source=MINIMAL, actor=legal_officer
        )

    assert "The template must fill the block “title_en”." in refused.value.messages
    assert "The template must fill the block “articles_en”." in refused.value.messages


def test_a_version_may_extend_the_portals_own_text_of_its_kind_and_change_one_block(governing_body, legal_officer):
    source = '{% extends "agreements/pdf/nda_fr.html" %}{% block title_fr %}Accord de secret{% endblock %}'

    template = body_templates.template_create(
        body=governing_body, kind="nda", language="fr", source=source, actor=legal_officer
    )

    assert template.number == 1


def test_the_restricted_engine_itself_loads_no_other_template_nor_library():
    """Even a source that skipped the checks could not reach further: the engine has no other library and its
    loader knows the portal's base and kind templates only."""
    engine = body_templates.engine()
    for name in ["admin/base.html", "agreements/agreement_detail.html", "/etc/passwd", "agreements/pdf/../base.html"]:
        with pytest.raises(TemplateDoesNotExist):
            engine.get_template(name)
    for library in ["i18n", "static", "admin_list"]:
        with pytest.raises(TemplateSyntaxError):
            engine.from_string("{% load " + library + " %}")
    assert engine.get_template("agreements/pdf/base.html")


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_portals_text_of_every_kind_is_a_valid_start(language, governing_body):
    from agreements.terms import KINDS

    for kind in KINDS:
        source = body_templates.template_start_from_portal(governing_body, kind, language)
        body_templates.validate_source(source, kind=kind, language=language)
        assert source.startswith(BASE)  # self-contained: French and English blocks in one text
        assert "{% block articles_fr %}" in source
        assert ("{% block articles_en %}" in source) == (language == "en")
        assert "UPCité" in source.split("{% endcomment %}")[0]  # the note says whose and what it must fill


# ---- the preview --------------------------------------------------------------------------------------------------
def test_a_preview_is_queued_never_rendered_in_the_request_then_made_by_the_task(
    governing_body, legal_officer, renders, django_capture_on_commit_callbacks
):
    template = body_templates.template_create(
        body=governing_body, kind="nda", language="fr", source=nda_source(governing_body), actor=legal_officer
    )

    with django_capture_on_commit_callbacks(execute=False) as queued:
        state = body_templates.template_preview(template=template, actor=legal_officer)
    assert state.status == "rendering" and renders == [] and len(queued) == 1
    template.refresh_from_db()
    assert body_templates.preview_state(template).status == "rendering"
    assert not template.preview

    queued[0]()  # the commit: the task runs (eagerly here)

    template.refresh_from_db()
    assert len(renders) == 1 and body_templates.preview_state(template).status == "ready"
    assert template.preview.name.endswith("UPCité-nda-fr-v1.pdf")
    assert tasks.render_template_preview.soft_time_limit == drafts.SOFT_TIME_LIMIT
    assert tasks.render_template_preview.time_limit == drafts.HARD_TIME_LIMIT


def test_without_a_contract_the_preview_prints_a_fictitious_one_marked_specimen(
    governing_body, legal_officer, django_capture_on_commit_callbacks
):
    governing_body.signatory_name = "Pr Édouard Kaminski"
    governing_body.save()
    template = body_templates.template_create(
        body=governing_body, kind="nda", language="fr", source=nda_source(governing_body), actor=legal_officer
    )
    with django_capture_on_commit_callbacks(execute=True):
        body_templates.template_preview(template=template, actor=legal_officer)
    template.refresh_from_db()

    text = text_of(template.preview.read())

    assert SENTENCE in text
    assert "SPÉCIMEN · modèle UPCité v1" in text and "Société Spécimen SAS" in text
    assert "Université Paris Cité" in text and "Pr Édouard Kaminski" in text
    assert "dans le seul but suivant : [à compléter]" in text
    assert "PROJET" in text  # the watermark stays: never taken for a signed text


def test_the_preview_prints_the_bodys_latest_contract_of_its_kind(
    governing_body, entity, legal_officer, make_nda, django_capture_on_commit_callbacks
):
    agreement = make_nda(entity, "en")
    template = body_templates.template_create(
        body=governing_body,
        kind="nda",
        language="en",
        source=nda_source(governing_body, language="en"),
        actor=legal_officer,
    )
    with django_capture_on_commit_callbacks(execute=True):
        body_templates.template_preview(template=template, actor=legal_officer)
    template.refresh_from_db()

    text = text_of(template.preview.read())

    assert f"SPÉCIMEN · modèle UPCité v1 · {agreement.reference}" in text
    assert "Leukos Therapeutics SAS" in text and PURPOSE in text and SENTENCE in text
    assert "Confidentiality agreement" in text and "the French version prevails" in text
    assert not agreement.versions.exists()  # a preview is no draft of the contract


def test_a_failed_preview_keeps_its_error_and_the_version_cannot_be_put_in_use(
    governing_body, legal_officer, monkeypatch, django_capture_on_commit_callbacks
):
    from celery.exceptions import SoftTimeLimitExceeded

    template = body_templates.template_create(
        body=governing_body, kind="nda", language="fr", source=MINIMAL, actor=legal_officer
    )

    def too_slow(html, **kwargs):
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(documents, "render", too_slow)
    with django_capture_on_commit_callbacks(execute=True):
        body_templates.template_preview(template=template, actor=legal_officer)

    template.refresh_from_db()
    state = body_templates.preview_state(template)
    assert state == body_templates.PreviewState("failed", "Rendering took longer than the time allowed.")
    with pytest.raises(ValidationError, match="Make a preview PDF"):
        body_templates.template_put_in_use(template=template, actor=legal_officer)


def test_a_preview_asked_before_an_edit_does_not_stand_for_the_new_text(
    governing_body, legal_officer, renders, django_capture_on_commit_callbacks
):
    template = body_templates.template_create(
        body=governing_body, kind="nda", language="fr", source=MINIMAL, actor=legal_officer
    )
    with django_capture_on_commit_callbacks(execute=False) as queued:
        body_templates.template_preview(template=template, actor=legal_officer)
    body_templates.template_edit(template=template, source=nda_source(governing_body), note="", actor=legal_officer)

    queued[0]()  # the task asked for the old text runs after the edit

    template.refresh_from_db()
    assert renders == [] and not template.preview
    assert body_templates.preview_state(template).status == "none"


# ---- putting in use -------------------------------------------------------------------------------------------------
def test_a_version_goes_in_use_only_once_previewed_and_an_edit_asks_for_a_new_preview(
    governing_body, legal_officer, django_capture_on_commit_callbacks
):
    template = body_templates.template_create(
        body=governing_body, kind="nda", language="fr", source=MINIMAL, actor=legal_officer
    )
    with pytest.raises(ValidationError, match="Make a preview PDF"):
        body_templates.template_put_in_use(template=template, actor=legal_officer)

    with django_capture_on_commit_callbacks(execute=True):
        body_templates.template_preview(template=template, actor=legal_officer)
    template.refresh_from_db()
    edited = body_templates.template_edit(
        template=template, source=nda_source(governing_body), note="Our clause", actor=legal_officer
    )
    assert not edited.preview
    with pytest.raises(ValidationError, match="Make a preview PDF"):
        body_templates.template_put_in_use(template=edited, actor=legal_officer)

    used = in_use(edited, legal_officer, django_capture_on_commit_callbacks)

    assert used.status == S.IN_USE and used.in_use_since is not None
    with pytest.raises(ValidationError, match="can no longer change"):
        body_templates.template_edit(template=used, source=MINIMAL, note="", actor=legal_officer)


def test_one_version_in_use_at_a_time_the_previous_one_retired(
    governing_body, legal_officer, central_user, django_capture_on_commit_callbacks
):
    first = body_templates.template_create(
        body=governing_body, kind="nda", language="fr", source=MINIMAL, actor=legal_officer
    )
    second = body_templates.template_create(
        body=governing_body, kind="nda", language="fr", source=nda_source(governing_body), actor=legal_officer
    )
    english = body_templates.template_create(
        body=governing_body,
        kind="nda",
        language="en",
        source=nda_source(governing_body, language="en"),
        actor=central_user,
    )
    in_use(first, legal_officer, django_capture_on_commit_callbacks)
    in_use(english, central_user, django_capture_on_commit_callbacks)

    in_use(second, central_user, django_capture_on_commit_callbacks)

    statuses = dict(ContractTemplate.objects.values_list("pk", "status"))
    assert statuses == {first.pk: S.RETIRED, second.pk: S.IN_USE, english.pk: S.IN_USE}  # English: its own line
    with pytest.raises(ValidationError, match="can no longer change"):
        body_templates.template_put_in_use(template=ContractTemplate.objects.get(pk=first.pk), actor=central_user)


def test_the_body_of_another_legal_officer_cannot_be_moved(
    governing_body, legal_officer, other_legal, django_capture_on_commit_callbacks
):
    template = body_templates.template_create(
        body=governing_body, kind="nda", language="fr", source=MINIMAL, actor=legal_officer
    )
    for act in (body_templates.template_preview, body_templates.template_put_in_use, body_templates.template_retire):
        with pytest.raises(PermissionDenied):
            act(template=template, actor=other_legal)


# ---- drafts made from a body's version ----------------------------------------------------------------------------
def test_a_draft_of_the_bodys_contract_is_made_from_its_version_in_use_and_names_it(
    governing_body, entity, other_entity, legal_officer, central_user, make_nda, django_capture_on_commit_callbacks
):
    template = body_templates.template_create(
        body=governing_body, kind="nda", language="fr", source=nda_source(governing_body), actor=legal_officer
    )
    template = in_use(template, legal_officer, django_capture_on_commit_callbacks)
    ours, theirs = make_nda(entity), make_nda(other_entity)

    version = ask(ours, legal_officer, django_capture_on_commit_callbacks)
    other = ask(theirs, central_user, django_capture_on_commit_callbacks)

    assert version.status == DraftVersion.Status.READY and version.body_template == template
    assert version.template_name == "UPCité v1"
    text = text_of(version.pdf.read())
    assert SENTENCE in text and PURPOSE in text and "Accord de confidentialité" in text
    assert "SPÉCIMEN" not in text and ours.reference in text
    assert other.body_template is None and other.template_name == "agreements/pdf/nda_fr.html"
    assert SENTENCE not in text_of(other.pdf.read())  # another lead body: the portal's text


def test_a_version_in_use_in_french_leaves_bilingual_drafts_to_the_portal(
    governing_body, entity, legal_officer, make_nda, django_capture_on_commit_callbacks
):
    in_use(
        body_templates.template_create(
            body=governing_body, kind="nda", language="fr", source=nda_source(governing_body), actor=legal_officer
        ),
        legal_officer,
        django_capture_on_commit_callbacks,
    )

    assert body_templates.template_for(make_nda(entity, "en"), "en") is None
    assert body_templates.template_for(make_nda(entity, "en"), "fr") is not None


def test_a_new_version_in_use_makes_a_new_draft_an_unchanged_one_is_reused(
    governing_body, entity, legal_officer, make_nda, renders, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    agreement = make_nda(entity)
    v1 = in_use(
        body_templates.template_create(
            body=governing_body, kind="nda", language="fr", source=nda_source(governing_body), actor=legal_officer
        ),
        legal_officer,
        capture,
    )
    first = ask(agreement, legal_officer, capture)
    again = ask(agreement, legal_officer, capture)
    assert again.pk == first.pk and len(renders) == 2  # v1's preview, then the draft: once

    v2 = in_use(
        body_templates.template_create(
            body=governing_body,
            kind="nda",
            language="fr",
            source=nda_source(governing_body, OTHER_SENTENCE),
            actor=legal_officer,
        ),
        legal_officer,
        capture,
    )
    second = ask(agreement, legal_officer, capture)

    assert second.number == 2 and second.body_template == v2 and first.body_template == v1
    assert second.content_hash != first.content_hash and len(renders) == 4
    text = text_of(second.pdf.read())
    assert OTHER_SENTENCE in text and SENTENCE not in text

    body_templates.template_retire(template=v2, actor=legal_officer)
    portal = ask(agreement, legal_officer, capture)
    assert portal.number == 3 and portal.body_template is None


def test_an_amendment_keeps_the_portals_amendment_template(
    governing_body, entity, legal_officer, make_nda, django_capture_on_commit_callbacks
):
    in_use(
        body_templates.template_create(
            body=governing_body, kind="nda", language="fr", source=MINIMAL, actor=legal_officer
        ),
        legal_officer,
        django_capture_on_commit_callbacks,
    )
    contract, amendment = make_nda(entity), make_nda(entity)
    Agreement.objects.filter(pk=amendment.pk).update(amends=contract)
    amendment.refresh_from_db()

    assert body_templates.template_for(contract, "fr") is not None
    assert body_templates.template_for(amendment, "fr") is None


def test_the_final_version_keeps_the_template_of_the_text_signed(
    governing_body, entity, legal_officer, company_member, make_nda, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    agreement = make_nda(entity)
    v1 = in_use(
        body_templates.template_create(
            body=governing_body, kind="nda", language="fr", source=MINIMAL, actor=legal_officer
        ),
        legal_officer,
        capture,
    )
    signed = ask(agreement, legal_officer, capture)
    Signature.objects.create(
        agreement=agreement,
        party=agreement.parties.get(role="company"),
        version=signed,
        signed_by=company_member,
        signer_name="Chloé Bernard",
        signer_title="Directrice générale",
        consent=True,
        pdf_sha256=signed.sha256,
    )
    in_use(
        body_templates.template_create(
            body=governing_body, kind="nda", language="fr", source=nda_source(governing_body), actor=legal_officer
        ),
        legal_officer,
        capture,
    )

    final = drafts.draft_request(agreement=agreement, actor=None, final=True)  # as the last signature asks

    assert final.body_template == v1 and final.is_final


# ---- the admin ------------------------------------------------------------------------------------------------------
def admin_url(name: str, *args) -> str:
    return reverse(f"admin:agreements_contracttemplate_{name}", args=args)


@pytest.fixture
def two_bodies_templates(governing_body, other_body, legal_officer, other_legal):
    ours = body_templates.template_create(
        body=governing_body, kind="nda", language="fr", source=MINIMAL, actor=legal_officer
    )
    theirs = body_templates.template_create(
        body=other_body, kind="nda", language="fr", source=MINIMAL, actor=other_legal
    )
    return ours, theirs


def test_legal_staff_list_their_own_bodys_versions_and_the_central_team_all(
    client, legal_officer, central_user, two_bodies_templates
):
    client.force_login(legal_officer)
    mine = client.get(admin_url("changelist")).content.decode()
    client.force_login(central_user)
    everything = client.get(admin_url("changelist")).content.decode()

    assert "UPCité" in mine and "AP-HP" not in mine
    assert "UPCité" in everything and "AP-HP" in everything
    assert "Being prepared" in mine


def test_another_bodys_version_is_not_found_for_legal_staff(client, legal_officer, two_bodies_templates):
    _ours, theirs = two_bodies_templates
    client.force_login(legal_officer)

    for url in [
        admin_url("change", theirs.pk),
        admin_url("download", theirs.pk),
    ]:
        assert client.get(url).status_code == 404
    for url in [admin_url("preview", theirs.pk), admin_url("use", theirs.pk), admin_url("retire", theirs.pk)]:
        assert client.post(url).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == S.DRAFT


@pytest.mark.parametrize("who", ["entity_contact", "company_member"])
def test_others_may_not_open_the_templates(client, request, who, two_bodies_templates):
    client.force_login(request.getfixturevalue(who))

    response = client.get(admin_url("changelist"))

    assert response.status_code in (302, 403)


def test_the_add_page_offers_only_the_users_bodies_and_refuses_another(
    client, legal_officer, governing_body, other_body
):
    client.force_login(legal_officer)
    page = client.get(admin_url("add")).content.decode()
    response = client.post(
        admin_url("add"), {"body": other_body.pk, "kind": "nda", "language": "fr", "source": MINIMAL, "note": ""}
    )

    assert "UPCité" in page and "AP-HP" not in page
    assert f'<option value="{governing_body.pk}" selected>UPCité</option>' in page  # their one body, chosen
    assert '<option value="" selected>---------</option>' in page.split('id="id_kind"')[1]  # the kind: to choose
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert not ContractTemplate.objects.exists()


def test_the_add_page_fills_in_the_portals_text_then_saves_the_version(client, legal_officer, governing_body):
    client.force_login(legal_officer)
    query = {"from_portal": 1, "body": governing_body.pk, "kind": "nda", "language": "fr"}

    page = client.get(admin_url("add"), query).content.decode()
    source = nda_source(governing_body)
    response = client.post(
        admin_url("add"), {"body": governing_body.pk, "kind": "nda", "language": "fr", "source": source, "note": "v1"}
    )

    assert "Accord de confidentialité" in page and "&lt;h2 class=&quot;article&quot;&gt;Définitions" in page
    assert response.status_code == 302
    template = ContractTemplate.objects.get()
    assert (template.number, template.status, template.created_by) == (1, S.DRAFT, legal_officer)
    assert template.source == source.strip()  # the form trims the ends, as every text field


def test_the_add_page_takes_an_uploaded_file_and_shows_what_is_refused(client, legal_officer, governing_body):
    client.force_login(legal_officer)
    fields = {"body": governing_body.pk, "kind": "nda", "language": "fr", "source": "", "note": ""}

    refused = client.post(admin_url("add"), {**fields, "source": block("{% debug %}")})
    uploaded = client.post(
        admin_url("add"), {**fields, "upload": SimpleUploadedFile("upcite-nda.html", MINIMAL.encode(), "text/html")}
    )

    assert refused.status_code == 200
    assert "{% debug %} is not allowed: it would print the whole context." in refused.content.decode()
    assert uploaded.status_code == 302
    assert ContractTemplate.objects.get().source == MINIMAL


def test_the_version_page_previews_downloads_and_puts_in_use_then_is_read_only(
    client, legal_officer, governing_body, django_capture_on_commit_callbacks
):
    template = body_templates.template_create(
        body=governing_body, kind="nda", language="fr", source=nda_source(governing_body), actor=legal_officer
    )
    client.force_login(legal_officer)
    page = admin_url("change", template.pk)
    before = client.get(page).content.decode()
    assert "Make a preview PDF" in before and "Put in use" not in before and "No preview of this text yet" in before

    with django_capture_on_commit_callbacks(execute=True):
        client.post(admin_url("preview", template.pk))
    ready = client.get(page).content.decode()
    download = client.get(admin_url("download", template.pk))
    pdf = b"".join(download.streaming_content)
    used = client.post(admin_url("use", template.pk), follow=True).content.decode()

    assert "Download the preview" in ready and "Put in use" in ready
    assert download["Content-Type"] == "application/pdf" and SENTENCE in text_of(pdf)
    assert "Version 1 is in use" in used
    template.refresh_from_db()
    assert template.status == S.IN_USE
    assert "Put in use" not in used and "Retire" in used and "is read-only" in used
    assert client.post(page, {"source": MINIMAL, "note": "sneaky"}).status_code == 403
    template.refresh_from_db()
    assert template.source != MINIMAL and template.note == ""


def test_the_version_page_shows_a_failed_previews_error(client, legal_officer, governing_body, monkeypatch):
    template = body_templates.template_create(
        body=governing_body, kind="nda", language="fr", source=MINIMAL, actor=legal_officer
    )
    body_templates._note_preview_state(
        template.pk, body_templates.source_hash(MINIMAL), "failed", "RuntimeError: fonts missing"
    )
    client.force_login(legal_officer)

    html = client.get(admin_url("change", template.pk)).content.decode()

    assert "The preview failed:" in html and "RuntimeError: fonts missing" in html and "Put in use" not in html


def test_the_contracts_versions_name_the_template_each_was_made_from(
    client, governing_body, entity, legal_officer, make_nda, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    agreement = make_nda(entity)
    ask(agreement, legal_officer, capture)
    in_use(
        body_templates.template_create(
            body=governing_body, kind="nda", language="fr", source=MINIMAL, actor=legal_officer
        ),
        legal_officer,
        capture,
    )
    ask(agreement, legal_officer, capture)
    client.force_login(legal_officer)

    html = client.get(reverse("admin:agreements_agreement_change", args=[agreement.pk])).content.decode()

    rows = html.split('<table class="opale-versions">')[1].split("</table>")[0].split("<tr>")[2:]
    assert "UPCité v1" in rows[0] and "The portal's" in rows[1]


def test_the_list_and_a_version_page_cost_a_fixed_number_of_queries(
    client, central_user, governing_body, other_body, legal_officer, django_assert_max_num_queries
):
    for n in range(12):
        body = governing_body if n % 2 else other_body
        body_templates.template_create(body=body, kind="nda", language="fr", source=MINIMAL, actor=central_user)
    template = ContractTemplate.objects.order_by("pk").last()
    client.force_login(central_user)

    # the request's 5 (session, user, groups, permissions), the filtered count, the total count, the page (with
    # bodies and authors), the bodies of the body filter
    with django_assert_max_num_queries(9):
        assert client.get(admin_url("changelist")).status_code == 200
    # the request's 5, the version (read by the page, then by Django's view, each with its body and author), the
    # contract the preview prints, the content type (history link)
    with django_assert_max_num_queries(9):
        assert client.get(admin_url("change", template.pk)).status_code == 200
