"""References stay unique and gapless when many companies submit at the same moment (PostgreSQL pass)."""

import re
import threading

import pytest
from django.db import connection

from partners import workflow
from partners.models import Enquiry

from ..factories import CompanyMemberFactory, EnquiryFactory

THREADS = 8
PER_THREAD = 3


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_submissions_get_distinct_contiguous_references():
    members = [CompanyMemberFactory() for _ in range(THREADS)]
    drafts = [[EnquiryFactory(company=m.company).pk for _ in range(PER_THREAD)] for m in members]
    start = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def submit_all(member, draft_ids):
        try:
            start.wait(timeout=30)  # everyone submits at once, so the counter row is fought over
            for pk in draft_ids:
                workflow.enquiry_submit(enquiry=Enquiry.objects.get(pk=pk), actor=member.user)
        except BaseException as error:  # noqa: BLE001 - reported by the main thread
            errors.append(error)
        finally:
            connection.close()  # each thread has its own connection; leave none open for the flush

    threads = [
        threading.Thread(target=submit_all, args=(member, ids)) for member, ids in zip(members, drafts, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not errors, errors
    references = list(Enquiry.objects.exclude(reference=None).values_list("reference", flat=True))
    assert len(references) == THREADS * PER_THREAD
    assert len(set(references)) == len(references)
    years = {re.fullmatch(r"OPA-(\d{4})-(\d{5})", ref).group(1) for ref in references}
    assert len(years) == 1
    numbers = sorted(int(ref[-5:]) for ref in references)
    assert numbers == list(range(1, THREADS * PER_THREAD + 1))
    assert Enquiry.objects.filter(stage="submitted").count() == THREADS * PER_THREAD
