"""What every scoped admin page shares: an object outside the user's scope is a 404, and an entity's reason for
declining is read by the central team (and that entity's own contacts), nobody else."""

from __future__ import annotations

from django.db.models import Case, F, TextField, Value, When
from django.http import Http404
from django.utils.translation import gettext

from .rules import is_central_team


class NotFoundOutsideScopeMixin:
    """Django's admin answers an id it cannot find with a redirect and "perhaps it was deleted"; here an object
    outside the user's queryset is simply not found, whether it exists or not."""

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404(gettext("Nothing here, or nothing you may see."))
        return obj


def shows_decline_reasons(user) -> bool:
    return is_central_team(user)


# Their comments carry an entity's reason for declining: the last one's (return_to_triage), or an earlier one
# kept when the entity is asked again (partners.workflow.ASKED_AGAIN).
DECLINE_REASON_HIDDEN = ["return_to_triage", "ask_again"]


def with_readable_comments(stage_changes, user):
    """Annotate ``readable_comment``: the comment, except an entity's reason for declining for anyone but the
    central team. Done in the query, since one admin instance serves every user's request."""
    if shows_decline_reasons(user):
        return stage_changes.annotate(readable_comment=F("comment"))
    return stage_changes.annotate(
        readable_comment=Case(
            When(
                transition="return_to_triage",
                then=Value(gettext("Every entity declined (reasons kept for the central team).")),
            ),
            When(
                transition="ask_again",
                then=Value(gettext("An entity that declined is asked again (its reason stays with the central team).")),
            ),
            default=F("comment"),
            output_field=TextField(),
        )
    )
