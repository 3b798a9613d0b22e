"""Routes of the public registry: its sections, feeds, calendars, open data and statistics
(issue 6). All public, no login; included at the site root before ``projects.urls``."""

from django.urls import path

from . import analytics, calendars, feeds, opendata, sections

urlpatterns = [
    # the registry's sections (PDDs, determinations, monitoring, verifications, reviews, ERUs)
    path("registry/", sections.sections_index, name="registry"),
    path("registry/<slug:slug>/", sections.section_page, name="registry_section"),
    # Atom feeds
    path("feeds/", feeds.NoticeFeed(), name="feed_all"),
    path("feeds/parties/<str:code>/", feeds.PartyFeed(), name="feed_party"),
    path("feeds/kinds/<str:kind>/", feeds.KindFeed(), name="feed_kind"),
    path("projects/<str:key>/feed/", feeds.ProjectFeed(), name="feed_project"),
    # iCalendar
    path("calendar.ics", calendars.registry_calendar, name="calendar"),
    path("projects/<str:key>/calendar.ics", calendars.project_calendar, name="project_calendar"),
    # open data
    path("opendata/", opendata.opendata_page, name="opendata"),
    path("opendata/dictionary.json", opendata.dictionary_json, name="opendata_dictionary"),
    path("opendata/<slug:name>.csv", opendata.download_csv, name="opendata_csv"),
    path("opendata/<slug:name>.json", opendata.download_json, name="opendata_json"),
    # statistics
    path("statistics/", analytics.statistics_page, name="statistics"),
    path("statistics/<slug:name>.csv", analytics.statistics_csv, name="statistics_csv"),
]
