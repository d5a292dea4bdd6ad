"""The floor: sign-in required, validate a ModelForm (with one file), insert one row, redirect."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from .forms import FloorForm
from .models import FloorRecord


@login_required
@require_POST
def floor_create(request):
    form = FloorForm(request.POST, request.FILES)
    if not form.is_valid():
        return HttpResponseBadRequest(form.errors.as_text(), content_type="text/plain")
    record = form.save(commit=False)
    record.owner = request.user
    record.save()
    return redirect("floor_done", pk=record.pk)


@login_required
def floor_done(request, pk):
    record = get_object_or_404(FloorRecord, pk=pk, owner=request.user)
    return HttpResponse(f"saved {record.pk}", content_type="text/plain")
