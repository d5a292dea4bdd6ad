from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from partners import views as partner_views

from .health import healthz

admin.site.site_header = _("OPALE Partnerships – administration")
admin.site.site_title = _("OPALE Partnerships")
admin.site.index_title = _("Enquiries, entities and contracts")
admin.site.enable_nav_sidebar = False  # the lists need the width

urlpatterns = [
    path("", partner_views.home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("allauth.urls")),
    path("", include("partners.urls")),
    path("enquiries/<int:enquiry_pk>/contracts/", include("agreements.urls")),
    path("", include("quality.urls")),
    path("admin/", admin.site.urls),
]
