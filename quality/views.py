"""The public survey page: no sign-in, the link's token is the key; the page speaks the invitation's language."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.cache import never_cache
from django_ratelimit.decorators import ratelimit

from . import services
from .forms import SurveyAnswerForm


@never_cache
@ratelimit(key="ip", rate=settings.QUALITY_SURVEY_RATE, method="POST", block=True)
def survey(request, token: str):
    try:
        invitation = services.survey_invitation_for(token)
    except services.SurveyClosed as closed:
        return render(request, "quality/survey_closed.html", {"message": str(closed)})
    with translation.override(invitation.language):
        form = SurveyAnswerForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.survey_answer(token=token, data=request.POST)
            except services.SurveyClosed as closed:  # answered meanwhile, in another tab
                return render(request, "quality/survey_closed.html", {"message": str(closed)})
            except ValidationError:
                pass  # the model refused what the form let through: show the form again
            else:
                return render(request, "quality/survey_thanks.html", {"invitation": invitation})
        response = render(request, "quality/survey_form.html", {"form": form, "invitation": invitation})
    return response
