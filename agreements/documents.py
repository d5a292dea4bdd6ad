"""Draft PDFs of contracts (DESIGN.md section 5): the HTML a contract's templates make, its content hash, and
WeasyPrint's rendering of it.

Everything a draft prints besides its templates is gathered in one place (``document_inputs``): the HTML is built
from it and the content hash is taken over it, so what is printed and what identifies an unchanged draft cannot
drift apart. Rendering happens in a Celery task (agreements.tasks), never in a request.

The renderer reads nothing but the portal's own static files: ``StaticOnlyFetcher`` refuses every other URL, so a
``file://``, ``http://`` or ``data:`` URL can never make it read a local file or reach a network address. User
text is escaped by the templates (autoescape on), so it cannot add an element or a style that would fetch at all.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import mimetypes
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template import Context, TemplateDoesNotExist, engines, loader
from django.utils import timezone, translation
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from .choices import PartyRole
from .terms import KINDS

if TYPE_CHECKING:
    from .models import Agreement, ContractTemplate, DraftVersion

# Bump when this module changes what a draft prints (formatting, inputs): every draft then renders anew once.
FORMAT_VERSION = 1

TEMPLATE_DIR = "agreements/pdf"
BASE_TEMPLATE = f"{TEMPLATE_DIR}/base.html"
STYLESHEET = "css/print.css"
# The address the HTML's relative URLs resolve against: a reserved name (RFC 2606) that never resolves, so even a
# URL the fetcher let through could not reach a network; the fetcher serves it from the static folders instead.
PDF_ORIGIN = "https://portal.invalid"
PDF_BASE_URL = f"{PDF_ORIGIN}/"
# The document's own languages: "fr" is French alone, "en" French with English after it (the French prevails).
LANGUAGES = ("fr", "en")
PARTY_ORDER = {PartyRole.COMPANY: 0, PartyRole.LEAD_NEGOTIATOR: 1, PartyRole.CO_OWNER: 2}
# Terms a kind's template prints in full in an annex of their own (pages of a work plan): the summary of terms
# refers to that annex instead of printing them twice. A kind absent here has every term in the summary.
IN_ITS_OWN_ANNEX = {
    "research_collaboration": {
        key: {
            "fr": "Texte intégral à l’annexe « Programme scientifique ».",
            "en": "In full in the annex “Scientific programme”.",
        }
        for key in ("work_plan", "deliverables")
    },
    "patent_licence": {
        "diligence_plan": {
            "fr": "Texte intégral à l’annexe « Plan de développement ».",
            "en": "In full in the annex “Development plan”.",
        }
    },
    "cifre": {
        "research_programme": {
            "fr": "Texte intégral à l’annexe « Programme de la thèse ».",
            "en": "In full in the annex “Thesis programme”.",
        }
    },
    "industrial_chair": {
        key: {
            "fr": "Texte intégral à l’annexe « Programme de la chaire ».",
            "en": "In full in the annex “Programme of the chair”.",
        }
        for key in ("research_programme", "teaching_programme")
    },
    "joint_lab": {
        "roadmap": {
            "fr": "Texte intégral à l’annexe « Feuille de route ».",
            "en": "In full in the annex “Roadmap”.",
        }
    },
}


# ---- the fetcher ------------------------------------------------------------------------------------------------
class RefusedURL(ValueError):
    """A URL the renderer may not read; WeasyPrint logs it and renders the resource as nothing."""


def static_file_for(url: str) -> Path:
    """The file under the project's static folders that ``url`` names, or RefusedURL.

    Only ``https://portal.invalid/static/<path>`` passes (what ``/static/<path>`` in the HTML resolves to), without
    a query, a fragment, ``..`` or a backslash; the file must be found by the staticfiles finders AND lie, once
    symbolic links are resolved, inside one of ``STATICFILES_DIRS`` (not in an app's or a package's folder)."""
    parts = urlsplit(url)
    if f"{parts.scheme}://{parts.netloc}" != PDF_ORIGIN or parts.query or parts.fragment:
        raise RefusedURL(f"not one of the portal's static files: {url[:200]}")
    prefix = "/" + settings.STATIC_URL.strip("/") + "/"
    path = unquote(parts.path)
    if not path.startswith(prefix):
        raise RefusedURL(f"not one of the portal's static files: {url[:200]}")
    relative = path[len(prefix) :]
    segments = relative.split("/")
    if not relative or "\\" in relative or "\x00" in relative or any(s in ("", ".", "..") for s in segments):
        raise RefusedURL(f"not a plain static path: {url[:200]}")
    found = finders.find(relative)
    if not found:
        raise RefusedURL(f"no such static file: {relative[:200]}")
    real = Path(found).resolve()
    roots = [
        Path(entry[1] if isinstance(entry, tuple | list) else entry).resolve() for entry in settings.STATICFILES_DIRS
    ]
    if not real.is_file() or not any(real.is_relative_to(root) for root in roots):
        raise RefusedURL(f"outside the portal's static folders: {relative[:200]}")
    return real


class StaticOnlyFetcher(URLFetcher):
    """WeasyPrint's URL fetcher, narrowed to the portal's static files. ``fetch`` never calls the parent's (which
    opens files, data: URLs and network addresses): every URL goes through ``static_file_for`` or is refused."""

    def __init__(self) -> None:
        super().__init__(timeout=1, allowed_protocols=("https",), allow_redirects=False, fail_on_errors=False)

    def fetch(self, url, headers=None):
        path = static_file_for(url)
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": content_type})


@dataclass(frozen=True)
class Rendered:
    pdf: bytes
    pages: int


def render(html: str, *, url_fetcher: URLFetcher | None = None) -> Rendered:
    """The PDF of ``html`` and its page count, resources read through the static-only fetcher."""
    document = HTML(string=html, base_url=PDF_BASE_URL, url_fetcher=url_fetcher or StaticOnlyFetcher()).render()
    return Rendered(pdf=document.write_pdf(), pages=len(document.pages))


def render_pdf(html: str) -> bytes:
    return render(html).pdf


# ---- what a draft prints ----------------------------------------------------------------------------------------
AMENDMENT_TEMPLATE = "amendment"  # an amendment of any kind prints the terms it changes, not the whole contract


def template_name(agreement: Agreement, language: str) -> str:
    """``<kind>_fr.html`` for French alone, ``<kind>_en.html`` (which extends the French) for both languages;
    ``amendment_<language>.html`` for an amendment, whatever the kind it amends."""
    spec = KINDS.get(agreement.kind)
    if spec is None:
        raise LookupError(f"no draft template for contracts of kind {agreement.kind!r}")
    if language not in LANGUAGES:
        raise LookupError(f"no draft template in language {language!r}")
    base = AMENDMENT_TEMPLATE if agreement.amends_id else spec.template
    return f"{TEMPLATE_DIR}/{base}_{language}.html"


def _template_chain(agreement: Agreement, language: str) -> list[str]:
    names = [BASE_TEMPLATE, template_name(agreement, "fr")]
    if language == "en":
        names.append(template_name(agreement, "en"))
    return names


def _company_signatory(agreement: Agreement) -> tuple[str, str]:
    """The member marked as signing for the company, or else the person the enquiry named."""
    company = agreement.enquiry.company
    member = company.members.filter(is_signatory=True, user__is_active=True).select_related("user").order_by("pk")
    member = member.first()
    if member is not None:
        return member.user.get_full_name() or member.user.get_username(), member.job_title
    return agreement.enquiry.signatory_name, ""


def _country_in_french(country) -> str:
    """The country's name in French, whatever the language of the request that asks for the draft (django-countries
    reads the active language): the same draft must print, and hash, the same from any reader's page."""
    if not country:
        return ""
    with translation.override("fr"):
        return str(country.name)


def parties_of(agreement: Agreement) -> list[dict[str, Any]]:
    """The parties in the order the contract names them (company, lead body, co-owners), as plain data."""
    rows = sorted(
        agreement.parties.select_related("company", "body", "signs_through__body"),
        key=lambda p: (PARTY_ORDER.get(p.role, 9), p.pk),
    )
    signed_for: dict[int, list[str]] = {}
    for party in rows:
        if party.signs_through_id:
            signed_for.setdefault(party.signs_through_id, []).append(party.body.name)
    parties = []
    for party in rows:
        if party.role == PartyRole.COMPANY:
            company = party.company
            signatory, title = _company_signatory(agreement)
            parties.append(
                {
                    "pk": party.pk,
                    "role": party.role,
                    "is_company": True,
                    "name": company.legal_name,
                    "short_name": company.legal_name,
                    "registration_number": company.registration_number,
                    "country": _country_in_french(company.country),
                    "address": "",
                    "office": "",
                    "signatory": signatory,
                    "signatory_title": title,
                    "delegation": "",
                    "must_sign": party.must_sign,
                    "signs_through": "",
                    "signs_for": [],
                }
            )
            continue
        body = party.body
        parties.append(
            {
                "pk": party.pk,
                "role": party.role,
                "is_company": False,
                "name": body.name,
                "short_name": body.short_name,
                "registration_number": "",
                "country": "",
                "address": body.address,
                "office": body.contracting_office,
                "signatory": body.signatory_name,
                "signatory_title": body.signatory_title,
                "delegation": body.signatory_delegation,
                "must_sign": party.must_sign,
                "signs_through": party.signs_through.body.name if party.signs_through_id else "",
                "signs_for": signed_for.get(party.pk, []),
            }
        )
    return parties


def _display(field, value: Any) -> str:
    """A stored term in words, in the active language: the terms form's own display, after parsing what JSON
    stores as strings (dates, amounts); lists and maps item by item."""
    from django import forms

    from .terms import TermsForm

    if isinstance(value, list):
        return "; ".join(_display(field, item) for item in value)
    if isinstance(value, dict):
        return "; ".join(f"{key}: {_display(field, item)}" for key, item in value.items())
    try:
        if isinstance(field, forms.DecimalField) and isinstance(value, str):
            value = Decimal(value)
        elif isinstance(field, forms.DateField) and isinstance(value, str):
            value = dt.date.fromisoformat(value)
    except (InvalidOperation, ValueError):
        return str(value)
    if field is None and not isinstance(value, bool):
        return str(value)
    return TermsForm.display(field, value)


def _humanise(key: str) -> str:
    return key.replace("_", " ").strip().capitalize()


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str | list | dict) and not value)


@dataclass(frozen=True)
class Term:
    """One entered term in words: ``key`` as stored (``background`` for all its parties), ``field`` as the form
    names it (``background_12`` for one party's), and ``party`` for a per-party term."""

    key: str
    field: str
    label: str
    value: str
    party: str = ""


def terms_in_words(
    agreement: Agreement, terms: dict[str, Any] | None = None, *, party_names: dict[str, str] | None = None
) -> list[Term]:
    """``terms`` (the agreement's own by default) in words, in the active language and in the form's order. A key
    the kind's form does not know is still given, under its key in words, after the others: nothing entered is
    silently dropped."""
    terms = agreement.terms if terms is None else terms
    if party_names is None:
        party_names = {str(p["pk"]): p["name"] for p in parties_of(agreement)}
    order = list(party_names)
    spec = KINDS.get(agreement.kind)
    form = spec.form(agreement=agreement) if spec else None
    fields = form.fields if form else {}
    party_fields = set(form.party_fields) if form else set()
    position = {name: i for i, name in enumerate(form.field_names())} if form else {}
    ranked: list[tuple[int, Term]] = []
    for key, value in (terms or {}).items():
        if _is_empty(value):
            continue
        if key in party_fields and isinstance(value, dict):
            for pk in [*order, *(k for k in value if k not in order)]:
                if _is_empty(value.get(pk)):
                    continue
                name, party = f"{key}_{pk}", party_names.get(pk, pk)
                field = fields.get(name)
                label = str(field.label) if field is not None else f"{_humanise(key)} ({party})"
                ranked.append(
                    (position.get(name, len(position)), Term(key, name, label, _display(field, value[pk]), party))
                )
            continue
        field = fields.get(key)
        label = str(field.label) if field is not None else _humanise(key)
        ranked.append((position.get(key, len(position)), Term(key, key, label, _display(field, value))))
    ranked.sort(key=lambda item: item[0])  # stable: unknown keys keep their stored order, after the known ones
    return [term for _rank, term in ranked]


def _terms_view(agreement: Agreement, language: str, parties: list[dict[str, Any]]) -> dict[str, Any]:
    """The terms as the templates print them, in ``language``: ``t`` (each term in words, by key), ``per_party``
    (a per-party term as [{party, value}] in party order) and ``rows`` ([label, value] of every term present, for
    the annex)."""
    with translation.override(language):
        terms = terms_in_words(agreement, party_names={str(p["pk"]): p["name"] for p in parties})
    t: dict[str, str] = {}
    per_party: dict[str, list[dict[str, str]]] = {}
    for term in terms:
        if term.party:
            per_party.setdefault(term.key, []).append({"party": term.party, "value": term.value})
        else:
            t[term.key] = term.value
    # an amendment has no such annex: its summary gives every term in full
    annexed = {} if agreement.amends_id else IN_ITS_OWN_ANNEX.get(agreement.kind, {})
    rows = [[term.label, annexed[term.key][language] if term.key in annexed else term.value] for term in terms]
    view = {"t": t, "per_party": per_party, "rows": rows}
    if agreement.amends_id:
        with translation.override(language):
            view["changes"] = amended_terms(agreement, parties)
    return view


def amended_terms(agreement: Agreement, parties: list[dict[str, Any]]) -> list[list[str]]:
    """What an amendment changes: [label, value in the contract it amends, value as amended] for each term that
    differs, in the form's order and the active language ("—" where one side has no such term)."""
    from .amendments import terms_before  # the amendments module builds on this one

    names = {str(p["pk"]): p["name"] for p in parties}
    # per-party terms are keyed by the amendment's own parties: the parent's are matched to them by body/company.
    # Once in force the parent carries the amended terms: what they replaced is read from before it.
    before_terms = terms_before(agreement)
    old = {t.field: t for t in terms_in_words(agreement, before_terms, party_names=names)}
    new = {t.field: t for t in terms_in_words(agreement, party_names=names)}
    rows = []
    for field in [*new, *(f for f in old if f not in new)]:
        was, now = old.get(field), new.get(field)
        if was is None or now is None or was.value != now.value:
            rows.append([(now or was).label, was.value if was else "—", now.value if now else "—"])
    return rows


def _rekey_parties(parent: Agreement, agreement: Agreement, terms: dict[str, Any]) -> dict[str, Any]:
    """``terms`` of ``parent`` with per-party values keyed by the matching parties of ``agreement`` (same company
    or body): an amendment has parties of its own, copied from the contract it amends."""
    own = {(p.company_id, p.body_id): str(p.pk) for p in agreement.parties.all()}
    theirs = {str(p.pk): own.get((p.company_id, p.body_id)) for p in parent.parties.all()}
    rekeyed: dict[str, Any] = {}
    for key, value in terms.items():
        if isinstance(value, dict) and value and all(k in theirs for k in value):
            rekeyed[key] = {theirs[k]: v for k, v in value.items() if theirs[k] is not None}
        else:
            rekeyed[key] = value
    return rekeyed


def signatures_of(agreement: Agreement) -> list[dict[str, Any]]:
    """The signatures recorded on the contract, oldest first, as the final PDF prints them."""
    rows = agreement.signatures.select_related("party__company", "party__body", "version").order_by("signed_at", "pk")
    return [
        {
            "party_pk": s.party_id,
            "party": s.party.company.legal_name if s.party.company_id else s.party.body.name,
            "signer_name": s.signer_name,
            "signer_title": s.signer_title,
            "signed_at": timezone.localtime(s.signed_at).isoformat(),
            "ip_address": s.ip_address or "",
            "electronic": not s.wet_scan,
            "version": s.version.number,
            "pdf_sha256": s.pdf_sha256,
        }
        for s in rows
    ]


def _amended_contract(agreement: Agreement) -> dict[str, Any] | None:
    """The contract an amendment changes, as the amendment names it."""
    parent = agreement.amends
    if parent is None:
        return None
    with translation.override("fr"):
        kind_fr = str(parent.get_kind_display())
    with translation.override("en"):
        kind_en = str(parent.get_kind_display())
    return {
        "reference": parent.reference,
        "kind_fr": kind_fr,
        "kind_en": kind_en,
        "in_force_on": timezone.localtime(parent.in_force_at).date().isoformat() if parent.in_force_at else "",
        "number": agreement.amendment_number,
    }


def document_inputs(agreement: Agreement, language: str, final: bool) -> dict[str, Any]:
    """Everything a draft prints besides its templates and its version row, as plain JSON-safe data. A final
    version carries the signatures (a draft is what is being signed: it has none)."""
    parties = parties_of(agreement)
    enquiry = agreement.enquiry
    views = {"fr": _terms_view(agreement, "fr", parties)}
    if language == "en":
        views["en"] = _terms_view(agreement, "en", parties)
    signatures = signatures_of(agreement) if final else []
    signed = {s["party_pk"]: s for s in signatures}
    for party in parties:
        party["signature"] = signed.get(party["pk"])
    return {
        "format": FORMAT_VERSION,
        "kind": agreement.kind,
        "reference": agreement.reference,
        "language": language,
        "final": bool(final),
        "project": enquiry.title,
        "amends": _amended_contract(agreement),
        "entity": {"name": agreement.entity.name, "code": agreement.entity.code},
        "parties": parties,
        "terms": agreement.terms or {},
        "views": views,
        "signatures": signatures,
    }


def _template_file(name: str) -> Path:
    """Where template ``name`` is read from, found as the engine would find it but without compiling it: a
    template with an error is then reported by the task that renders it (a failed version), not by the request
    that asks for it."""
    engine = engines["django"].engine
    for template_loader in engine.template_loaders:
        for origin in template_loader.get_template_sources(name):
            if Path(origin.name).is_file():
                return Path(origin.name)
    raise TemplateDoesNotExist(name)


def _template_sources(
    agreement: Agreement, language: str, body_template: ContractTemplate | None = None
) -> list[tuple[str, bytes]]:
    """The portal's chain of templates, and a governing body's version (its source, under its own id) when the
    draft is made from one: a body's version may extend any of the portal's kind templates."""
    sources = [(name, _template_file(name).read_bytes()) for name in _template_chain(agreement, language)]
    if body_template is not None:
        sources.append((f"contract-template:{body_template.pk}", body_template.source.encode()))
    stylesheet = finders.find(STYLESHEET)
    sources.append((STYLESHEET, Path(stylesheet).read_bytes() if stylesheet else b""))
    return sources


class _Current:
    """The ``body_template`` default: the lead negotiator's version in use now (agreements.body_templates)."""

    def __repr__(self) -> str:
        return "CURRENT"


CURRENT: Any = _Current()


def body_template_for(agreement: Agreement, language: str) -> ContractTemplate | None:
    from .body_templates import template_for  # that module builds on this one

    return template_for(agreement, language)


def content_hash(agreement: Agreement, language: str, final: bool, *, body_template=CURRENT) -> str:
    """SHA-256 over what a draft is made from: its inputs (terms, parties and their signatories, language, final or
    not) and the source of its templates and stylesheet, a governing body's version included. Equal hashes print
    the same text."""
    if body_template is CURRENT:
        body_template = body_template_for(agreement, language)
    digest = hashlib.sha256()
    inputs = document_inputs(agreement, language, final)
    digest.update(json.dumps(inputs, sort_keys=True, ensure_ascii=False, default=str).encode())
    for name, source in _template_sources(agreement, language, body_template):
        digest.update(b"\0" + name.encode() + b"\0" + hashlib.sha256(source).digest())
    return digest.hexdigest()


def build_html(
    agreement: Agreement,
    language: str,
    final: bool,
    *,
    version: DraftVersion | None = None,
    body_template=CURRENT,
) -> str:
    """The draft's HTML: the kind's template in ``language`` (or the lead negotiator's own version of it: the one
    ``version`` was made from, else the one in use), extending the one base with the print stylesheet.
    ``version`` gives the footer its number, date and content hash (without one: a preview, numbered "–")."""
    if body_template is CURRENT:
        body_template = version.body_template if version is not None else body_template_for(agreement, language)
    inputs = document_inputs(agreement, language, final)
    return html_from_inputs(
        inputs, template_name=template_name(agreement, language), version=version, body_template=body_template
    )


def html_from_inputs(
    inputs: dict[str, Any],
    *,
    template_name: str,
    version: DraftVersion | None = None,
    body_template: ContractTemplate | None = None,
) -> str:
    """The HTML of ``inputs`` (as ``document_inputs`` gives them) through the portal's template ``template_name``,
    or through a governing body's version, compiled by its restricted engine (agreements.body_templates)."""
    made = timezone.localtime(version.created_at) if version is not None else timezone.localtime()
    signatures = [{**s, "signed_at": dt.datetime.fromisoformat(s["signed_at"])} for s in inputs["signatures"]]
    by_party = {s["party_pk"]: s for s in signatures}
    parties = [{**p, "signature": by_party.get(p["pk"])} for p in inputs["parties"]]
    context = {
        "doc": inputs,
        "parties": parties,
        "signing_parties": [p for p in parties if p["must_sign"]],
        "fr": inputs["views"]["fr"],
        "en": inputs["views"].get("en"),
        "bilingual": inputs["language"] == "en",
        "final": bool(inputs["final"]),
        "raw": inputs["terms"],
        "signatures": signatures,
        "version_number": version.number if version is not None else None,
        "content_hash": (version.content_hash if version is not None else "")[:16],
        "made_on": made.date(),
        "stylesheet": f"/{settings.STATIC_URL.strip('/')}/{STYLESHEET}",
    }
    with translation.override("fr"):
        if body_template is not None:
            from .body_templates import compile_template

            return compile_template(body_template).render(Context(context))
        return loader.render_to_string(template_name, context)
