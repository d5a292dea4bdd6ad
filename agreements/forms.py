"""Forms of the contract pages: the company's review and signature, and the legal staff's signature or scan in
the admin. They check input only; agreements.workflow and agreements.signatures decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class ChangesForm(forms.Form):
    comment = forms.CharField(
        label=_("Which changes do you ask for?"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=10_000,
        help_text=_("Name the articles and say what you would like instead: the legal staff redraft from this."),
    )


class SignForm(forms.Form):
    """A simple electronic signature: the name and title typed, consent ticked, on the version shown."""

    signer_name = forms.CharField(label=_("Your full name"), max_length=200)
    signer_title = forms.CharField(
        label=_("Your title"), max_length=200, help_text=_("The capacity in which you sign, e.g. Chief Executive.")
    )
    consent = forms.BooleanField(
        label=_(
            "I have read this version of the contract and sign it electronically. I agree that my name, my title, "
            "the time, my IP address and the fingerprint of the PDF are recorded as my signature."
        ),
        error_messages={"required": _("Tick the box to agree to sign electronically: without it nothing is signed.")},
    )
    # The version shown on the page: if another became the one to sign in between, signing it is refused.
    version = forms.IntegerField(widget=forms.HiddenInput)


class WetScanForm(forms.Form):
    """The scan of a copy signed by hand, for a governing body (admin)."""

    scan = forms.FileField(label=_("Scan of the signed copy (PDF)"))
    signer_name = forms.CharField(label=_("Signed by"), max_length=200)
    signer_title = forms.CharField(label=_("Title of the signatory"), max_length=200)


class NdaAskForm(forms.Form):
    """The company asks for an NDA with one of the entities working on its enquiry."""

    entity = forms.ModelChoiceField(
        label=_("With"),
        queryset=None,
        empty_label=None,
        help_text=_("The entity's lead governing body drafts the NDA and signs it for the academic side."),
    )
    language = forms.ChoiceField(
        label=_("Language of the text"),
        choices=[("fr", _("French")), ("en", _("French and English"))],
        help_text=_("A contract with a French public body is in French; an English translation may stand beside it."),
    )

    def __init__(self, *args, entities, enquiry, **kwargs):
        kwargs.setdefault("initial", {"language": "en" if enquiry.language == "en" else "fr"})
        super().__init__(*args, **kwargs)
        self.fields["entity"].queryset = entities
