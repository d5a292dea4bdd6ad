"""The legal team's contract settings in the admin (issue 5: "Defaults and bounds are settings the legal team can
change in the admin"): one row, edited by legal staff and the central team, refused to others, checked so that
a default always lies within its bounds, and read by the terms forms at once."""

from __future__ import annotations

import pytest
from django.urls import reverse

from agreements.models import ContractSettings
from agreements.terms.nda import NdaTermsForm

from ..factories import nda, routed_enquiry

pytestmark = pytest.mark.django_db


def settings_url() -> str:
    return reverse("admin:agreements_contractsettings_change", args=[ContractSettings.current().pk])


def posted(**changes) -> dict:
    row = ContractSettings.current()
    data = {
        field.name: getattr(row, field.name) for field in ContractSettings._meta.concrete_fields if field.name != "id"
    }
    return {**data, **changes}


def test_the_list_opens_the_one_row(client, legal_officer):
    client.force_login(legal_officer)
    response = client.get(reverse("admin:agreements_contractsettings_changelist"))
    assert response.status_code == 302
    assert response["Location"] == settings_url()
    assert ContractSettings.objects.count() == 1


def test_legal_staff_change_a_default_and_the_nda_form_uses_it(client, legal_officer, entity, central_user):
    client.force_login(legal_officer)
    response = client.post(settings_url(), posted(nda_disclosure_months_default=36))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert ContractSettings.current().nda_disclosure_months_default == 36
    agreement = nda(enquiry=routed_enquiry(entities=[entity], actor=central_user), entity=entity, actor=central_user)
    assert NdaTermsForm(agreement=agreement).fields["disclosure_months"].initial == 36


def test_a_default_outside_its_bounds_is_refused_with_a_message(client, central_user):
    client.force_login(central_user)
    response = client.post(settings_url(), posted(option_months_default=18))
    assert response.status_code == 200
    assert "The default must lie between the minimum (6) and the maximum (12)." in response.content.decode()
    assert ContractSettings.current().option_months_default == 12


def test_a_maximum_below_its_minimum_is_refused(client, central_user):
    client.force_login(central_user)
    response = client.post(settings_url(), posted(nda_survival_years_min=8, nda_survival_years_max=4))
    assert response.status_code == 200
    assert "The maximum is below the minimum (8)." in response.content.decode()


@pytest.mark.parametrize("who", ["entity_contact", "company_member"])
def test_others_may_not_open_the_settings(client, request, who):
    user = request.getfixturevalue(who)
    client.force_login(user)
    response = client.get(settings_url())
    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert "/login/" in response["Location"]


def test_the_row_can_be_neither_added_nor_deleted(client, central_user):
    client.force_login(central_user)
    assert client.get(reverse("admin:agreements_contractsettings_add")).status_code == 403
    assert (
        client.get(
            reverse("admin:agreements_contractsettings_delete", args=[settings_url().split("/")[-3]])
        ).status_code
        == 403
    )
