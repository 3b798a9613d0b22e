"""The site's URL root: every app's own routes, then the registry's composed pages."""

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularSwaggerSplitView

from jitrack import devmail
from jitrack.favicon import favicon
from jitrack.schemaview import SchemaView

urlpatterns = [
    path("favicon.ico", favicon, name="favicon"),
    # the mail sent, read back from var/mail: 404 unless DEBUG (./scripts/run)
    path("dev/mail/", devmail.mail_list, name="dev_mail"),
    # The admin's own login would skip the second factor and the lockout page: ours instead.
    path("admin/login/", RedirectView.as_view(pattern_name="login", query_string=True)),
    path("admin/", admin.site.urls),
    # set_language (POST /i18n/setlang/): the language switcher in the page footer.
    path("i18n/", include("django.conf.urls.i18n")),
    # generated once per process (jitrack.schemaview)
    path("api/schema/", SchemaView.as_view(), name="schema"),
    # Swagger UI under the site's CSP: its assets from drf-spectacular-sidecar's static files, its
    # start-up script a second request (?script), its page without inline style (api_docs.html).
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="schema", template_name="api_docs.html"),
        name="api-docs",
    ),
    path("api/", include("registry.api_urls")),
    # Each app's own routes, then the registry's composed pages (its ``projects/<key>/`` comes
    # after every longer ``projects/…`` route of the apps).
    path("", include("fees.urls")),
    path("", include("reviews.urls")),
    path("", include("projects.urls")),
    path("", include("determinations.urls")),
    path("", include("registry.urls")),
]

# JSON under /api/, pages elsewhere (jitrack.handlers).
handler400 = "jitrack.handlers.bad_request"
handler403 = "jitrack.handlers.permission_denied"
handler404 = "jitrack.handlers.page_not_found"
handler500 = "jitrack.handlers.server_error"
