"""Forms of the staff's enquiry actions in the admin: what each transition asks before it runs.

Each form takes the enquiry and the acting user, and ``run()`` calls the one workflow function of its action.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from . import workflow
from .choices import RoutingStatus
from .models import Entity, Routing
from .routing import suggest_entities
from .rules import can_answer_for_entity


class EnquiryActionForm(forms.Form):
    def __init__(self, *args, enquiry, user, **kwargs):
        self.enquiry, self.user = enquiry, user
        super().__init__(*args, **kwargs)


class QuestionForm(EnquiryActionForm):
    question = forms.CharField(
        label=_("Question to the company"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("The company reads it on its enquiry page and by e-mail; the enquiry waits for its answer."),
    )

    def run(self):
        return workflow.enquiry_request_information(
            enquiry=self.enquiry, actor=self.user, question=self.cleaned_data["question"]
        )


class ReasonForm(EnquiryActionForm):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The company reads it: write it for them."),
    )
    action = None

    def run(self):
        return self.action(enquiry=self.enquiry, actor=self.user, reason=self.cleaned_data["reason"])


class DeclineForm(ReasonForm):
    action = staticmethod(workflow.enquiry_decline)


class NoGoForm(ReasonForm):
    action = staticmethod(workflow.enquiry_close_no_go)


class BulkNoGoForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Sent to each company whose enquiry is closed: write it for them."),
    )


class RouteForm(EnquiryActionForm):
    """Route to one or several entities; the ranked suggestions come first, with why each matched."""

    entities = forms.ModelMultipleChoiceField(
        label=_("Entities"),
        queryset=Entity.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one entity to route the enquiry to.")},
    )
    note = forms.CharField(
        label=_("Note to the entity"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What you expect from them; sent with the enquiry to their scientific contacts."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.suggestions = suggest_entities(self.enquiry)
        # entities already waiting to answer, or which accepted, are not routed again
        self.already = list(
            self.enquiry.routings.exclude(status=RoutingStatus.DECLINED).select_related("entity").order_by("routed_at")
        )
        taken = {routing.entity_id for routing in self.already}
        suggested = [s.entity for s in self.suggestions if s.entity.pk not in taken]
        active = Entity.objects.filter(is_active=True).exclude(pk__in=taken)
        others = list(active.exclude(pk__in=[e.pk for e in suggested]))
        self.fields["entities"].queryset = active
        self.fields["entities"].choices = [(e.pk, str(e)) for e in [*suggested, *others]]
        self.reasons = {s.entity.pk: s for s in self.suggestions}
        if not self.is_bound and suggested:
            self.initial.setdefault("entities", [suggested[0].pk])

    def options(self):
        """Each checkbox with its suggestion (reasons, bodies), or None for an entity not suggested."""
        return [(checkbox, self.reasons.get(checkbox.data["value"])) for checkbox in self["entities"]]

    def run(self):
        entities = list(self.cleaned_data["entities"])
        reasons = {pk: "; ".join(s.reasons) for pk, s in self.reasons.items()}
        return workflow.enquiry_route(
            enquiry=self.enquiry, actor=self.user, entities=entities, note=self.cleaned_data["note"], reasons=reasons
        )


class AnswerForm(EnquiryActionForm):
    """An entity's answer for one of its pending routings (the central team may answer for any entity)."""

    routing = forms.ModelChoiceField(label=_("For the entity"), queryset=Routing.objects.none(), empty_label=None)
    accept = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        pending = self.enquiry.routings.filter(status=RoutingStatus.PENDING).select_related("entity")
        answerable = [r.pk for r in pending if can_answer_for_entity(self.user, r.entity)]
        self.fields["routing"].queryset = pending.filter(pk__in=answerable)
        self.fields["routing"].label_from_instance = lambda routing: str(routing.entity)
        if len(answerable) == 1:
            self.initial["routing"] = answerable[0]
            self.fields["routing"].widget = forms.HiddenInput()

    def run(self):
        return workflow.enquiry_answer_routing(
            routing=self.cleaned_data["routing"],
            actor=self.user,
            accept=self.accept,
            reason=self.cleaned_data.get("reason", ""),
        )


class AcceptForm(AnswerForm):
    reason = forms.CharField(
        label=_("Comment for the central team"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Optional: who will follow it, what you need first."),
    )


class DeclineRoutingForm(AnswerForm):
    accept = False
    reason = forms.CharField(
        label=_("Why the entity declines"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Read by the central team only, to route the enquiry elsewhere; the company never sees it."),
    )


class StartContractForm(EnquiryActionForm):
    """A contract with the governing bodies of one of the entities working on the enquiry."""

    entity = forms.ModelChoiceField(label=_("With the governing bodies of"), queryset=Entity.objects.none())
    kind = forms.ChoiceField(label=_("Kind of contract"))
    language = forms.ChoiceField(
        label=_("Language of the text"),
        choices=[("fr", _("French")), ("en", _("French and English"))],
        help_text=_(
            "A contract with a French public body is written in French; an English version may stand beside it."
        ),
    )

    def __init__(self, *args, **kwargs):
        from agreements.choices import AgreementKind

        super().__init__(*args, **kwargs)
        working = self.enquiry.routings.exclude(status=RoutingStatus.DECLINED)
        self.fields["entity"].queryset = Entity.objects.filter(pk__in=working.values("entity"))
        self.fields["kind"].choices = AgreementKind.choices
        accepted = working.filter(status=RoutingStatus.ACCEPTED).values_list("entity", flat=True).first()
        self.initial.setdefault("entity", accepted)  # the entity that took the enquiry on, usually

    def run(self):
        from agreements import workflow as contracts

        return contracts.agreement_request(
            enquiry=self.enquiry,
            entity=self.cleaned_data["entity"],
            kind=self.cleaned_data["kind"],
            language=self.cleaned_data["language"],
            actor=self.user,
        )
