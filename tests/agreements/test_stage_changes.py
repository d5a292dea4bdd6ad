"""The audit trail: every stage change stays exactly as it was written."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import ProtectedError

from agreements.models import StageChange

from ..factories import submitted_enquiry

pytestmark = pytest.mark.django_db


@pytest.fixture
def change(company):
    return submitted_enquiry(company=company).stage_changes.get()


def unchanged(change: StageChange) -> bool:
    row = StageChange.objects.get(pk=change.pk)
    return (row.from_stage, row.to_stage, row.comment, row.actor_id, row.at) == (
        "draft",
        "submitted",
        "",
        change.actor_id,
        change.at,
    )


def test_saving_an_existing_row_is_refused(change):
    change.comment = "rewritten history"
    with pytest.raises(PermissionDenied, match="never edited"):
        change.save()
    with pytest.raises(PermissionDenied, match="never edited"):
        change.save(update_fields=["comment"])
    assert unchanged(change)


def test_deleting_a_row_is_refused(change):
    with pytest.raises(PermissionDenied, match="never deleted"):
        change.delete()
    assert unchanged(change)


def test_queryset_update_and_delete_are_refused(change):
    with pytest.raises(PermissionDenied, match="never edited"):
        StageChange.objects.filter(pk=change.pk).update(comment="rewritten")
    with pytest.raises(PermissionDenied, match="never edited"):
        StageChange.objects.all().update(to_stage="signed")
    with pytest.raises(PermissionDenied, match="never deleted"):
        StageChange.objects.filter(pk=change.pk).delete()
    with pytest.raises(PermissionDenied, match="never deleted"):
        StageChange.objects.all().delete()
    assert unchanged(change)


def test_bulk_update_is_refused(change):
    change.comment = "rewritten"
    with pytest.raises(PermissionDenied), transaction.atomic():
        StageChange.objects.bulk_update([change], ["comment"])
    assert unchanged(change)


def test_the_enquiry_cannot_be_deleted_from_under_its_trail(change):
    with pytest.raises(ProtectedError):
        change.enquiry.delete()
    assert unchanged(change)


def test_the_label_says_what_happened(change):
    assert str(change) == "Draft → Submitted"
