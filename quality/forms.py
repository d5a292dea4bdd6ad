from crispy_forms.bootstrap import InlineRadios
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout
from django import forms
from django.utils.translation import gettext_lazy as _

from .models import SurveyAnswer


def _choices(low: int, high: int) -> list[tuple[int, str]]:
    return [(n, str(n)) for n in range(low, high + 1)]


class SurveyAnswerForm(forms.ModelForm):
    """Radio buttons, so the usual answer is a click; the model's validators still refuse what a forged POST
    sends outside the ranges, with a message saying the range."""

    error_messages = {
        "range": _("Choose a whole number from %(low)d to %(high)d."),
    }

    class Meta:
        model = SurveyAnswer
        fields = ["recommendation", "responsiveness", "clarity", "expertise_fit", "comment"]
        labels = {
            "recommendation": _("How likely are you to recommend OPALE to a colleague? (0 = not at all, 10 = surely)"),
            "responsiveness": _("Responsiveness of the OPALE teams (1 = poor, 5 = excellent)"),
            "clarity": _("Clarity of the process (1 = confusing, 5 = very clear)"),
            "expertise_fit": _("Fit of the expertise offered to your needs (1 = poor, 5 = excellent)"),
            "comment": _("Anything you would like to tell us (optional)"),
        }
        widgets = {"comment": forms.Textarea(attrs={"rows": 4, "maxlength": 4000})}

    RANGES = {"recommendation": (0, 10), "responsiveness": (1, 5), "clarity": (1, 5), "expertise_fit": (1, 5)}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, (low, high) in self.RANGES.items():
            message = self.error_messages["range"] % {"low": low, "high": high}
            self.fields[name] = forms.TypedChoiceField(
                label=self.fields[name].label,
                choices=_choices(low, high),
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={"invalid_choice": message, "required": message},
            )
        self.fields["comment"].max_length = 4000
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(*(InlineRadios(name) for name in self.RANGES), "comment")


FIRST_YEAR, LAST_YEAR = 2000, 2100  # the portal's own history, with room; beyond, a date is a typing slip


class DashboardFilterForm(forms.Form):
    """The dashboard's period (by date of submission, of request, of answer) and entity."""

    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    end = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    entity = forms.ModelChoiceField(
        label=_("Entity"), queryset=None, required=False, empty_label=_("All entities you may see")
    )

    def __init__(self, data, *, entities, initial):
        super().__init__(data, initial=initial)
        self.fields["entity"].queryset = entities

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:
            raise forms.ValidationError(_("The period must start before it ends."))
        for name in ("start", "end"):
            day = cleaned.get(name)
            if day and not FIRST_YEAR <= day.year <= LAST_YEAR:
                self.add_error(
                    name, _("Choose a date between %(first)s and %(last)s.") % {"first": FIRST_YEAR, "last": LAST_YEAR}
                )
        return cleaned
