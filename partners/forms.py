"""Forms of the company pages: sign-up names, the company, the enquiry steps, messages and invitations."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .attachments import CONFIDENTIAL_BEFORE_NDA
from .choices import PARTNERSHIP_KIND_DESCRIPTIONS, LicenceSubject, PartnershipKind
from .models import Capability, Company, DiseaseArea, Enquiry


class SignupNamesForm(forms.Form):
    """Extra fields of allauth's sign-up: the name the OPALE team and colleagues will see."""

    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)

    def signup(self, request, user) -> None:
        user.first_name = self.cleaned_data["first_name"]
        user.last_name = self.cleaned_data["last_name"]
        user.save(update_fields=["first_name", "last_name"])


class CompanyForm(forms.ModelForm):
    class Meta:
        model = Company
        fields = [
            "legal_name",
            "country",
            "registration_number",
            "size",
            "is_startup",
            "is_spinoff",
            "sector",
            "website",
        ]
        widgets = {"website": forms.URLInput(attrs={"placeholder": "https://"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["website"].assume_scheme = "https"


def kind_choices():
    """Each partnership kind with its one-line description, in the language of the request."""
    label = "<strong>{}</strong><br><small>{}</small>"
    return [
        (kind.value, format_html(label, kind.label, PARTNERSHIP_KIND_DESCRIPTIONS[kind])) for kind in PartnershipKind
    ]


class NeedsForm(forms.ModelForm):
    """Step 1: what the company needs."""

    kind = forms.ChoiceField(label=_("Kind of partnership"), widget=forms.RadioSelect, choices=kind_choices)
    disease_areas = forms.ModelMultipleChoiceField(
        DiseaseArea.objects.all(), widget=forms.CheckboxSelectMultiple, required=False, label=_("Disease areas")
    )
    capabilities = forms.ModelMultipleChoiceField(
        Capability.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label=_("Capabilities sought"),
    )

    class Meta:
        model = Enquiry
        fields = ["title", "kind", "licence_subject", "disease_areas", "capabilities"]
        help_texts = {"title": _("One line that says what you would like to do with OPALE.")}

    def clean(self):
        data = super().clean()
        if data.get("kind") != PartnershipKind.OTHER and not data.get("disease_areas"):
            self.add_error("disease_areas", _("Choose at least one disease area."))
        if data.get("kind") == PartnershipKind.LICENCE and not data.get("licence_subject"):
            self.add_error("licence_subject", _("Say what the licence would be for."))
        if data.get("kind") != PartnershipKind.LICENCE:
            data["licence_subject"] = ""
        return data


class ProjectForm(forms.ModelForm):
    """Step 2: the project, with the questions only some kinds need."""

    class Meta:
        model = Enquiry
        fields = [
            "summary",
            "objectives",
            "budget_band",
            "wished_start",
            "duration_months",
            "funding_programme",
            "funding_call",
            "funding_deadline",
            "scientific_project",
            "data_use",
        ]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 6}),
            "objectives": forms.Textarea(attrs={"rows": 4}),
            "scientific_project": forms.Textarea(attrs={"rows": 5}),
            "data_use": forms.Textarea(attrs={"rows": 4}),
            "wished_start": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "funding_deadline": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        help_texts = {
            "summary": _(
                "Non-confidential only: no NDA is in force yet, so write nothing you would not publish. "
                "Details come later, under an NDA."
            ),
            "objectives": _("What a successful partnership would deliver, and by when."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        enquiry = self.instance
        self.fields["summary"].required = True
        self.fields["objectives"].required = True
        if enquiry.kind == PartnershipKind.COLLABORATIVE_CALL:
            for name in ("funding_programme", "funding_deadline"):
                self.fields[name].required = True
        else:
            for name in ("funding_programme", "funding_call", "funding_deadline"):
                del self.fields[name]
        if enquiry.licence_subject == LicenceSubject.SAMPLES:
            self.fields["scientific_project"].required = True
            self.fields["scientific_project"].help_text = _(
                "Required: OPALE transfers biological samples only for a scientific project. Say what the samples "
                "would be used for, how many, and what results you expect."
            )
        else:
            del self.fields["scientific_project"]
        if needs_data_use(enquiry):
            self.fields["data_use"].required = True
            self.fields["data_use"].help_text = _(
                "What the patient data would be used for, and the legal basis you foresee (a CNIL reference "
                "methodology such as MR-004, an authorisation, or anonymous data)."
            )
        else:
            del self.fields["data_use"]

    def clean_funding_deadline(self):
        deadline = self.cleaned_data.get("funding_deadline")
        if deadline and deadline < timezone.localdate():
            raise ValidationError(_("This deadline is already past."))
        return deadline

    def clean_wished_start(self):
        start = self.cleaned_data.get("wished_start")
        if start and start < timezone.localdate() - dt.timedelta(days=1):
            raise ValidationError(_("Choose a start date from today on."))
        return start


def needs_data_use(enquiry: Enquiry) -> bool:
    if enquiry.licence_subject == LicenceSubject.DATA:
        return True
    return enquiry.pk is not None and enquiry.capabilities.filter(code="real_world_data").exists()


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".pdf,.docx,.pptx,.xlsx,.png,.jpg,.jpeg"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


class PracticalForm(forms.ModelForm):
    """Step 3: contacts, confidentiality, language and non-confidential files."""

    files = MultipleFileField(
        required=False,
        label=_("Non-confidential documents"),
        help_text=_("PDF, DOCX, PPTX, XLSX, PNG or JPEG; 20 MB at most each, 5 files per enquiry."),
    )

    class Meta:
        model = Enquiry
        fields = ["contact_name", "contact_email", "signatory_name", "nda_required", "language"]
        labels = {"nda_required": _("We need an NDA before sharing details")}
        help_texts = {
            "contact_name": _("The person OPALE should talk to."),
            "signatory_name": _("The person who would sign for your company, if known."),
            "language": _("For our messages and the contracts' working language."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact_name"].required = True
        self.fields["contact_email"].required = True


class ReviewForm(forms.Form):
    """Step 4: consent, and a field people never see (bots fill it)."""

    consent = forms.BooleanField(
        required=True,
        label=_("I agree that OPALE processes the personal data given here to handle this enquiry."),
    )
    website = forms.CharField(
        required=False,
        label=_("Leave this field empty"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def is_bot(self) -> bool:
        return bool(self.data.get("website"))


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Your message"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=10_000,
        help_text=_("Do not include confidential information before an NDA is in force."),
    )
    files = MultipleFileField(required=False, label=_("Attach files"))
    confidential = forms.BooleanField(
        required=False,
        label=_("These files are confidential"),
        help_text=_("Accepted only once an NDA covering this enquiry is in force."),
    )

    def __init__(self, *args, enquiry: Enquiry | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.enquiry = enquiry
        if enquiry is not None and enquiry.has_nda_in_force():
            self.fields["body"].help_text = _("An NDA is in force on this enquiry: confidential details are protected.")
            self.fields["confidential"].help_text = _("Accepted: an NDA covering this enquiry is in force.")

    def clean(self):
        data = super().clean()
        confidential_files = data.get("confidential") and data.get("files")
        if confidential_files and self.enquiry is not None and not self.enquiry.has_nda_in_force():
            self.add_error("confidential", CONFIDENTIAL_BEFORE_NDA)
        return data


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you withdraw this enquiry?"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Colleague's e-mail"))
