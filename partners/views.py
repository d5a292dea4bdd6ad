"""Public pages of the portal."""

from django.conf import settings
from django.shortcuts import render

from .choices import PARTNERSHIP_KIND_DESCRIPTIONS, PartnershipKind
from .models import Entity


def home(request):
    kinds = [(kind.label, PARTNERSHIP_KIND_DESCRIPTIONS[kind]) for kind in PartnershipKind]
    context = {
        "kinds": kinds,
        "entity_count": Entity.objects.filter(is_active=True).count(),
        "first_response_days": settings.ENQUIRY_FIRST_RESPONSE_WORKING_DAYS,
    }
    return render(request, "partners/home.html", context)
