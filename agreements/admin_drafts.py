"""Draft versions on a contract's admin page (issue 5, "Drafts as PDFs"): make one, try a failed one again,
download a ready one, compare two. Mixed into ``AgreementAdmin``, whose scoped ``get_object`` answers 404 for a
contract outside the user's scope; each view then calls one function of agreements.drafts."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext

from . import documents, drafts, rules
from .choices import ContractStage
from .models import Agreement, DraftVersion
from .terms import KINDS
from .workflow import WorkflowError


class DraftVersionsAdminMixin:
    def draft_context(self, request, agreement: Agreement) -> dict:
        """What the contract's page shows of its versions: nothing for those who may not see them."""
        if not drafts.may_see_versions(agreement, request.user):
            return {"versions": None}
        versions = list(agreement.versions.select_related("requested_by", "body_template__body").order_by("-number"))
        for version in versions:
            version.retryable = drafts.is_retryable(version)
        may_draft = (
            rules.can_draft(agreement, request.user)
            and agreement.kind in KINDS
            and agreement.stage != ContractStage.CANCELLED
        )
        languages = dict(Agreement._meta.get_field("language").choices)
        return {
            "versions": versions,
            "may_draft": may_draft,
            "draft_languages": [(code, languages[code]) for code in documents.LANGUAGES],
        }

    def draft_urls(self) -> list:
        view = self.admin_site.admin_view
        return [
            path("<path:object_id>/versions/new/", view(self.draft_new_view), name="agreements_agreement_draft_new"),
            path(
                "<path:object_id>/versions/compare/",
                view(self.draft_compare_view),
                name="agreements_agreement_draft_compare",
            ),
            path(
                "<path:object_id>/versions/<int:number>/download/",
                view(self.draft_download_view),
                name="agreements_agreement_draft_download",
            ),
            path(
                "<path:object_id>/versions/<int:number>/retry/",
                view(self.draft_retry_view),
                name="agreements_agreement_draft_retry",
            ),
        ]

    def _back(self, agreement: Agreement) -> HttpResponseRedirect:
        return HttpResponseRedirect(reverse("admin:agreements_agreement_change", args=[agreement.pk]) + "#versions")

    def _refuse(self, request, error) -> None:
        text = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
        self.message_user(request, text, messages.ERROR)

    def draft_new_view(self, request, object_id):
        agreement = self.get_object(request, object_id)
        if request.method != "POST":
            return self._back(agreement)
        try:
            version = drafts.draft_request(
                agreement=agreement, actor=request.user, language=request.POST.get("language") or None
            )
        except (WorkflowError, PermissionDenied, ValidationError) as error:
            self._refuse(request, error)
            return self._back(agreement)
        if version.reused:
            text = gettext("The text has not changed since version %(number)s: it is that version.")
        elif version.status == DraftVersion.Status.RENDERING:
            text = gettext("Version %(number)s is being made: reload the page in a moment.")
        else:
            text = gettext("Version %(number)s is made.")
        self.message_user(request, text % {"number": version.number}, messages.SUCCESS)
        return self._back(agreement)

    def draft_retry_view(self, request, object_id, number):
        agreement = self.get_object(request, object_id)
        version = agreement.versions.filter(number=number).first()
        if version is None or not drafts.may_see_versions(agreement, request.user):
            raise Http404(gettext("Nothing here, or nothing you may see."))
        if request.method != "POST":
            return self._back(agreement)
        try:
            drafts.draft_retry(version=version, actor=request.user)
        except (WorkflowError, PermissionDenied) as error:
            self._refuse(request, error)
        else:
            self.message_user(
                request,
                gettext("Version %(number)s is being made again.") % {"number": version.number},
                messages.SUCCESS,
            )
        return self._back(agreement)

    def draft_download_view(self, request, object_id, number):
        agreement = self.get_object(request, object_id)
        try:
            version = drafts.draft_download(agreement=agreement, number=number, user=request.user)
        except DraftVersion.DoesNotExist:
            raise Http404(gettext("Nothing here, or nothing you may see.")) from None
        name = f"{agreement.reference}-v{version.number}{'-final' if version.is_final else ''}.pdf"
        return FileResponse(version.pdf.open("rb"), as_attachment=True, filename=name, content_type="application/pdf")

    def draft_compare_view(self, request, object_id):
        agreement = self.get_object(request, object_id)
        if not drafts.may_see_versions(agreement, request.user):
            raise Http404(gettext("Nothing here, or nothing you may see."))
        versions = list(agreement.versions.order_by("-number"))
        by_number = {v.number: v for v in versions}
        before = by_number.get(_number(request.GET.get("before")))
        after = by_number.get(_number(request.GET.get("after")))
        if before is None and after is None and len(versions) >= 2:
            after, before = versions[0], versions[1]  # the two latest, by default
        if before is None or after is None:
            self.message_user(request, gettext("Choose two versions to compare."), messages.ERROR)
            return self._back(agreement)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": agreement,
            "title": gettext("Versions %(before)s and %(after)s of %(ref)s")
            % {"before": before.number, "after": after.number, "ref": agreement.reference},
            "before": before,
            "after": after,
            "versions": versions,
            "changes": drafts.draft_compare(before, after),
        }
        return TemplateResponse(request, "admin/agreements/agreement/version_compare.html", context)


def _number(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
