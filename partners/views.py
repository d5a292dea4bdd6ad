"""Public pages of the portal."""
from django.shortcuts import render

from .choices import PARTNERSHIP_KIND_DESCRIPTIONS, PartnershipKind
from .models import Entity


def home(request):
    kinds = [(kind.label, PARTNERSHIP_KIND_DESCRIPTIONS[kind]) for kind in PartnershipKind]
    context = {
        "kinds": kinds,
        "entity_count": Entity.objects.filter(is_active=True).count(),
    }
    return render(request, "partners/home.html", context)
