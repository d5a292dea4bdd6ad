"""Governing bodies' contract templates in the admin (issue 6): legal staff see and write their own bodies'
versions (404 for another body's), the central team every body's. A version being prepared is edited here, then
previewed as a PDF, then put in use; a version once in use or retired is read-only: a new version changes it.
Every change goes through agreements.body_templates."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from partners.admin_scope import NotFoundOutsideScopeMixin
from partners.rules import is_central_team

from . import body_templates, documents
from .models import ContractTemplate
from .terms import KINDS

S = ContractTemplate.Status
MAX_UPLOAD_BYTES = body_templates.MAX_SOURCE_CHARS * 4  # UTF-8: at most four bytes a character
SOURCE_HELP = _(
    "Django template text. It must extend “agreements/pdf/base.html” (which prints the parties, the signatures "
    "and the summary of terms) and fill the blocks title_fr and articles_fr; a French-and-English version also "
    "fills title_en and articles_en, as it is used alone for bilingual drafts. It may instead extend the portal's "
    "own template of the same kind and change some of its blocks. Only {% load contract_pdf %} may be loaded; "
    "include, debug and |safe are refused."
)


class ContractTemplateForm(forms.ModelForm):
    upload = forms.FileField(
        label=_("or upload an .html file"),
        required=False,
        help_text=_("Its text replaces what is typed above (UTF-8)."),
    )

    class Meta:
        model = ContractTemplate
        fields = ["body", "kind", "language", "source", "note"]
        widgets = {
            "source": forms.Textarea(
                attrs={"rows": 32, "cols": 120, "spellcheck": "false", "class": "opale-template-source vLargeTextField"}
            )
        }
        help_texts = {"source": SOURCE_HELP}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "source" in self.fields:
            self.fields["source"].required = False  # it may come from the upload instead

    def clean(self):
        data = super().clean()
        kind = data.get("kind") or self.instance.kind
        language = data.get("language") or self.instance.language
        source = self._uploaded_text() if data.get("upload") else data.get("source") or ""
        if self.errors:
            return data
        if not source.strip():
            self.add_error("source", _("Type the template, upload it, or start from the portal's."))
            return data
        try:
            body_templates.validate_source(source, kind=kind, language=language)
        except ValidationError as error:
            self.add_error("upload" if data.get("upload") else "source", error)
        data["source"] = source
        return data

    def _uploaded_text(self) -> str:
        upload = self.cleaned_data["upload"]
        if not upload.name.lower().endswith((".html", ".htm")):
            self.add_error("upload", _("Upload an .html file."))
            return ""
        if upload.size > MAX_UPLOAD_BYTES:
            self.add_error("upload", _("The file is too large for a template."))
            return ""
        try:
            return upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            self.add_error("upload", _("The file is not UTF-8 text."))
            return ""


@admin.register(ContractTemplate)
class ContractTemplateAdmin(NotFoundOutsideScopeMixin, admin.ModelAdmin):
    form = ContractTemplateForm
    list_display = ["body", "kind", "language", "number", "status", "in_use_since"]
    list_select_related = ["body"]
    ordering = ["body__short_name", "kind", "language", "-number"]
    change_form_template = "admin/agreements/contracttemplate/change_form.html"

    def get_queryset(self, request):
        return body_templates.templates_visible_to(request.user)

    def get_list_filter(self, request):
        return (
            ["status", "kind", "language", "body"] if is_central_team(request.user) else ["status", "kind", "language"]
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "body":
            kwargs["queryset"] = body_templates.bodies_managed_by(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "kind":
            kwargs["choices"] = [
                ("", "---------"),
                *((value, label) for value, label in db_field.choices if value in KINDS),
            ]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    # ---- what each page shows ---------------------------------------------------------------------------------
    def get_fields(self, request, obj=None):
        if obj is None:
            return ["body", "kind", "language", "source", "upload", "note"]
        if self._editable(request, obj):
            return ["body", "kind", "language", "number", "status", "source", "upload", "note", "written"]
        return ["body", "kind", "language", "number", "status", "in_use_since", "note", "written", "source_text"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        if self._editable(request, obj):
            return ["body", "kind", "language", "number", "status", "written"]
        return self.get_fields(request, obj)

    @admin.display(description=_("written by"))
    def written(self, template):
        author = template.created_by
        who = (author.get_full_name() or author.get_username()) if author else "—"
        return f"{who}, {timezone.localtime(template.created_at):%Y-%m-%d %H:%M}"

    @admin.display(description=_("template"))
    def source_text(self, template):
        return format_html(
            '<textarea readonly rows="32" cols="120" class="vLargeTextField" aria-label="{}">{}</textarea>',
            gettext("Template"),
            template.source,
        )

    def get_changeform_initial_data(self, request):
        """``?kind=…&language=…&body=…&from_portal=1`` (the add page's own little form) pre-fills the text with the
        portal's template of that kind and language; a user with one body has it chosen already."""
        initial = super().get_changeform_initial_data(request)
        bodies = list(body_templates.bodies_managed_by(request.user)[:2])
        if len(bodies) == 1:
            initial.setdefault("body", bodies[0].pk)
        kind, language = request.GET.get("kind"), request.GET.get("language")
        if request.GET.get("from_portal") and kind in KINDS and language in documents.LANGUAGES:
            body = body_templates.bodies_managed_by(request.user).filter(pk=_number(request.GET.get("body"))).first()
            initial["source"] = body_templates.template_start_from_portal(
                body or gettext("The governing body"), kind, language
            )
        initial.pop("from_portal", None)
        return initial

    # ---- who may do what ----------------------------------------------------------------------------------------
    def _editable(self, request, obj) -> bool:
        return obj.status == S.DRAFT and body_templates.may_manage(request.user, obj.body)

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.status != S.DRAFT:
            return False  # in use or retired: read-only, a new version changes it
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False  # versions are kept: drafts name the one they were made from

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            saved = body_templates.template_edit(
                template=obj, source=data["source"], note=data.get("note", ""), actor=request.user
            )
        else:
            saved = body_templates.template_create(
                body=data["body"],
                kind=data["kind"],
                language=data["language"],
                source=data["source"],
                note=data.get("note", ""),
                actor=request.user,
            )
        for field in ("pk", "number", "status", "preview", "created_by", "created_at"):
            setattr(obj, field, getattr(saved, field))
        obj._state.adding = False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        template = self.get_object(request, object_id)
        may_manage = body_templates.may_manage(request.user, template.body)
        state = body_templates.preview_state(template)
        context = {
            **(extra_context or {}),
            "preview": state,
            "may_manage": may_manage,
            "may_put_in_use": may_manage and template.status == S.DRAFT and state.status == "ready",
            "may_retire": may_manage and template.status != S.RETIRED,
            "specimen_from": body_templates.specimen_contract(template),
        }
        return super().change_view(request, object_id, form_url, context)

    def add_view(self, request, form_url="", extra_context=None):
        context = {
            **(extra_context or {}),
            "portal_kinds": [
                (value, label) for value, label in ContractTemplate._meta.get_field("kind").choices if value in KINDS
            ],
            "portal_languages": ContractTemplate._meta.get_field("language").choices,
            "portal_bodies": body_templates.bodies_managed_by(request.user),
        }
        return super().add_view(request, form_url, context)

    # ---- the buttons --------------------------------------------------------------------------------------------
    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<path:object_id>/preview/", view(self.preview_view), name="agreements_contracttemplate_preview"),
            path(
                "<path:object_id>/preview/download/",
                view(self.download_view),
                name="agreements_contracttemplate_download",
            ),
            path("<path:object_id>/put-in-use/", view(self.put_in_use_view), name="agreements_contracttemplate_use"),
            path("<path:object_id>/retire/", view(self.retire_view), name="agreements_contracttemplate_retire"),
            *super().get_urls(),
        ]

    def _back(self, template) -> HttpResponseRedirect:
        return HttpResponseRedirect(reverse("admin:agreements_contracttemplate_change", args=[template.pk]))

    def _act(self, request, object_id, act, success: str):
        template = self.get_object(request, object_id)
        if request.method != "POST":
            return self._back(template)
        try:
            act(template=template, actor=request.user)
        except (PermissionDenied, ValidationError) as error:
            text = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
            self.message_user(request, text, messages.ERROR)
        else:
            self.message_user(request, success % {"number": template.number}, messages.SUCCESS)
        return self._back(template)

    def preview_view(self, request, object_id):
        return self._act(
            request,
            object_id,
            body_templates.template_preview,
            gettext("The preview of version %(number)s is being made: reload the page in a moment."),
        )

    def put_in_use_view(self, request, object_id):
        return self._act(
            request,
            object_id,
            body_templates.template_put_in_use,
            gettext("Version %(number)s is in use: new drafts of the body's contracts of this kind are made from it."),
        )

    def retire_view(self, request, object_id):
        return self._act(
            request,
            object_id,
            body_templates.template_retire,
            gettext("Version %(number)s is retired."),
        )

    def download_view(self, request, object_id):
        template = self.get_object(request, object_id)
        if not template.preview:
            raise Http404(gettext("This version has no preview yet."))
        name = f"{template.body.short_name}-{template.kind}-{template.language}-v{template.number}-preview.pdf"
        return FileResponse(
            template.preview.open("rb"), as_attachment=True, filename=name, content_type="application/pdf"
        )


def _number(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
