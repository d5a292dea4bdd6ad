"""The company's contract pages, under its enquiry: ``/enquiries/<enquiry_pk>/contracts/…``."""

from django.urls import path

from . import views

app_name = "agreements"

urlpatterns = [
    path("ask-nda/", views.nda_ask, name="nda_ask"),
    path("<int:pk>/", views.contract_detail, name="contract_detail"),
    path("<int:pk>/versions/<int:number>/pdf/", views.version_download, name="version_download"),
    path("<int:pk>/changes/", views.contract_request_changes, name="contract_request_changes"),
    path("<int:pk>/accept/", views.contract_accept, name="contract_accept"),
    path("<int:pk>/sign/", views.contract_sign, name="contract_sign"),
]
