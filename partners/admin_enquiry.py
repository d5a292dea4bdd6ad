"""The enquiry in the admin: the central team's triage queue and the page where staff act on one enquiry.

Everything is cut to the user's scope (``enquiries_visible_to``); an enquiry outside it answers 404. Stage
changes are django-fsm-2's admin transition buttons, each shown only when the stage and the user's role allow
it, and each running its one function of ``partners.workflow``.
"""

from __future__ import annotations

from functools import lru_cache

from django.contrib import admin, messages
from django.contrib.admin.utils import flatten_fieldsets
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F, Prefetch
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import get_language, gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django_fsm.admin import FSMAdminMixin

from agreements.models import StageChange

from . import admin_forms, services, workflow
from .admin_queue import (
    AssignedFilter,
    CappedCountPaginator,
    DiseaseAreaFilter,
    EntityFilter,
    GoverningBodyFilter,
    OverdueFilter,
    StageFilter,
    page_number,
    search_enquiries,
)
from .admin_scope import shows_decline_reasons, with_readable_comments
from .choices import Confidentiality, EnquiryStage, RoutingStatus
from .models import Attachment, Enquiry, Message, Routing
from .rules import can_answer_for_entity, is_central_team, is_entity_contact, is_legal_staff
from .selectors import enquiries_visible_to, routings_visible_to

S = EnquiryStage

STAGE_COLOURS = {
    S.DRAFT: "secondary",
    S.SUBMITTED: "primary",
    S.IN_TRIAGE: "info",
    S.AWAITING_COMPANY: "warning",
    S.ROUTED: "info",
    S.ACCEPTED: "success",
    S.CONTRACTING: "success",
    S.SIGNED: "dark",
    S.DECLINED: "danger",
    S.WITHDRAWN: "secondary",
    S.NO_GO: "danger",
}


@lru_cache(maxsize=64)
def _badge(stage: str, language: str) -> str:
    colour = STAGE_COLOURS.get(stage, "secondary")
    return format_html('<span class="opale-badge opale-badge-{}">{}</span>', colour, S(stage).label)


def person(user) -> str:
    """A user as people call them: no link (the user admin is the superuser's), their name over their login."""
    if user is None:
        return "—"
    return user.get_full_name() or user.get_username()


def stage_badge(enquiry: Enquiry) -> str:
    return _badge(enquiry.stage, get_language() or "")


class RoutingInline(admin.TabularInline):
    model = Routing
    extra = 0
    fields = ["entity", "status", "routed_by_name", "routed_at", "note_to_entity", "answered_at", "answer_reason"]
    readonly_fields = fields
    can_delete = False

    def get_queryset(self, request):
        qs = super().get_queryset(request).select_related("enquiry", "entity", "routed_by")
        return routings_visible_to(request.user, qs)

    def get_fields(self, request, obj=None):
        if shows_decline_reasons(request.user) or is_entity_contact(request.user):
            return self.fields  # an entity contact sees only their own entities' rows (get_queryset)
        return [name for name in self.fields if name != "answer_reason"]

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)

    @admin.display(description=_("routed by"))
    def routed_by_name(self, routing):
        return person(routing.routed_by)

    def has_add_permission(self, request, obj=None):
        return False  # routing is a workflow action (the "Route to entities" button)


class MessageInline(admin.StackedInline):
    """The thread, read-only: staff write through the message box above it, which also e-mails the company."""

    model = Message
    extra = 0
    fields = ["author_name", "created_at", "is_internal", "body"]
    readonly_fields = fields
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("enquiry", "author")

    @admin.display(description=_("author"))
    def author_name(self, message):
        return person(message.author)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class AttachmentInline(admin.TabularInline):
    """Confidential files are for the central team and legal staff; entity contacts see the others."""

    model = Attachment
    extra = 0
    fields = ["download", "content_type", "size", "confidentiality", "uploader", "created_at"]
    readonly_fields = fields
    can_delete = False

    def get_queryset(self, request):
        qs = super().get_queryset(request).select_related("enquiry", "uploaded_by")
        if is_central_team(request.user) or is_legal_staff(request.user):
            return qs
        return qs.filter(confidentiality=Confidentiality.NON_CONFIDENTIAL)

    @admin.display(description=_("uploaded by"))
    def uploader(self, attachment):
        return person(attachment.uploaded_by)

    @admin.display(description=_("file"))
    def download(self, attachment):
        url = reverse("admin:partners_attachment_download", args=[attachment.pk])
        return format_html('<a href="{}">{}</a>', url, attachment.original_name)

    def has_add_permission(self, request, obj=None):
        return False


class StageChangeInline(admin.TabularInline):
    """An entity's reason for declining is for the central team: other entities and legal staff see the step,
    not the reason."""

    model = StageChange
    verbose_name_plural = _("timeline")
    extra = 0
    fields = ["at", "from_label", "to_label", "actor_name", "note"]
    readonly_fields = fields
    can_delete = False
    ordering = ["at", "pk"]

    def get_queryset(self, request):
        return with_readable_comments(super().get_queryset(request).select_related("enquiry", "actor"), request.user)

    @admin.display(description=_("comment"))
    def note(self, change):
        return change.readable_comment or "—"

    @admin.display(description=_("by"))
    def actor_name(self, change):
        return person(change.actor) if change.actor_id else gettext("the portal")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


ENQUIRY_CLOCKS = [
    "created_at",
    "updated_at",
    "stage_changed_at",
    "submitted_at",
    "first_response_at",
    "routed_at",
    "answered_at",
    "closed_at",
    "overdue_from",
]

# The actions of the enquiry page: the form each one asks for (None: a confirmation is enough) and, for
# those without a form, the workflow function it runs.
TRANSITION_FORMS = {
    "request_information": admin_forms.QuestionForm,
    "route": admin_forms.RouteForm,
    "accept_by_entity": admin_forms.AcceptForm,
    "decline": admin_forms.DeclineForm,
    "close_no_go": admin_forms.NoGoForm,
}
PLAIN_TRANSITIONS = {
    "take_into_triage": workflow.enquiry_take_into_triage,
    "start_contracting": workflow.enquiry_start_contracting,
    "mark_signed": workflow.enquiry_mark_signed,
}
DECLINE_ROUTING = "decline_routing"
# An entity's answer once another entity already accepted (a consortium): not a stage change, so no FSM step.
ACCEPT_ROUTING = "accept_routing"
ROUTING_ANSWERS = {
    DECLINE_ROUTING: (admin_forms.DeclineRoutingForm, _("Decline for the entity")),
    ACCEPT_ROUTING: (admin_forms.AcceptForm, _("Accept for the entity")),
}
# Buttons in the order of the usual path, the closing ones last.
ACTION_ORDER = [
    "take_into_triage",
    "route",
    "accept_by_entity",
    "start_contracting",
    "mark_signed",
    "request_information",
    "decline",
    "close_no_go",
]


class QueueChangeList(ChangeList):
    def get_queryset(self, request, exclude_parameters=None):
        # disease areas of the page's rows in one query (the list shows them), not on the enquiry page
        return (
            super()
            .get_queryset(request, exclude_parameters)
            .prefetch_related(Prefetch("disease_areas", to_attr="area_list"))
        )


@admin.register(Enquiry)
class EnquiryAdmin(FSMAdminMixin, admin.ModelAdmin):
    fsm_fields = ["stage"]
    fsm_forms = TRANSITION_FORMS
    change_form_template = "admin/partners/enquiry/change_form.html"
    change_list_template = "admin/partners/enquiry/change_list.html"  # rows by templatetags/triage_queue.py

    # Few cells, each saying several things: on a page of 50 rows, every cell costs Django's list rendering.
    list_display = ["reference", "what", "company_and_size", "where_it_stands", "age"]
    list_filter = [
        StageFilter,
        OverdueFilter,
        "kind",
        DiseaseAreaFilter,
        EntityFilter,
        GoverningBodyFilter,
        "company__size",
        "company__sector",
        AssignedFilter,
    ]
    search_fields = ["reference", "title", "summary", "company__legal_name"]
    search_help_text = _("Words of the reference, title, summary or company name.")
    list_select_related = ["company", "assigned_to"]
    ordering = [F("overdue_from").asc(nulls_last=True), "-submitted_at"]
    list_per_page = 50
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    actions = ["take_into_triage", "assign_to_me", "close_as_no_go"]

    readonly_fields = ["reference", "stage", "submitter", "follower", "consent_at", *ENQUIRY_CLOCKS]
    autocomplete_fields = ["company"]
    filter_horizontal = ["disease_areas", "capabilities"]
    inlines = [RoutingInline, MessageInline, AttachmentInline, StageChangeInline]
    fieldsets = [
        (
            None,
            {"fields": ["reference", "stage", "follower", "company", "submitter", "kind", "title", "summary"]},
        ),
        (_("Objectives and scope"), {"fields": ["objectives", "disease_areas", "capabilities", "budget_band"]}),
        (
            _("Timing, call, samples and data"),
            {
                "fields": [
                    "wished_start",
                    "duration_months",
                    "funding_programme",
                    "funding_call",
                    "funding_deadline",
                    "licence_subject",
                    "scientific_project",
                    "data_use",
                    "nda_required",
                    "language",
                ]
            },
        ),
        (_("Contact"), {"fields": ["contact_name", "contact_email", "signatory_name", "consent_at"]}),
        (_("Clocks"), {"fields": ENQUIRY_CLOCKS, "classes": ["collapse"]}),
    ]

    # ---- scope ---------------------------------------------------------------------------------------
    def get_queryset(self, request):
        # Drafts (and drafts the company discarded) are its own: OPALE sees only what was sent.
        qs = enquiries_visible_to(request.user).exclude(submitted_at=None).select_related("company", "assigned_to")
        ordering = self.get_ordering(request)
        return qs.order_by(*ordering) if ordering else qs

    def get_object(self, request, object_id, from_field=None):
        # Read once per request (the page, django-fsm's buttons and Django's form each ask), and 404 outside
        # the user's scope rather than Django's redirect with "perhaps it was deleted".
        cache = request.__dict__.setdefault("_opale_enquiries", {})
        if object_id not in cache:
            cache[object_id] = super().get_object(request, object_id, from_field)
        if cache[object_id] is None:
            raise Http404(gettext("No enquiry here, or not one you may see."))
        return cache[object_id]

    def get_changelist(self, request, **kwargs):
        return QueueChangeList

    def has_add_permission(self, request):
        return False  # companies file enquiries on the portal

    def has_delete_permission(self, request, obj=None):
        return False  # an enquiry's history is kept: close it (no-go, declined, withdrawn) instead

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not is_central_team(request.user):
            return fields + [f for f in flatten_fieldsets(self.fieldsets) if f not in fields]
        return fields

    def has_triage_permission(self, request):
        return is_central_team(request.user)

    # ---- the queue -----------------------------------------------------------------------------------
    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        return CappedCountPaginator(
            queryset,
            per_page,
            page_number=page_number(request),
            orphans=orphans,
            allow_empty_first_page=allow_empty_first_page,
        )

    def get_search_results(self, request, queryset, search_term):
        return search_enquiries(queryset, search_term), False

    def get_actions(self, request):
        # the change list asks three times a page; the answer does not change within a request
        if "_opale_actions" not in request.__dict__:
            actions = super().get_actions(request) if is_central_team(request.user) else {}
            request.__dict__["_opale_actions"] = actions
        return request.__dict__["_opale_actions"]

    @admin.display(description=_("company"), ordering="company__legal_name")
    def company_and_size(self, enquiry):
        return format_html(
            '{}<br><span class="opale-muted">{}</span>', enquiry.company, enquiry.company.get_size_display()
        )

    @admin.display(description=_("enquiry"), ordering="title")
    def what(self, enquiry):
        areas = ", ".join(str(area) for area in enquiry.area_list)
        return format_html(
            '<strong>{}</strong><br><span class="opale-muted">{}{}{}</span>',
            enquiry.title,
            enquiry.get_kind_display(),
            " · " if areas else "",
            areas,
        )

    @admin.display(description=_("followed by"))
    def follower(self, enquiry):
        return person(enquiry.assigned_to)

    @admin.display(description=_("submitted by"))
    def submitter(self, enquiry):
        return person(enquiry.submitted_by)

    @admin.display(description=_("stage, ball and follower"), ordering="stage")
    def where_it_stands(self, enquiry):
        user = enquiry.assigned_to
        follower = format_html(
            '<br><span class="opale-muted">{} {}</span>',
            gettext("Followed by:"),
            (user.get_full_name() or user.get_username()) if user else "",
        )
        return format_html(
            '{}<br><span class="opale-muted">{} {}</span>{}',
            stage_badge(enquiry),
            gettext("Ball with:"),
            enquiry.get_ball_holder_display(),
            follower if user else "",
        )

    @admin.display(description=_("age (working days)"), ordering="submitted_at")
    def age(self, enquiry):
        days = enquiry.age_in_working_days
        reasons = enquiry.overdue_reasons()
        shown = "—" if days is None else days
        if reasons:
            shown = format_html(
                '{}<br><span class="opale-overdue">⚠ {}</span>', days, "; ".join(str(r) for r in reasons)
            )
        deadline = getattr(enquiry, "contract_deadline", None)  # agreements.selectors marks the page's rows
        if deadline:
            day, kind, near = deadline
            shown = format_html(
                '{}<br><span class="{}">{}{}</span>',
                shown,
                "opale-overdue" if near else "opale-muted",
                "⚠ " if near else "",
                gettext("%(kind)s: sign by %(date)s") % {"kind": kind, "date": date_format(day, "j F Y")},
            )
        return shown

    # ---- bulk actions --------------------------------------------------------------------------------
    def _run_each(self, request, queryset, run, done_message):
        done, refused = 0, []
        for enquiry in queryset:
            try:
                run(enquiry)
                done += 1
            except workflow.WorkflowError:
                refused.append(
                    gettext("%(ref)s (%(stage)s): not possible from this stage.")
                    % {"ref": enquiry.reference, "stage": enquiry.get_stage_display()}
                )
            except (PermissionDenied, ValidationError) as error:
                refused.append(f"{enquiry.reference}: {' '.join(_messages_of(error))}")
        if done:
            self.message_user(request, done_message(done) % {"count": done}, messages.SUCCESS)
        for line in refused:
            self.message_user(request, line, messages.WARNING)

    @admin.action(description=_("Take into triage"), permissions=["triage"])
    def take_into_triage(self, request, queryset):
        self._run_each(
            request,
            queryset,
            lambda e: workflow.enquiry_take_into_triage(enquiry=e, actor=request.user),
            lambda n: ngettext("%(count)d enquiry taken into triage.", "%(count)d enquiries taken into triage.", n),
        )

    @admin.action(description=_("Assign to me"), permissions=["triage"])
    def assign_to_me(self, request, queryset):
        self._run_each(
            request,
            queryset,
            lambda e: services.enquiry_assign(enquiry=e, actor=request.user, assignee=request.user),
            lambda n: ngettext(
                "%(count)d enquiry is now followed by you.", "%(count)d enquiries are now followed by you.", n
            ),
        )

    @admin.action(description=_("Close as no-go…"), permissions=["triage"])
    def close_as_no_go(self, request, queryset):
        form = admin_forms.BulkNoGoForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            reason = form.cleaned_data["reason"]
            self._run_each(
                request,
                queryset,
                lambda e: workflow.enquiry_close_no_go(enquiry=e, actor=request.user, reason=reason),
                lambda n: ngettext("%(count)d enquiry closed as no-go.", "%(count)d enquiries closed as no-go.", n),
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Close as no-go"),
            "opts": self.opts,
            "enquiries": queryset,
            "form": form,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/partners/enquiry/close_no_go.html", context)

    # ---- the enquiry page ----------------------------------------------------------------------------
    def get_urls(self):
        urls = super().get_urls()
        extra = [
            path(
                "<path:object_id>/message/",
                self.admin_site.admin_view(self.message_view),
                name="partners_enquiry_message",
            ),
            path(
                "<path:object_id>/start-contract/",
                self.admin_site.admin_view(self.start_contract_view),
                name="partners_enquiry_start_contract",
            ),
            path(
                "<path:object_id>/assign-to-me/",
                self.admin_site.admin_view(self.assign_view),
                name="partners_enquiry_assign",
            ),
        ]
        return extra + urls

    def get_inline_instances(self, request, obj=None):
        return super().get_inline_instances(request, obj) if obj is not None else []

    def changelist_view(self, request, extra_context=None):
        user = request.user
        if is_central_team(user):
            title = gettext("Triage queue")
        elif is_entity_contact(user):
            title = gettext("Enquiries routed to your entities")
        else:
            title = gettext("Enquiries involving your governing bodies")
        return super().changelist_view(request, {**(extra_context or {}), "title": title})

    def change_view(self, request, object_id, form_url="", extra_context=None):
        enquiry = self.get_object(request, object_id)
        context = {
            **(extra_context or {}),
            "title": gettext("Enquiry %(ref)s") % {"ref": enquiry.reference},
            "overdue_reasons": enquiry.overdue_reasons(),
            "can_decline_routing": bool(self._answerable_routings(request, enquiry)),
            "can_accept_routing": bool(self._answerable_routings(request, enquiry))
            and "accept_by_entity" not in self._available_transitions(request, enquiry),
            "can_assign": is_central_team(request.user) and enquiry.assigned_to_id != request.user.pk,
            "can_write": not enquiry.is_closed,
            "can_start_contract": not enquiry.is_closed
            and (is_central_team(request.user) or is_legal_staff(request.user))
            and enquiry.routings.exclude(status=RoutingStatus.DECLINED).exists(),
            "contracts": enquiry.agreements.order_by("number"),
            "stage_colour": STAGE_COLOURS.get(enquiry.stage, "secondary"),
            "available_transition_names": self._available_transitions(request, enquiry),
        }
        if is_central_team(request.user) and enquiry.stage in (S.SUBMITTED, S.IN_TRIAGE, S.ROUTED):
            from .routing import suggest_entities

            context["suggestions"] = suggest_entities(enquiry, limit=3)
        return super().change_view(request, object_id, form_url, context)

    def _get_fsm_extra_context(self, *, request, obj):
        available = self._available_transitions(request, obj)
        for block in super()._get_fsm_extra_context(request=request, obj=obj):
            block.available_transitions = sorted(
                (t for t in block.available_transitions if t.name in available),
                key=lambda t: ACTION_ORDER.index(t.name) if t.name in ACTION_ORDER else len(ACTION_ORDER),
            )
            yield block

    def _answerable_routings(self, request, enquiry):
        if enquiry.stage not in (S.ROUTED, S.ACCEPTED, S.CONTRACTING):
            return []
        cache = request.__dict__.setdefault("_opale_answerable", {})
        if enquiry.pk not in cache:
            pending = enquiry.routings.filter(status=RoutingStatus.PENDING).select_related("entity")
            cache[enquiry.pk] = [r for r in pending if can_answer_for_entity(request.user, r.entity)]
        return cache[enquiry.pk]

    def _available_transitions(self, request, enquiry) -> set[str]:
        """What the stage machine allows this user now; accepting also needs a routing still awaiting this
        user's answer (an entity that already answered does not answer again)."""
        cache = request.__dict__.setdefault("_opale_transitions", {})
        if enquiry.pk not in cache:
            names = {
                t.name
                for t in enquiry.get_available_user_stage_transitions(user=request.user)
                if self.is_fsm_transition_visible(t)
            }
            if "accept_by_entity" in names and not self._answerable_routings(request, enquiry):
                names.discard("accept_by_entity")
            cache[enquiry.pk] = names
        return cache[enquiry.pk]

    def fsm_transition_view(self, request, object_id, transition_name, **kwargs):
        """One page per action: its form (or a confirmation), then the workflow function, then the enquiry."""
        enquiry = self.get_object(request, object_id)
        is_step = hasattr(getattr(Enquiry, transition_name, None), "_django_fsm")
        if transition_name not in ROUTING_ANSWERS and not is_step:
            raise Http404(gettext("There is no such step."))
        if transition_name in ROUTING_ANSWERS:
            allowed = bool(self._answerable_routings(request, enquiry))
            form_class, label = ROUTING_ANSWERS[transition_name]
            label = str(label)
        else:
            allowed = transition_name in self._available_transitions(request, enquiry)
            form_class = TRANSITION_FORMS.get(transition_name)
            transition = self._get_fsm_transition_by_name(obj=enquiry, transition_name=transition_name)
            label = str(self.get_fsm_label(transition))
        if not allowed or (form_class is None and transition_name not in PLAIN_TRANSITIONS):
            self.message_user(
                request,
                gettext("This is not possible on enquiry %(ref)s now (stage: %(stage)s).")
                % {"ref": enquiry.reference, "stage": enquiry.get_stage_display()},
                messages.ERROR,
            )
            return HttpResponseRedirect(self._change_url(enquiry))
        form = None
        if form_class is not None:
            data = request.POST if request.method == "POST" else None
            initial = {"entities": request.GET.getlist("entity")} if "entity" in request.GET else None
            form = form_class(data, enquiry=enquiry, user=request.user, initial=initial)
        if request.method == "POST" and (form is None or form.is_valid()):
            try:
                if form is None:
                    PLAIN_TRANSITIONS[transition_name](enquiry=enquiry, actor=request.user)
                else:
                    form.run()
            except (workflow.WorkflowError, PermissionDenied, ValidationError) as error:
                for line in _messages_of(error):
                    self.message_user(request, line, messages.ERROR)
                if form is None:
                    return HttpResponseRedirect(self._change_url(enquiry))
            else:
                enquiry.refresh_from_db()
                done = gettext("Enquiry %(ref)s is now “%(stage)s”.") % {
                    "ref": enquiry.reference,
                    "stage": enquiry.get_stage_display(),
                }
                if isinstance(form, admin_forms.AnswerForm):
                    entity = form.cleaned_data["routing"].entity
                    done = gettext("The answer of %(entity)s is recorded.") % {"entity": entity} + " " + done
                self.message_user(request, done, messages.SUCCESS)
                return HttpResponseRedirect(self._change_url(enquiry))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": enquiry,
            "title": f"{label.rstrip('…')} – {enquiry.reference}",
            "action_label": label.rstrip("…"),
            "form": form,
            "transition_name": transition_name,
        }
        return TemplateResponse(request, "admin/partners/enquiry/action_form.html", context)

    def start_contract_view(self, request, object_id):
        """An NDA or an agreement with the bodies of an entity working on the enquiry (agreements.workflow)."""
        from agreements.workflow import WorkflowError as ContractError

        enquiry = self.get_object(request, object_id)
        # "?kind=…&entity=…&language=…" pre-fills the form (a service's terms page proposing a collaboration)
        wanted = {key: request.GET[key] for key in ("kind", "entity", "language") if request.GET.get(key)}
        form = admin_forms.StartContractForm(request.POST or None, enquiry=enquiry, user=request.user, initial=wanted)
        if request.method == "POST" and form.is_valid():
            try:
                agreement = form.run()
            except (ContractError, PermissionDenied, ValidationError) as error:
                for line in _messages_of(error):
                    self.message_user(request, line, messages.ERROR)
            else:
                self.message_user(
                    request,
                    gettext("Contract %(ref)s started: %(kind)s.")
                    % {"ref": agreement.reference, "kind": agreement.get_kind_display()},
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(reverse("admin:agreements_agreement_change", args=[agreement.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": enquiry,
            "title": f"{gettext('Start a contract')} – {enquiry.reference}",
            "action_label": gettext("Start a contract"),
            "form": form,
            "transition_name": "start_contract",
        }
        return TemplateResponse(request, "admin/partners/enquiry/action_form.html", context)

    def save_model(self, request, obj, form, change):
        # Only what the form changed: a step taken meanwhile (stage, clocks, follower) must not be written back.
        if not change:
            return super().save_model(request, obj, form, change)
        concrete = {f.name for f in obj._meta.concrete_fields}
        changed = [name for name in form.changed_data if name in concrete]
        if changed:
            obj.save(update_fields=[*changed, "updated_at"])

    def response_change(self, request, obj):
        # django-fsm-2's version would run a transition named in the change form's POST straight on the model
        # (no workflow, no StageChange, no e-mail): steps go through fsm_transition_view only.
        return admin.ModelAdmin.response_change(self, request, obj)

    def message_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        enquiry = self.get_object(request, object_id)
        internal = request.POST.get("to") != "company"
        try:
            services.staff_message_post(
                enquiry=enquiry, author=request.user, body=request.POST.get("body", ""), internal=internal
            )
        except (ValidationError, PermissionDenied) as error:
            for line in _messages_of(error):
                self.message_user(request, line, messages.ERROR)
        else:
            done = gettext("Internal note saved.") if internal else gettext("Message sent to the company.")
            self.message_user(request, done, messages.SUCCESS)
        return HttpResponseRedirect(self._change_url(enquiry) + "#messages")

    def assign_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        enquiry = self.get_object(request, object_id)
        try:
            services.enquiry_assign(enquiry=enquiry, actor=request.user, assignee=request.user)
        except (ValidationError, PermissionDenied) as error:
            for line in _messages_of(error):
                self.message_user(request, line, messages.ERROR)
        else:
            self.message_user(request, gettext("You now follow this enquiry."), messages.SUCCESS)
        return HttpResponseRedirect(self._change_url(enquiry))

    def _change_url(self, enquiry) -> str:
        return reverse("admin:partners_enquiry_change", args=[enquiry.pk])


def _messages_of(error: Exception) -> list[str]:
    if isinstance(error, ValidationError):
        return list(error.messages)
    return [str(error)]
