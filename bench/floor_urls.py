"""The portal's URLs plus the floor's two, so one gunicorn serves both workloads (bench/README.md)."""

from django.urls import path

from bench.floor_app import views
from opale_portal.urls import urlpatterns as portal_urlpatterns

urlpatterns = [
    path("bench-floor/", views.floor_create, name="floor_create"),
    path("bench-floor/<int:pk>/", views.floor_done, name="floor_done"),
    *portal_urlpatterns,
]
