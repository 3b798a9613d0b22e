"""Routes of the public registry and of every page composed from several stages: the home page,
dashboards, the project page, the registry's sections, feeds, calendars, open data, statistics
and the import. Included at the site root after the apps' own routes. ``cached``: what an
anonymous visitor sees is served from the page cache (jitrack.pagecache)."""

from django.urls import path

from jitrack.pagecache import public_page as cached

from . import analytics, calendars, feeds, help, import_views, opendata, record, sections, views
from .conversions import conversions_csv, conversions_index, conversions_party

urlpatterns = [
    path("", cached(views.home), name="home"),
    path("health/", views.health, name="health"),
    path("dashboard/", views.dashboard, name="dashboard"),
    # The public lists are registry sections; the names stay for the nav.
    path("projects/", cached(sections.section_page), {"slug": "pdds"}, name="project_list"),
    path(
        "projects/open/", cached(sections.section_page), {"slug": "pdds-open"}, name="projects_open"
    ),
    path(
        "projects/determinations/",
        cached(sections.section_page),
        {"slug": "determinations-open"},
        name="projects_determinations",
    ),
    path(
        "projects/final/",
        cached(sections.section_page),
        {"slug": "determinations-final"},
        name="projects_final",
    ),
    path("projects/import/", import_views.import_page, name="projects_import"),
    path("projects/<str:key>/", cached(views.project_detail), name="project_detail"),
    path("projects/<str:key>/monitoring/", cached(views.monitoring), name="monitoring"),
    # the registry's sections (PDDs, determinations, monitoring, verifications, reviews, ERUs)
    path("registry/", cached(sections.sections_index), name="registry"),
    path("registry/<slug:slug>/", cached(sections.section_page), name="registry_section"),
    # Atom feeds
    path("feeds/", cached(feeds.NoticeFeed()), name="feed_all"),
    path("feeds/record/", cached(record.RecordFeed()), name="feed_record"),
    path("feeds/parties/<str:code>/", cached(feeds.PartyFeed()), name="feed_party"),
    path("feeds/kinds/<str:kind>/", cached(feeds.KindFeed()), name="feed_kind"),
    path("projects/<str:key>/feed/", cached(feeds.ProjectFeed()), name="feed_project"),
    # iCalendar
    path("calendar.ics", cached(calendars.registry_calendar), name="calendar"),
    path(
        "projects/<str:key>/calendar.ics",
        cached(calendars.project_calendar),
        name="project_calendar",
    ),
    # open data
    path("opendata/", cached(opendata.opendata_page), name="opendata"),
    # the daily fingerprints of the record's hash chains (projects.ledger)
    path("record/", cached(record.record_page), name="record"),
    path("record/heads.json", cached(record.record_json), name="record_json"),
    path("opendata/dictionary.json", cached(opendata.dictionary_json), name="opendata_dictionary"),
    path("opendata/<slug:name>.csv", opendata.download_csv, name="opendata_csv"),
    path("opendata/<slug:name>.json", opendata.download_json, name="opendata_json"),
    # statistics
    path("statistics/", cached(analytics.statistics_page), name="statistics"),
    path("statistics/<slug:name>.csv", cached(analytics.statistics_csv), name="statistics_csv"),
    # ERUs, assigned amounts and emissions per host Party (issue 16)
    path("statistics/conversions/", cached(conversions_index), name="conversions"),
    path("statistics/conversions/<str:code>/", cached(conversions_party), name="conversions_party"),
    path("statistics/conversions/<str:code>.csv", cached(conversions_csv), name="conversions_csv"),
    # help: a guide per role (issue 15)
    path("help/", cached(help.help_index), name="help_index"),
    path("help/<slug:role>/", cached(help.help_role), name="help_role"),
]
