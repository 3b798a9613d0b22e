from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

urlpatterns = [
    path("admin/", admin.site.urls),
    # set_language (POST /i18n/setlang/): the language switcher in the page footer.
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("api/", include("jitrack.api_urls")),
    path("", include("fees.urls")),
    path("", include("reviews.urls")),
    path("", include("projects.registry_urls")),
    path("", include("projects.import_urls")),
    path("", include("projects.urls")),
]
