from django.urls import path

from . import views

app_name = "partners"

urlpatterns = [
    path("privacy/", views.privacy, name="privacy"),
    path("enquiries/", views.enquiry_list, name="enquiry_list"),
    path("enquiries/new/", views.enquiry_new, name="enquiry_new"),
    path("enquiries/<int:pk>/", views.enquiry_detail, name="enquiry_detail"),
    path("enquiries/<int:pk>/edit/<slug:step>/", views.enquiry_edit, name="enquiry_edit"),
    path("enquiries/<int:pk>/sent/", views.enquiry_submitted, name="enquiry_submitted"),
    path("enquiries/<int:pk>/messages/", views.message_create, name="message_create"),
    path("enquiries/<int:pk>/withdraw/", views.enquiry_withdraw, name="enquiry_withdraw"),
    path("enquiries/<int:pk>/files/<int:attachment_pk>/", views.attachment_download, name="attachment_download"),
    path("enquiries/<int:pk>/files/<int:attachment_pk>/delete/", views.attachment_delete, name="attachment_delete"),
    path("company/", views.company_detail, name="company_detail"),
    path("company/new/", views.company_create, name="company_create"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
]
