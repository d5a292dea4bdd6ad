"""Draft versions of a contract (DESIGN.md section 5): asking for one, making it, trying again, downloading one,
comparing two. Views, the admin and the task call these.

A version row is written at once (status "rendering") and the PDF is made by a Celery task after the commit,
never in a request. Asking again for a text that has not changed (same content hash: terms, parties,
signatories, language, templates) gives back the version already made or being made: it is rendered once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from dataclasses import dataclass

from celery.exceptions import SoftTimeLimitExceeded
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from partners.rules import is_central_team, is_legal_staff

from . import body_templates, documents, rules
from .choices import ContractStage
from .models import Agreement, DraftDownload, DraftVersion
from .terms import KINDS
from .workflow import WorkflowError

log = logging.getLogger(__name__)

V = DraftVersion.Status
# The task's limits (agreements.tasks). A version still "rendering" well past the hard limit was lost with its
# worker (killed mid-render): it may be tried again like a failed one.
SOFT_TIME_LIMIT = 60
HARD_TIME_LIMIT = 90
STUCK_AFTER = dt.timedelta(minutes=10)
ERROR_MAX_LENGTH = 2000
# Before the text first goes to the company, its versions are the legal staff's working drafts.
COMPANY_NOT_YET = frozenset(
    {ContractStage.REQUESTED, ContractStage.SCOPING, ContractStage.DRAFTING, ContractStage.INTERNAL_REVIEW}
)


# ---- asking for a version -----------------------------------------------------------------------------------
def draft_request(
    *, agreement: Agreement, actor, language: str | None = None, final: bool | None = None
) -> DraftVersion:
    """A PDF of the contract as its terms stand, in ``language`` (the contract's own by default). Final (no
    watermark, the signatures recorded on it) once the contract has been in force, unless ``final`` says.
    Legal staff of the lead body and the central team make versions; the company reads the ones they made.
    ``actor`` None is the portal itself: the last signature asks for the final PDF. The version returned says
    whether it was made before (``reused``) or is new."""
    language = language or agreement.language
    if actor is not None and not rules.can_draft(agreement, actor):
        raise PermissionDenied(_("You may not make a draft of contract %(ref)s.") % {"ref": agreement.reference})
    if agreement.kind not in KINDS:
        raise WorkflowError(_("There is no template for this kind of contract yet: no draft can be made."))
    if language not in documents.LANGUAGES:
        raise ValidationError(_("Drafts are made in French, or in French and English."))
    with transaction.atomic():
        # the lock makes two clicks at the same moment find each other's version instead of making two
        locked = Agreement.objects.select_for_update().select_related("enquiry__company", "entity").get(pk=agreement.pk)
        if locked.stage == ContractStage.CANCELLED:
            raise WorkflowError(_("Contract %(ref)s is cancelled: no new draft.") % {"ref": locked.reference})
        final = locked.in_force_at is not None if final is None else final
        if final:
            # A final PDF prints what the parties signed: the terms of the version they signed, not terms an
            # amendment in force has changed since (the amendment is a signed text of its own).
            from .signatures import version_to_sign  # signatures asks this module for the final PDF

            signed = version_to_sign(locked)
            if signed is not None and signed.is_final is False:
                locked.terms = signed.terms
        body_template = _body_template(locked, language, final)
        digest = documents.content_hash(locked, language, final, body_template=body_template)
        same = locked.versions.filter(content_hash=digest, status__in=[V.READY, V.RENDERING]).order_by("-number")
        existing = same.first()
        if existing is not None:
            existing.reused = True
            return existing
        number = (locked.versions.aggregate(last=Max("number"))["last"] or 0) + 1
        version = DraftVersion.objects.create(
            agreement=locked,
            number=number,
            language=language,
            status=V.RENDERING,
            content_hash=digest,
            terms=locked.terms or {},
            template_name=(
                documents.template_name(locked, language)
                if body_template is None
                else body_templates.label(body_template)
            ),
            body_template=body_template,
            is_final=final,
            requested_by=actor,
        )
        version.reused = False
        _queue(version)
    return version


def _body_template(agreement: Agreement, language: str, final: bool):
    """The lead negotiator's template version in use for the contract's kind and language (None: the portal's).
    A final version prints the text that was signed: it keeps the template of the version signed last, even if
    the body has put another in use since."""
    if final:
        signed = agreement.signatures.select_related("version__body_template").order_by("-signed_at", "-pk").first()
        if signed is not None and signed.version.language == language:
            return signed.version.body_template
    return documents.body_template_for(agreement, language)


def draft_retry(*, version: DraftVersion, actor) -> DraftVersion:
    """Make a failed version again (or one whose worker was lost mid-render), under the same number."""
    with transaction.atomic():
        locked = DraftVersion.objects.select_for_update().select_related("agreement").get(pk=version.pk)
        if not rules.can_draft(locked.agreement, actor):
            raise PermissionDenied(
                _("You may not make a draft of contract %(ref)s.") % {"ref": locked.agreement.reference}
            )
        if not is_retryable(locked):
            raise WorkflowError(
                _("Version %(number)s is “%(status)s”: there is nothing to try again.")
                % {"number": locked.number, "status": locked.get_status_display()}
            )
        locked.status, locked.error = V.RENDERING, ""
        locked.save(update_fields=["status", "error"])
        _queue(locked)
    return locked


def is_retryable(version: DraftVersion) -> bool:
    stuck = version.status == V.RENDERING and version.created_at < timezone.now() - STUCK_AFTER
    return version.status == V.FAILED or stuck


def _queue(version: DraftVersion) -> None:
    from . import tasks  # the task module imports this one

    version_id = version.pk
    # robust: with the broker down the request still answers (the error is logged); the version then waits in
    # "rendering" until STUCK_AFTER, when it may be tried again
    transaction.on_commit(lambda: tasks.render_draft.delay(version_id), robust=True)


# ---- making it (the task) -----------------------------------------------------------------------------------
def draft_render(version_id: int) -> str:
    """Render a version still "rendering" and store its PDF, SHA-256 and page count; or record why it failed.
    Safe to run twice: a version already ready or failed is left as it is ("skipped"). Renders outside any
    transaction (it takes a while), then stores under the row's lock."""
    version = (
        DraftVersion.objects.select_related("agreement__enquiry__company", "agreement__entity", "body_template")
        .filter(pk=version_id)
        .first()
    )
    if version is None or version.status != V.RENDERING:
        return "skipped"
    agreement = version.agreement
    agreement.terms = version.terms  # the terms it was asked with, not edits made since
    try:
        html = documents.build_html(agreement, version.language, version.is_final, version=version)
        rendered = documents.render(html)
    except SoftTimeLimitExceeded:
        return _fail(version_id, _("Rendering took longer than %(seconds)s seconds.") % {"seconds": SOFT_TIME_LIMIT})
    except Exception as error:
        log.exception("draft %s v%s failed to render", agreement.reference, version.number)
        return _fail(version_id, f"{type(error).__name__}: {error}")
    with transaction.atomic():
        locked = DraftVersion.objects.select_for_update().get(pk=version_id)
        if locked.status != V.RENDERING:
            return "skipped"
        locked.pdf.save(f"{agreement.reference}-v{locked.number}.pdf", ContentFile(rendered.pdf), save=False)
        locked.sha256 = hashlib.sha256(rendered.pdf).hexdigest()
        locked.pages = rendered.pages
        locked.status, locked.error = V.READY, ""
        locked.rendered_at = timezone.now()
        locked.save(update_fields=["pdf", "sha256", "pages", "status", "error", "rendered_at"])
    log.info("draft %s v%s ready: %s pages, sha256 %s", agreement.reference, locked.number, locked.pages, locked.sha256)
    return "ready"


def _fail(version_id: int, error: str) -> str:
    with transaction.atomic():
        locked = DraftVersion.objects.select_for_update().get(pk=version_id)
        if locked.status != V.RENDERING:
            return "skipped"
        locked.status, locked.error = V.FAILED, error[:ERROR_MAX_LENGTH]
        locked.rendered_at = timezone.now()
        locked.save(update_fields=["status", "error", "rendered_at"])
    return "failed"


# ---- reading versions ---------------------------------------------------------------------------------------
def may_see_versions(agreement: Agreement, user) -> bool:
    """The central team and the legal staff of every body party to the contract see all its versions."""
    return is_central_team(user) or (is_legal_staff(user) and agreement.parties.filter(body__legal_staff=user).exists())


def versions_downloadable_by(agreement: Agreement, user) -> QuerySet[DraftVersion]:
    """Ready versions ``user`` may download: all of them for the central team and the parties' legal staff; for
    the company's members, those of a contract whose text has gone to the company; none for anyone else (an
    entity's scientific contact included: the text is the legal staff's)."""
    ready = agreement.versions.filter(status=V.READY)
    if not user or not user.is_authenticated or not user.is_active:
        return ready.none()
    if may_see_versions(agreement, user):
        return ready
    if rules.is_member_of_the_company(agreement, user) and agreement.stage not in COMPANY_NOT_YET:
        return ready
    return ready.none()


def draft_download(*, agreement: Agreement, number: int, user) -> DraftVersion:
    """Version ``number`` of ``agreement`` if ``user`` may download it (DraftVersion.DoesNotExist otherwise: the
    views answer 404), its download recorded and logged."""
    version = versions_downloadable_by(agreement, user).get(number=number)
    DraftDownload.objects.create(version=version, user=user)
    log.info(
        "draft downloaded: %s v%s (sha256 %s) by user %s (%s)",
        agreement.reference,
        version.number,
        version.sha256,
        user.pk,
        user.get_username(),
    )
    return version


@dataclass(frozen=True)
class TermChange:
    label: str
    before: str
    after: str


def draft_compare(before: DraftVersion, after: DraftVersion) -> list[TermChange]:
    """The terms that differ between two versions of one contract, in the form's order, in the reader's language
    ("—" where a version has no such term). The language of the text counts too."""
    agreement = after.agreement
    names = {str(p["pk"]): p["name"] for p in documents.parties_of(agreement)}
    old = {t.field: t for t in documents.terms_in_words(agreement, before.terms, party_names=names)}
    new = {t.field: t for t in documents.terms_in_words(agreement, after.terms, party_names=names)}
    changes = []
    if before.language != after.language:
        languages = dict(Agreement._meta.get_field("language").choices)
        changes.append(
            TermChange(_("Language of the text"), str(languages[before.language]), str(languages[after.language]))
        )
    for field in [*new, *(f for f in old if f not in new)]:
        was, now = old.get(field), new.get(field)
        if was is None or now is None or was.value != now.value:
            label = (now or was).label
            changes.append(TermChange(label, was.value if was else "—", now.value if now else "—"))
    return changes
