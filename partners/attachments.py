"""Files companies share on an enquiry: the type is read from the content, never trusted from the name."""

from __future__ import annotations

import hashlib
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .choices import Confidentiality
from .models import Attachment, Enquiry

# What companies may send: detected type -> (MIME type, extensions the name may carry)
ACCEPTED = {
    "pdf": ("application/pdf", {".pdf"}),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", {".docx"}),
    "pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", {".pptx"}),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", {".xlsx"}),
    "png": ("image/png", {".png"}),
    "jpeg": ("image/jpeg", {".jpg", ".jpeg"}),
}
ACCEPTED_LABEL = "PDF, DOCX, PPTX, XLSX, PNG, JPEG"
# The same words as Attachment.clean: the company's form and the service refuse alike.
CONFIDENTIAL_BEFORE_NDA = gettext_lazy(
    "Confidential files are accepted only once an NDA is in force for this enquiry. "
    "Share a non-confidential version, or ask for an NDA first."
)
_OOXML_PARTS = {"docx": "word/document.xml", "pptx": "ppt/presentation.xml", "xlsx": "xl/workbook.xml"}


@dataclass(frozen=True)
class CheckedFile:
    name: str
    content_type: str
    size: int
    sha256: str


def sniff(upload: UploadedFile) -> str | None:
    """The file's real kind (a key of ACCEPTED) from its bytes, or None."""
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    extension = kind.extension if kind else None
    if extension in ("pdf", "png"):
        return extension
    if extension in ("jpg", "jpeg"):
        return "jpeg"
    if head.startswith(b"PK\x03\x04"):
        return _ooxml_kind(upload)
    return None


def _ooxml_kind(upload: UploadedFile) -> str | None:
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    finally:
        upload.seek(0)
    if "[Content_Types].xml" not in names:
        return None
    return next((kind for kind, part in _OOXML_PARTS.items() if part in names), None)


def check_upload(upload: UploadedFile, *, enquiry: Enquiry) -> CheckedFile:
    """Validate one uploaded file for ``enquiry``; the messages say what is wrong and what is accepted."""
    name = PurePath(upload.name or "file").name[:255]
    limit_mb = settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)
    if upload.size > settings.ATTACHMENT_MAX_BYTES:
        raise ValidationError(
            _("“%(name)s” is %(size)s MB; files are limited to %(limit)d MB each.")
            % {"name": name, "size": f"{upload.size / 1024 / 1024:.1f}", "limit": limit_mb},
            code="too_large",
        )
    if upload.size == 0:
        raise ValidationError(_("“%(name)s” is empty.") % {"name": name}, code="empty")
    if enquiry.attachments.count() >= settings.ATTACHMENTS_PER_ENQUIRY:
        raise ValidationError(
            _("An enquiry can carry at most %(n)d files; remove one before adding “%(name)s”.")
            % {"n": settings.ATTACHMENTS_PER_ENQUIRY, "name": name},
            code="too_many",
        )
    kind = sniff(upload)
    if kind is None:
        raise ValidationError(
            _("“%(name)s” is not a file type we accept: send %(types)s.") % {"name": name, "types": ACCEPTED_LABEL},
            code="bad_type",
        )
    mime, extensions = ACCEPTED[kind]
    if PurePath(name).suffix.lower() not in extensions:
        raise ValidationError(
            _("“%(name)s” has the extension of one file type but contains another (%(kind)s). Rename it and try again.")
            % {"name": name, "kind": kind.upper()},
            code="name_mismatch",
        )
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return CheckedFile(name=name, content_type=mime, size=upload.size, sha256=digest.hexdigest())


def attachment_add(
    *, enquiry: Enquiry, upload: UploadedFile, actor, message=None, confidentiality=Confidentiality.NON_CONFIDENTIAL
) -> Attachment:
    """Store a checked file on the enquiry; a confidential one only once an NDA covering it is in force."""
    if confidentiality == Confidentiality.CONFIDENTIAL and not enquiry.has_nda_in_force():
        raise ValidationError(CONFIDENTIAL_BEFORE_NDA, code="needs_nda")
    checked = check_upload(upload, enquiry=enquiry)
    attachment = Attachment(
        enquiry=enquiry,
        message=message,
        uploaded_by=actor,
        original_name=checked.name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        confidentiality=confidentiality,
    )
    attachment.file.save(checked.sha256, upload, save=False)
    attachment.save()
    return attachment
