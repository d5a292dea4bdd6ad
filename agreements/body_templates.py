"""Governing bodies' own contract templates (issue 6): legal staff write or upload a body's text for one kind of
contract in one language, preview it as a PDF, then put it in use; drafts of contracts whose lead negotiator is
that body are then made from it (agreements.documents). The portal's templates are the default.

A body's template is Django template text written by people outside the portal's developers, so it is compiled
by a restricted engine, never the portal's: the contract_pdf filters and Django's built-ins only, and a loader
that can load nothing but the portal's base and kind templates. ``validate_source`` refuses, with a message that
names the problem, whatever could reach beyond the contract's own data (``{% include %}``, ``{% debug %}``,
``{% load %}`` of another library), unescape user text (``|safe``, ``{% autoescape off %}``) or make a render
grow without bound (width filters, loops over literals, deep loops); it runs when a version is written and again
each time one is compiled. The renderer's static-only URL fetcher still guards what the HTML may fetch.

A body's French-and-English template is used alone for bilingual drafts (the body's French one is not combined
with it): it carries both texts, the French blocks and the English ones (see ``template_start_from_portal``).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import logging
import re
from dataclasses import dataclass
from pathlib import Path

from celery.exceptions import SoftTimeLimitExceeded
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max, QuerySet
from django.template import Engine, Origin, TemplateDoesNotExist, TemplateSyntaxError
from django.template.base import Lexer, Template, TextNode, TokenType
from django.template.loader_tags import BlockNode, ExtendsNode
from django.template.loaders.base import Loader
from django.utils import timezone
from django.utils.translation import gettext as _

from partners.models import GoverningBody
from partners.rules import is_central_team, is_legal_staff

from . import documents
from .choices import ContractStage, PartyRole
from .models import Agreement, ContractTemplate
from .terms import KINDS

log = logging.getLogger(__name__)

S = ContractTemplate.Status
MAX_SOURCE_CHARS = 200_000  # the longest portal kind template (French and English together) is about 40 000
MAX_LOOP_DEPTH = 2  # the portal's own templates nest two loops at most

# Tags a body's template may use: Django's structure and logic tags that print the contract's data and nothing
# else. Left out: include, ssi, debug, load (but of contract_pdf), autoescape, filter, lorem, now, url,
# csrf_token, querystring: each reaches beyond the data, unescapes it, or prints something the content hash
# does not cover.
ALLOWED_TAGS = frozenset(
    {
        "extends",
        "load",
        "block",
        "endblock",
        "comment",
        "endcomment",
        "if",
        "elif",
        "else",
        "endif",
        "for",
        "empty",
        "endfor",
        "with",
        "endwith",
        "firstof",
        "cycle",
        "resetcycle",
        "ifchanged",
        "endifchanged",
        "spaceless",
        "endspaceless",
        "templatetag",
        "verbatim",
        "endverbatim",
        "regroup",
    }
)
# Filters a body's template may use: those that print data as it is, or shorter. Left out: safe and safeseq
# (unescaped user text), add (doubles a list each time it is chained), ljust, rjust and center (any width),
# random and timesince (text the content hash does not cover), and the rest, which a contract has no use for.
ALLOWED_FILTERS = frozenset(
    {
        "capfirst",
        "cut",
        "date",
        "default",
        "default_if_none",
        "dictsort",
        "dictsortreversed",
        "divisibleby",
        "escape",
        "first",
        "floatformat",
        "force_escape",
        "join",
        "last",
        "length",
        "linebreaks",
        "linebreaksbr",
        "lower",
        "make_list",
        "oneline",
        "or_blank",
        "pluralize",
        "slice",
        "stringformat",
        "striptags",
        "title",
        "truncatechars",
        "truncatewords",
        "upper",
        "wordcount",
        "yesno",
    }
)
# Filters whose argument sets a width or a precision: only small literal ones ("s", ".2f", "2").
BOUNDED_ARGUMENTS = {
    "stringformat": re.compile(r"[-+ #0]?\d?(\.\d)?[sdifeEgGxXo]"),
    "floatformat": re.compile(r"-?\d?[gu]{0,2}"),
    # a separator of a few characters, written in the template: a long one (or a variable holding a whole term)
    # would multiply the text it joins ("…"|make_list|join:"…" squares its length)
    "join": re.compile(r".{0,5}", re.DOTALL),
}
# Of those, the filters whose argument must be a quoted literal, never a variable.
LITERAL_ONLY = frozenset({"join"})
_LITERAL = r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\''
# a string literal (skipped, so a "|" inside one is not a filter) or a filter with its optional argument
_FILTER = re.compile(rf"{_LITERAL}|\|\s*(\w+)(?::({_LITERAL}|[\w.]+))?")
_QUOTED = re.compile(_LITERAL)

# Blocks of the base a body's template must fill when it extends the base itself.
REQUIRED_BLOCKS = {"fr": ("title_fr", "articles_fr"), "en": ("title_fr", "articles_fr", "title_en", "articles_en")}


# ---- the restricted engine ------------------------------------------------------------------------------------
def portal_template_names() -> frozenset[str]:
    """The only templates a body's template may extend: the base and each kind's French and English ones."""
    names = {documents.BASE_TEMPLATE}
    for spec in KINDS.values():
        names.update(f"{documents.TEMPLATE_DIR}/{spec.template}_{language}.html" for language in documents.LANGUAGES)
    return frozenset(names)


class PortalPdfLoader(Loader):
    """Loads the portal's base and kind templates (read where the portal's own engine finds them), nothing else:
    not an amendment template, not a page of the site, not a file named by a path."""

    def get_template_sources(self, template_name):
        if template_name in portal_template_names():
            path = documents._template_file(template_name)
            yield Origin(name=str(path), template_name=template_name, loader=self)

    def get_contents(self, origin):
        try:
            return Path(origin.name).read_text(encoding="utf-8")
        except FileNotFoundError:
            raise TemplateDoesNotExist(origin) from None


@functools.cache
def engine() -> Engine:
    """Django's built-in tags and filters and the contract_pdf library; no other library can be loaded."""
    return Engine(
        loaders=["agreements.body_templates.PortalPdfLoader"],
        libraries={"contract_pdf": "agreements.templatetags.contract_pdf"},
        autoescape=True,
        debug=False,
        string_if_invalid="",
    )


# ---- checking a source ----------------------------------------------------------------------------------------
def may_extend(kind: str, language: str) -> list[str]:
    """What a body's template of ``kind`` in ``language`` may extend: the base, or the portal's own text of the
    same kind (its French one; for French and English, its English one too)."""
    spec = KINDS[kind]
    names = [documents.BASE_TEMPLATE, f"{documents.TEMPLATE_DIR}/{spec.template}_fr.html"]
    if language == "en":
        names.append(f"{documents.TEMPLATE_DIR}/{spec.template}_en.html")
    return names


def validate_source(source: str, *, kind: str, language: str) -> Template:
    """The source compiled by the restricted engine, or ValidationError listing every problem found."""
    if kind not in KINDS:
        raise ValidationError(_("There is no template for this kind of contract."))
    if language not in documents.LANGUAGES:
        raise ValidationError(_("Templates are in French, or in French and English."))
    if not isinstance(source, str) or not source.strip():
        raise ValidationError(_("The template is empty."))
    if len(source) > MAX_SOURCE_CHARS:
        raise ValidationError(
            _("The template is %(length)s characters long: at most %(max)s are accepted.")
            % {"length": len(source), "max": MAX_SOURCE_CHARS}
        )
    problems = _token_problems(source, kind=kind, language=language)
    if problems:
        raise ValidationError(problems)
    try:
        compiled = engine().from_string(source)
    except TemplateSyntaxError as error:
        raise ValidationError(_("The template does not compile: %(error)s") % {"error": error}) from None
    except RecursionError:
        raise ValidationError(_("The template nests its tags too deeply: simplify it.")) from None
    problems = _structure_problems(compiled, kind=kind, language=language)
    if problems:
        raise ValidationError(problems)
    return compiled


def _token_problems(source: str, *, kind: str, language: str) -> list[str]:
    problems: list[str] = []
    extends_seen = False
    depth = 0
    for token in Lexer(source).tokenize():
        if token.token_type not in (TokenType.BLOCK, TokenType.VAR):
            continue
        line = token.lineno
        problems += _filter_problems(token.contents, line)
        if token.token_type != TokenType.BLOCK:
            continue
        try:
            bits = token.split_contents()
        except ValueError:
            bits = token.contents.split()
        name = bits[0] if bits else ""
        if name == "extends":
            extends_seen = True
            problems += _extends_problems(bits, line, kind=kind, language=language)
        elif name == "load":
            if bits[1:] != ["contract_pdf"]:
                problems.append(
                    _("Line %(line)s: only {%% load contract_pdf %%} is allowed, not {%% %(tag)s %%}.")
                    % {"line": line, "tag": token.contents}
                )
        elif name == "for":
            depth += 1
            problems += _loop_problems(bits, line, depth)
        elif name == "endfor":
            depth -= 1
        elif name not in ALLOWED_TAGS:
            problems.append(_refused_tag(name, line))
    if not extends_seen:
        problems.insert(
            0,
            _("The template must begin with {%% extends “%(base)s” %%}.") % {"base": documents.BASE_TEMPLATE},
        )
    return problems


def _refused_tag(name: str, line: int) -> str:
    reasons = {
        "include": _("a template is one text: it may not include another file"),
        "ssi": _("a template may not include a file"),
        "debug": _("it would print the whole context"),
        "autoescape": _("what users typed must stay escaped"),
        "filter": _("use the filters on the values themselves"),
    }
    reason = reasons.get(name, _("it is not one of the tags a contract template may use"))
    return _("Line %(line)s: {%% %(tag)s %%} is not allowed: %(reason)s.") % {
        "line": line,
        "tag": name,
        "reason": reason,
    }


def _extends_problems(bits: list[str], line: int, *, kind: str, language: str) -> list[str]:
    allowed = may_extend(kind, language)
    target = bits[1] if len(bits) == 2 else ""
    if not _QUOTED.fullmatch(target) or target[1:-1] not in allowed:
        return [
            _("Line %(line)s: a template may extend only %(allowed)s, not %(target)s.")
            % {"line": line, "allowed": ", ".join(f"“{name}”" for name in allowed), "target": " ".join(bits[1:])}
        ]
    return []


def _loop_problems(bits: list[str], line: int, depth: int) -> list[str]:
    problems = []
    if depth > MAX_LOOP_DEPTH:
        problems.append(
            _("Line %(line)s: loops may be nested %(max)s deep at most.") % {"line": line, "max": MAX_LOOP_DEPTH}
        )
    sequence = bits[bits.index("in") + 1] if "in" in bits[:-1] else ""
    if _QUOTED.match(sequence) or sequence[:1].isdigit():
        problems.append(
            _("Line %(line)s: a loop may go over the contract's data only, not over %(sequence)s.")
            % {"line": line, "sequence": sequence}
        )
    return problems


def _filter_problems(contents: str, line: int) -> list[str]:
    problems = []
    for match in _FILTER.finditer(contents):
        name, argument = match.group(1), match.group(2)
        if name is None:  # a string literal
            continue
        if name not in ALLOWED_FILTERS:
            reason = (
                _("what users typed must stay escaped")
                if name in ("safe", "safeseq")
                else _("it is not one of the filters a contract template may use")
            )
            problems.append(
                _("Line %(line)s: the filter |%(filter)s is not allowed: %(reason)s.")
                % {"line": line, "filter": name, "reason": reason}
            )
        elif name in BOUNDED_ARGUMENTS:
            quoted = bool(argument and _QUOTED.fullmatch(argument))
            value = argument[1:-1] if quoted else argument
            unquoted = name in LITERAL_ONLY and not quoted
            if value is not None and (unquoted or not BOUNDED_ARGUMENTS[name].fullmatch(value)):
                problems.append(
                    _("Line %(line)s: |%(filter)s:%(argument)s is not allowed: give a short literal format.")
                    % {"line": line, "filter": name, "argument": argument}
                )
    return problems


def _structure_problems(compiled: Template, *, kind: str, language: str) -> list[str]:
    """Blocks the parent does not have print nothing, and neither does text outside any block: both are
    refused. A template extending the base itself must fill the base's blocks of its language."""
    extends = next(iter(compiled.nodelist.get_nodes_by_type(ExtendsNode)), None)
    if extends is None:  # the tokens said it extends: only a tag inside another one could hide it
        return [_("The template must begin with {%% extends “%(base)s” %%}.") % {"base": documents.BASE_TEMPLATE}]
    parent = extends.parent_name.var
    known = _blocks_of(parent)
    problems = []
    for node in extends.nodelist:
        if isinstance(node, TextNode) and node.s.strip():
            line = getattr(getattr(node, "token", None), "lineno", "?")
            problems.append(
                _("Line %(line)s: text outside any block is not printed: put it inside a block.") % {"line": line}
            )
    filled = {block.name for block in extends.nodelist.get_nodes_by_type(BlockNode)}
    for name in sorted(filled - known):
        problems.append(
            _("The block “%(block)s” is not one of the blocks of “%(parent)s” (%(known)s): it would print nothing.")
            % {"block": name, "parent": parent, "known": ", ".join(sorted(known))}
        )
    if parent == documents.BASE_TEMPLATE:
        for name in REQUIRED_BLOCKS[language]:
            if name not in filled:
                problems.append(_("The template must fill the block “%(block)s”.") % {"block": name})
    return problems


def _blocks_of(name: str) -> set[str]:
    """The block names of a portal template and of those it extends."""
    template = engine().get_template(name)
    names = {block.name for block in template.nodelist.get_nodes_by_type(BlockNode)}
    parent = next(iter(template.nodelist.get_nodes_by_type(ExtendsNode)), None)
    if parent is not None:
        names |= _blocks_of(parent.parent_name.var)
    return names


def compile_template(template: ContractTemplate) -> Template:
    """A stored version compiled for rendering, checked again: what the engine runs is always what passes."""
    return validate_source(template.source, kind=template.kind, language=template.language)


# ---- who may do what --------------------------------------------------------------------------------------------
def bodies_managed_by(user) -> QuerySet[GoverningBody]:
    """The bodies whose templates ``user`` writes: every body for the central team, their own for legal staff."""
    if is_central_team(user):
        return GoverningBody.objects.all()
    if is_legal_staff(user):
        return GoverningBody.objects.filter(legal_staff=user)
    return GoverningBody.objects.none()


def may_manage(user, body: GoverningBody) -> bool:
    return is_central_team(user) or (is_legal_staff(user) and body.legal_staff.filter(pk=user.pk).exists())


def templates_visible_to(user) -> QuerySet[ContractTemplate]:
    templates = ContractTemplate.objects.select_related("body", "created_by")
    if is_central_team(user):
        return templates
    if is_legal_staff(user):
        return templates.filter(body__legal_staff=user)
    return templates.none()


def _check(actor, body: GoverningBody) -> None:
    if not may_manage(actor, body):
        raise PermissionDenied(_("You may not manage the contract templates of %(body)s.") % {"body": body})


# ---- which template a draft uses ----------------------------------------------------------------------------------
def template_for(agreement: Agreement, language: str) -> ContractTemplate | None:
    """The version in use of the lead negotiator's template for the contract's kind in ``language``; None for the
    portal's (an amendment always prints the portal's amendment template)."""
    if agreement.amends_id or agreement.pk is None:
        return None
    return (
        ContractTemplate.objects.filter(
            status=S.IN_USE,
            kind=agreement.kind,
            language=language,
            body__agreement_parties__agreement=agreement,
            body__agreement_parties__role=PartyRole.LEAD_NEGOTIATOR,
        )
        .select_related("body")
        .first()
    )


def label(template: ContractTemplate | None) -> str:
    """How a version names the template it was made from."""
    if template is None:
        return _("the portal's template")
    return f"{template.body} v{template.number}"


# ---- writing versions ---------------------------------------------------------------------------------------------
def template_start_from_portal(body: GoverningBody | str, kind: str, language: str) -> str:
    """The portal's text of ``kind`` in ``language``, to start a body's version from. For French and English it is
    one self-contained text: the portal's French template followed by the English blocks of its English one
    (the English template alone extends the portal's French text, which a body's version replaces)."""
    spec = KINDS[kind]
    french = _portal_text(f"{documents.TEMPLATE_DIR}/{spec.template}_fr.html")
    first_line, _newline, rest = french.partition("\n")
    if language == "fr":
        note = _STARTER_NOTE_FR.format(body=body, kind=spec.template)
        return f"{first_line}\n{note}{rest}"
    english = _portal_text(f"{documents.TEMPLATE_DIR}/{spec.template}_en.html")
    english = re.sub(r"\A\s*\{%\s*extends\s+[^%]*%\}(\{%\s*load\s+contract_pdf\s*%\})?", "", english, count=1)
    note = _STARTER_NOTE_EN.format(body=body, kind=spec.template)
    return f"{first_line}\n{note}{rest.rstrip()}\n{english.lstrip()}"


_STARTER_NOTE_FR = (
    "{{% comment %}}{body}'s template for {kind} contracts, in French; started from the portal's. It extends the "
    "base, which prints the parties, the signatures and the summary of terms; it must fill the blocks title_fr "
    "and articles_fr, and may fill annexes_fr. Values: fr.t.<term> (in words), fr.per_party.<term>, raw.<term> "
    "(as stored), parties, doc. Filters: |or_blank, |oneline.{{% endcomment %}}\n"
)
_STARTER_NOTE_EN = (
    "{{% comment %}}{body}'s template for {kind} contracts, in French and English; started from the portal's. "
    "Used alone for bilingual drafts, it carries both texts: it must fill the blocks title_fr, articles_fr, "
    "title_en and articles_en, and may fill annexes_fr and annexes_en. Values: fr.t.<term> and en.t.<term> (in "
    "words), fr.per_party and en.per_party, raw.<term> (as stored), parties, doc. Filters: |or_blank (with "
    '"en" in English), |oneline.{{% endcomment %}}\n'
)


def _portal_text(name: str) -> str:
    return documents._template_file(name).read_text(encoding="utf-8")


def template_create(
    *, body: GoverningBody, kind: str, language: str, source: str, note: str = "", actor
) -> ContractTemplate:
    """A new version (the next number for the body, kind and language), being prepared: it prints nothing until
    it is previewed and put in use."""
    _check(actor, body)
    validate_source(source, kind=kind, language=language)
    with transaction.atomic():
        GoverningBody.objects.select_for_update().get(pk=body.pk)  # two versions written at once get two numbers
        versions = ContractTemplate.objects.filter(body=body, kind=kind, language=language)
        number = (versions.aggregate(last=Max("number"))["last"] or 0) + 1
        template = ContractTemplate.objects.create(
            body=body,
            kind=kind,
            language=language,
            number=number,
            source=source,
            note=note,
            status=S.DRAFT,
            created_by=actor,
        )
    log.info("contract template %s written by user %s", template, getattr(actor, "pk", None))
    return template


def template_edit(*, template: ContractTemplate, source: str, note: str, actor) -> ContractTemplate:
    """Change a version still being prepared. A new text drops the preview, which showed the old one: it must be
    previewed again before it is put in use."""
    _check(actor, template.body)
    validate_source(source, kind=template.kind, language=template.language)
    with transaction.atomic():
        locked = ContractTemplate.objects.select_for_update().select_related("body").get(pk=template.pk)
        _still_draft(locked)
        changed = locked.source != source
        locked.source, locked.note = source, note
        fields = ["source", "note"]
        if changed and locked.preview:
            old = locked.preview.name
            locked.preview = ""
            fields.append("preview")
            transaction.on_commit(lambda: locked.preview.storage.delete(old))
        locked.save(update_fields=fields)
    if changed:
        _forget_preview_state(locked)
    return locked


def _still_draft(template: ContractTemplate) -> None:
    if template.status != S.DRAFT:
        raise ValidationError(
            _("Version %(number)s is “%(status)s”: it can no longer change. Write a new version instead.")
            % {"number": template.number, "status": template.get_status_display()}
        )


def template_put_in_use(*, template: ContractTemplate, actor) -> ContractTemplate:
    """Drafts of the body's contracts of this kind and language are made from this version from now on; the
    version in use until now is retired. Only a version previewed as it stands may be put in use."""
    _check(actor, template.body)
    with transaction.atomic():
        GoverningBody.objects.select_for_update().get(pk=template.body_id)  # one in use at a time, even racing
        locked = ContractTemplate.objects.select_for_update().select_related("body").get(pk=template.pk)
        _still_draft(locked)
        if not locked.preview or preview_state(locked).status != "ready":
            raise ValidationError(_("Make a preview PDF of this version and read it before putting it in use."))
        validate_source(locked.source, kind=locked.kind, language=locked.language)
        now = timezone.now()
        ContractTemplate.objects.filter(
            body_id=locked.body_id, kind=locked.kind, language=locked.language, status=S.IN_USE
        ).update(status=S.RETIRED)
        locked.status, locked.in_use_since = S.IN_USE, now
        locked.save(update_fields=["status", "in_use_since"])
    log.info("contract template %s put in use by user %s", locked, getattr(actor, "pk", None))
    return locked


def template_retire(*, template: ContractTemplate, actor) -> ContractTemplate:
    """Stop using a version (the portal's template is used again until another is put in use), or set aside one
    still being prepared. A retired version stays, read-only: drafts made from it name it."""
    _check(actor, template.body)
    with transaction.atomic():
        locked = ContractTemplate.objects.select_for_update().select_related("body").get(pk=template.pk)
        if locked.status == S.RETIRED:
            raise ValidationError(_("Version %(number)s is already retired.") % {"number": locked.number})
        locked.status = S.RETIRED
        locked.save(update_fields=["status"])
    log.info("contract template %s retired by user %s", locked, getattr(actor, "pk", None))
    return locked


# ---- the preview ----------------------------------------------------------------------------------------------
# A preview being made is dated (``preview_requested_at``); a failed one keeps its error (``preview_error``); a
# ready one is the file itself. Editing the text clears all three.
RENDERING_FOR = dt.timedelta(minutes=10)  # a preview lost with its worker may be asked again after this
ERROR_MAX_LENGTH = 2000


@dataclass(frozen=True)
class PreviewState:
    status: str  # "none", "rendering", "ready" or "failed"
    error: str = ""


def source_hash(source: str) -> str:
    return hashlib.sha256(source.encode()).hexdigest()


def preview_state(template: ContractTemplate) -> PreviewState:
    """Where the preview of the version's current text stands."""
    if template.preview_requested_at and template.preview_requested_at > timezone.now() - RENDERING_FOR:
        return PreviewState("rendering")
    if template.preview_error:
        return PreviewState("failed", template.preview_error)
    return PreviewState("ready" if template.preview else "none")


def _note_preview_state(template_id: int, source: str, status: str, error: str = "") -> None:
    """Record that a preview of the text whose hash is ``source`` is being made, or failed (unless the text
    changed meanwhile: its own preview is then what counts)."""
    with transaction.atomic():
        locked = ContractTemplate.objects.select_for_update().filter(pk=template_id).first()
        if locked is None or source_hash(locked.source) != source:
            return
        if status == "rendering":
            locked.preview_requested_at, locked.preview_error = timezone.now(), ""
        else:
            locked.preview_requested_at, locked.preview_error = None, error
        locked.save(update_fields=["preview_requested_at", "preview_error"])


def _forget_preview_state(template: ContractTemplate) -> None:
    ContractTemplate.objects.filter(pk=template.pk).update(preview_requested_at=None, preview_error="")
    template.preview_requested_at, template.preview_error = None, ""


def template_preview(*, template: ContractTemplate, actor) -> PreviewState:
    """Queue the preview PDF of the version as it stands (rendered by a task after the commit, never in the
    request). Asked again while one is being made, it waits for that one."""
    from . import tasks  # the task module imports this one

    _check(actor, template.body)
    state = preview_state(template)
    if state.status == "rendering":
        return state
    digest = source_hash(template.source)
    _note_preview_state(template.pk, digest, "rendering")
    template_id = template.pk
    # robust: with the broker down the request still answers; the state lapses after RENDERING_FOR
    transaction.on_commit(lambda: tasks.render_template_preview.delay(template_id, digest), robust=True)
    return PreviewState("rendering")


def template_preview_render(template_id: int, digest: str) -> str:
    """Render the specimen of a version and store it as its preview, unless its text changed since it was asked
    for ("skipped": the new text needs its own preview). Safe to run twice."""
    template = ContractTemplate.objects.select_related("body").filter(pk=template_id).first()
    if template is None or source_hash(template.source) != digest:
        return "skipped"
    try:
        rendered = documents.render(specimen_html(template))
    except SoftTimeLimitExceeded:
        return _preview_failed(template, digest, _("Rendering took longer than the time allowed."))
    except ValidationError as error:
        return _preview_failed(template, digest, " ".join(error.messages))
    except Exception as error:
        log.exception("preview of contract template %s failed", template)
        return _preview_failed(template, digest, f"{type(error).__name__}: {error}")
    with transaction.atomic():
        locked = ContractTemplate.objects.select_for_update().get(pk=template_id)
        if source_hash(locked.source) != digest:
            return "skipped"
        old = locked.preview.name
        name = f"{template.body.short_name}-{locked.kind}-{locked.language}-v{locked.number}.pdf"
        locked.preview.save(name, ContentFile(rendered.pdf), save=False)
        locked.save(update_fields=["preview"])
        if old and old != locked.preview.name:
            transaction.on_commit(lambda: locked.preview.storage.delete(old))
    _forget_preview_state(locked)
    log.info("preview of contract template %s ready: %s pages", template, rendered.pages)
    return "ready"


def _preview_failed(template: ContractTemplate, digest: str, error: str) -> str:
    log.warning("preview of contract template %s failed: %s", template, error)
    _note_preview_state(template.pk, digest, "failed", error[:ERROR_MAX_LENGTH])
    return "failed"


# ---- the specimen a preview prints --------------------------------------------------------------------------
SPECIMEN_COMPANY = "Société Spécimen SAS"


def specimen_contract(template: ContractTemplate) -> Agreement | None:
    """The body's most recent contract of the version's kind on which it is the lead negotiator (not an
    amendment, not cancelled): the preview prints its data, the closest to what the body's drafts will be."""
    return (
        Agreement.objects.filter(
            kind=template.kind,
            amends__isnull=True,
            parties__role=PartyRole.LEAD_NEGOTIATOR,
            parties__body_id=template.body_id,
        )
        .exclude(stage=ContractStage.CANCELLED)
        .select_related("enquiry__company", "entity")
        .order_by("-created_at", "-pk")
        .first()
    )


def specimen_html(template: ContractTemplate) -> str:
    """The version printed on the body's latest contract of its kind, or, if it has none, on a fictitious
    contract whose terms are all blank (each shows where it goes as "[à compléter]"). Either way the reference
    on the title page and in every page's footer says SPÉCIMEN and names the version, and the DRAFT watermark
    stays: a preview is never taken for a contract's draft."""
    contract = specimen_contract(template)
    name = f"{template.body.short_name} v{template.number}"
    if contract is not None:
        inputs = documents.document_inputs(contract, template.language, False)
        inputs["reference"] = f"SPÉCIMEN · modèle {name} · {contract.reference}"
    else:
        inputs = _fictitious_inputs(template, f"SPÉCIMEN · modèle {name}")
    return documents.html_from_inputs(inputs, template_name=documents.BASE_TEMPLATE, body_template=template)


def _fictitious_inputs(template: ContractTemplate, reference: str) -> dict:
    body = template.body
    company = {
        "pk": 1,
        "role": PartyRole.COMPANY,
        "is_company": True,
        "name": SPECIMEN_COMPANY,
        "short_name": SPECIMEN_COMPANY,
        "registration_number": "",
        "country": "France",
        "address": "",
        "office": "",
        "signatory": "",
        "signatory_title": "",
        "delegation": "",
        "must_sign": True,
        "signs_through": "",
        "signs_for": [],
        "signature": None,
    }
    lead = {
        **company,
        "pk": 2,
        "role": PartyRole.LEAD_NEGOTIATOR,
        "is_company": False,
        "name": body.name,
        "short_name": body.short_name,
        "country": "",
        "address": body.address,
        "office": body.contracting_office,
        "signatory": body.signatory_name,
        "signatory_title": body.signatory_title,
        "delegation": body.signatory_delegation,
    }
    blank_view = {"t": {}, "per_party": {}, "rows": []}
    return {
        "format": documents.FORMAT_VERSION,
        "kind": template.kind,
        "reference": reference,
        "language": template.language,
        "final": False,
        "project": "Projet fictif (spécimen)",
        "amends": None,
        "entity": {"name": "Entité de recherche (spécimen)", "code": ""},
        "parties": [company, lead],
        "terms": {},
        "views": {"fr": blank_view, **({"en": blank_view} if template.language == "en" else {})},
        "signatures": [],
    }
