"""The signature circuit (issue 5, "Signature"): who must sign a contract, who has, and the signing itself.

A simple electronic signature recorded honestly: the signer types their name and title and ticks an explicit
consent box; the portal adds the time, the IP address and the SHA-256 of the exact PDF signed, in a ``Signature``
row that is never changed. A governing body's legal staff may instead upload the scan of a hand-signed copy.

Who signs (DOMAIN.md section 1): only the parties. For the company, a member marked as its signatory; for a
governing body, its legal staff (its contracting office, acting under the body's recorded delegation), the lead
body's covering the co-owners that gave it a mandate. The OPALE central team is a facilitator, not a party: it
never signs, not even on a body's behalf.

When: an NDA is signed by the company first (in "agreed"; its signature moves the NDA to "signed by the company"),
then by the academic parties; an agreement by every party, in any order, once the signature circuit is open.
The last signature puts the contract in force and asks for its final PDF, in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from partners.attachments import sniff
from partners.rules import is_legal_staff

from . import approvals, workflow
from .choices import AgreementKind, ContractStage, PartyRole
from .models import Agreement, AgreementParty, DraftVersion, Signature
from .workflow import WorkflowError

C = ContractStage
# Parties in the order the contract names them: the company, the lead body, the co-owners.
PARTY_ORDER = {PartyRole.COMPANY: 0, PartyRole.LEAD_NEGOTIATOR: 1, PartyRole.CO_OWNER: 2}


# ---- the circuit ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Signatory:
    """A party that must sign, and where it stands: its signature once given, the co-owners it signs for."""

    party: AgreementParty
    signature: Signature | None
    signs_for: list[AgreementParty] = field(default_factory=list)

    @property
    def signed(self) -> bool:
        return self.signature is not None

    @property
    def name(self) -> str:
        return party_name(self.party)


def party_name(party: AgreementParty) -> str:
    return str(party.company.legal_name if party.role == PartyRole.COMPANY else party.body.name)


def signatories(agreement: Agreement) -> list[Signatory]:
    """The parties that must sign, in the contract's order: the company, the lead negotiator, and each co-owner
    that no mandate lets the lead sign for. Two queries (parties, signatures)."""
    parties = sorted(
        agreement.parties.select_related("company", "body"), key=lambda p: (PARTY_ORDER.get(p.role, 9), p.pk)
    )
    signatures = {s.party_id: s for s in Signature.objects.filter(agreement_id=agreement.pk).select_related("version")}
    covered: dict[int, list[AgreementParty]] = {}
    for party in parties:
        if party.signs_through_id:
            covered.setdefault(party.signs_through_id, []).append(party)
    return [
        Signatory(party=p, signature=signatures.get(p.pk), signs_for=covered.get(p.pk, []))
        for p in parties
        if p.must_sign
    ]


def awaited(agreement: Agreement) -> list[AgreementParty]:
    """The parties whose signature is still missing."""
    return [s.party for s in signatories(agreement) if not s.signed]


def signing_stage(agreement: Agreement, party: AgreementParty) -> str:
    """The stage in which ``party`` signs: the NDA's company in "agreed", the NDA's academic parties once the
    company has signed; every party of an agreement while its circuit is open."""
    if agreement.kind == AgreementKind.NDA:
        return C.AGREED if party.role == PartyRole.COMPANY else C.SIGNED_BY_COMPANY
    return C.IN_SIGNATURE


def may_sign_now(agreement: Agreement, party: AgreementParty) -> bool:
    return party.must_sign and agreement.stage == signing_stage(agreement, party)


def version_to_sign(agreement: Agreement) -> DraftVersion | None:
    """The PDF each party signs: the one the first signatures were given on, otherwise the latest ready draft.
    Every signature is on the same PDF, even if someone made another version in between."""
    first = Signature.objects.filter(agreement_id=agreement.pk).order_by("signed_at", "pk").first()
    if first is not None:
        return first.version
    return (
        DraftVersion.objects.filter(agreement_id=agreement.pk, status=DraftVersion.Status.READY, is_final=False)
        .order_by("-number")
        .first()
    )


def company_signatories(agreement: Agreement) -> list[str]:
    """The names of the company's members who may sign for it."""
    members = agreement.enquiry.company.members.filter(is_signatory=True, user__is_active=True).select_related("user")
    return [m.user.get_full_name() or m.user.get_username() for m in members.order_by("user__last_name", "pk")]


def may_sign_for(party: AgreementParty, user) -> bool:
    """Whether ``user`` may sign for ``party``: a signatory member of the company, or the body's legal staff."""
    if not user or not user.is_authenticated or not user.is_active or not party.must_sign:
        return False
    if party.role == PartyRole.COMPANY:
        membership = getattr(user, "company_membership", None)
        return membership is not None and membership.company_id == party.company_id and membership.is_signatory
    return is_legal_staff(user) and party.body.legal_staff.filter(pk=user.pk).exists()


def parties_user_may_sign_now(
    agreement: Agreement, user, circuit: list[Signatory] | None = None
) -> list[AgreementParty]:
    """The parties ``user`` may sign for now (the stage allows it and they have not signed yet); ``circuit`` is
    ``signatories(agreement)`` when the caller has it already."""
    return [
        s.party
        for s in (signatories(agreement) if circuit is None else circuit)
        if not s.signed and may_sign_now(agreement, s.party) and may_sign_for(s.party, user)
    ]


# ---- signing ----------------------------------------------------------------------------------------------------
def agreement_sign(
    *,
    agreement: Agreement,
    party: AgreementParty,
    actor,
    signer_name: str,
    signer_title: str,
    consent: bool,
    ip_address: str | None,
    version: DraftVersion,
    at: dt.datetime | None = None,
) -> Signature:
    """``actor`` signs ``version`` of ``agreement`` for ``party`` electronically. Refusals say why: the consent
    box, the version (it must be the ready PDF the circuit is on), who may sign, and when."""
    signer_name = (signer_name or "").strip()
    signer_title = (signer_title or "").strip()
    errors = {}
    if not signer_name:
        errors["signer_name"] = _("Type your name as you sign.")
    if not signer_title:
        errors["signer_title"] = _("Type your title: the capacity in which you sign.")
    if not consent:
        errors["consent"] = _("Tick the box to agree to sign electronically: without it nothing is signed.")
    if errors:
        raise ValidationError(errors)
    return _record_signature(
        agreement=agreement,
        party=party,
        actor=actor,
        at=at,
        version=version,
        fields={
            "signer_name": signer_name,
            "signer_title": signer_title,
            "consent": True,
            "ip_address": ip_address,
        },
    )


def agreement_upload_wet_signature(
    *,
    agreement: Agreement,
    party: AgreementParty,
    actor,
    scan: UploadedFile,
    signer_name: str = "",
    signer_title: str = "",
    ip_address: str | None = None,
    at: dt.datetime | None = None,
) -> Signature:
    """A governing body's legal staff record the scan of the copy their signatory signed by hand, instead of an
    electronic signature: a PDF (its type read from its content), within the attachments' size limit. The name
    and title are the body's recorded signatory's unless given. The scan is of the PDF the circuit is on."""
    if party.role == PartyRole.COMPANY:
        raise PermissionDenied(_("The company signs electronically on the portal: no scan is taken for it."))
    _check_signer(agreement, party, actor)  # before reading the file; checked again under the lock
    signer_name = (signer_name or party.body.signatory_name).strip()
    signer_title = (signer_title or party.body.signatory_title).strip()
    if not signer_name or not signer_title:
        raise ValidationError(
            _("Give the name and title of the person who signed for %(body)s by hand.") % {"body": party.body.name}
        )
    digest = _check_scan(scan)
    return _record_signature(
        agreement=agreement,
        party=party,
        actor=actor,
        at=at,
        version=None,
        fields={"signer_name": signer_name, "signer_title": signer_title, "consent": False, "ip_address": ip_address},
        scan=(f"{agreement.pk}-{party.pk}-{digest[:16]}.pdf", scan),
    )


def _check_scan(scan: UploadedFile) -> str:
    """A scan must be a PDF (read from its bytes) within the attachments' size limit; returns its SHA-256."""
    name = PurePath(scan.name or "scan").name
    limit = settings.ATTACHMENT_MAX_BYTES
    if scan.size > limit:
        raise ValidationError(
            _("“%(name)s” is %(size)s MB; a scan is limited to %(limit)d MB.")
            % {"name": name, "size": f"{scan.size / 2**20:.1f}", "limit": limit // 2**20}
        )
    if not scan.size:
        raise ValidationError(_("“%(name)s” is empty.") % {"name": name})
    if sniff(scan) != "pdf" or PurePath(name).suffix.lower() != ".pdf":
        raise ValidationError(_("“%(name)s” is not a PDF: scan the signed copy to PDF.") % {"name": name})
    digest = hashlib.sha256()
    for chunk in scan.chunks():
        digest.update(chunk)
    scan.seek(0)
    return digest.hexdigest()


def _record_signature(
    *, agreement: Agreement, party: AgreementParty, actor, at, version: DraftVersion | None, fields: dict, scan=None
) -> Signature:
    """Lock, check, record; then the NDA's move to "signed by the company", or entry into force after the last
    signature, in the same transaction. ``version`` None: the version the circuit is on (a scan)."""
    at = at or timezone.now()
    with transaction.atomic():
        locked = Agreement.objects.select_for_update().select_related("enquiry__company").get(pk=agreement.pk)
        party = AgreementParty.objects.select_related("company", "body").get(pk=party.pk, agreement=locked)
        _check_signer(locked, party, actor)
        _check_not_signed(locked, party)
        _check_stage(locked, party)
        version = _check_version(locked, version, scanned=scan is not None)
        signature = Signature(
            agreement=locked,
            party=party,
            version=version,
            signed_by=actor,
            pdf_sha256=version.sha256,
            signed_at=at,
            **{**fields, "ip_address": fields["ip_address"] or None},
        )
        if scan is not None:
            name, upload = scan
            signature.wet_scan.save(name, upload, save=False)
        try:
            with transaction.atomic():
                signature.save(force_insert=True)
        except IntegrityError:  # the same party signed at the very same moment elsewhere: theirs stands
            if signature.wet_scan:
                signature.wet_scan.delete(save=False)
            raise WorkflowError(
                _("%(party)s has already signed contract %(ref)s.")
                % {"party": party_name(party), "ref": locked.reference}
            ) from None
        _after_signature(locked, party, signature, actor, at)
    return signature


def _check_signer(agreement: Agreement, party: AgreementParty, actor) -> None:
    if not party.must_sign:
        lead = party.signs_through.body.name if party.signs_through_id else ""
        raise WorkflowError(
            _("%(body)s does not sign itself: %(lead)s signs for it under its mandate.")
            % {"body": party_name(party), "lead": lead}
        )
    if may_sign_for(party, actor):
        return
    if party.role == PartyRole.COMPANY:
        names = company_signatories(agreement)
        if names:
            raise PermissionDenied(
                _("Only a person who may sign for %(company)s signs this contract: %(names)s.")
                % {"company": party_name(party), "names": ", ".join(names)}
            )
        raise PermissionDenied(
            _(
                "Nobody is recorded yet as able to sign for %(company)s: ask the OPALE team to record who signs "
                "for your company."
            )
            % {"company": party_name(party)}
        )
    raise PermissionDenied(_("Only the legal staff of %(body)s may sign for it.") % {"body": party_name(party)})


def _check_not_signed(agreement: Agreement, party: AgreementParty) -> None:
    earlier = Signature.objects.filter(agreement=agreement, party=party).first()
    if earlier is not None:
        raise WorkflowError(
            _("%(party)s has already signed contract %(ref)s (%(name)s, %(date)s).")
            % {
                "party": party_name(party),
                "ref": agreement.reference,
                "name": earlier.signer_name,
                "date": date_format(timezone.localtime(earlier.signed_at), "DATETIME_FORMAT"),
            }
        )


def _check_stage(agreement: Agreement, party: AgreementParty) -> None:
    if agreement.stage == signing_stage(agreement, party):
        approvals.check_before_signature(agreement)  # recorded before the circuit opened; never undone since
        return
    if agreement.kind == AgreementKind.NDA and agreement.stage == C.AGREED:
        raise WorkflowError(_("The company signs the NDA first; the academic parties sign once it has."))
    raise WorkflowError(
        _("Contract %(ref)s is “%(stage)s”: it cannot be signed now.")
        % {"ref": agreement.reference, "stage": agreement.get_stage_display()}
    )


def _check_version(agreement: Agreement, version: DraftVersion | None, *, scanned: bool) -> DraftVersion:
    expected = version_to_sign(agreement)
    if expected is None or expected.status != DraftVersion.Status.READY:
        raise WorkflowError(
            _("Contract %(ref)s has no ready PDF to sign yet: the legal staff must make one first.")
            % {"ref": agreement.reference}
        )
    # The terms cannot change once the text is agreed, so this holds through the whole circuit: what is signed
    # is the text the company accepted, not a PDF made before the last round of changes.
    if expected.terms != (agreement.terms or {}):
        raise WorkflowError(
            _(
                "Version %(number)s of contract %(ref)s was made before its terms last changed: the legal staff "
                "must make a PDF of the current text before anyone signs."
            )
            % {"number": expected.number, "ref": agreement.reference}
        )
    if scanned:
        return expected
    if version.agreement_id != agreement.pk or version.status != DraftVersion.Status.READY:
        raise WorkflowError(_("This version of the contract is not ready to be signed."))
    if version.pk != expected.pk:
        raise WorkflowError(
            _("Version %(signed)s is not the one to sign: sign version %(expected)s, the latest. Reload the page.")
            % {"signed": version.number, "expected": expected.number}
        )
    return version


def _after_signature(agreement: Agreement, party: AgreementParty, signature: Signature, actor, at) -> None:
    if agreement.kind == AgreementKind.NDA and party.role == PartyRole.COMPANY:
        workflow._transition(
            agreement=agreement,
            actor=actor,
            name="sign_by_company",
            comment=_("Signed by %(name)s, %(title)s.")
            % {"name": signature.signer_name, "title": signature.signer_title},
            at=at,
        )
    if awaited(agreement):
        return
    # The portal itself moves the contract once the last signature is in (no one clicks "in force"): the
    # StageChange has no actor, the signatures say who signed.
    in_force = workflow.agreement_enter_into_force(agreement=agreement, actor=None, at=at)
    _request_final(in_force, signature.version)


def _request_final(agreement: Agreement, signed: DraftVersion) -> None:
    """The final PDF: no watermark, and a last page listing every signature. Rendered after the commit."""
    from .drafts import draft_request

    # actor None: the portal asks for it (the last signer may be the company, which makes no drafts)
    draft_request(agreement=agreement, actor=None, language=signed.language, final=True)
