from django.urls import path, re_path

from . import dashboard_views, views

app_name = "quality"

urlpatterns = [
    path("survey/<str:token>/", views.survey, name="survey"),
    path("staff/quality/", dashboard_views.dashboard, name="dashboard"),
    re_path(
        r"^staff/quality/export/(?P<what>figures|enquiries|contracts)\.(?P<fmt>csv|xlsx)$",
        dashboard_views.export,
        name="export",
    ),
]
