"""Atom feeds of the public notices (issue 6): every public event of a published project, newest
first, FEED_ITEMS at most — for the whole registry, one project, one host Party or one kind of
notice.

What may appear is decided in one query (``public_notices``): events marked public, of projects
that are published (``public_projects``). Appraisals (F-JI-DA, F-JI-ExInpDA) and review working
papers never enter the event log at all; fees, invoices, payments and the other insider events
are written with ``public=False`` (ji-rules §6). Titles are the timeline labels; every item links
to the project page. Two kinds of public notice belong to no project: the accreditation events of
an AIE (``projects.accreditation``), linking to the AIEs' open data, and the eligibility events
of a Party (``projects.parties``), linking to the Parties' open data.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import Q, QuerySet
from django.http import Http404
from django.template.defaultfilters import yesno
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape, linebreaks
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from jitrack.errors import NotFound
from projects import parties
from projects.models import Event, Party, Project
from projects.selectors import parse_key, public_projects
from projects.timeline import event_detail, event_label

FEED_ITEMS = 50
# The kinds with a feed of their own: the steps of the cycle people subscribe to.
NOTICE_KINDS = (
    "pdd_published",
    "determination_published",
    "determination_final",
    "review_started",
    "review_decided",
    "verification_final",
    "erus_issued",
    # Track 1 (para 23): what the host Parties record
    "track1_recorded",
    "track1_verification",
)


def public_notices() -> QuerySet[Event]:
    """The public events of published projects, and those that belong to no project: the
    accreditation events of the AIEs (``projects.accreditation``) and the eligibility events of
    the Parties (``projects.parties``)."""
    return (
        Event.objects.filter(
            Q(project__in=public_projects().values("pk"))
            | Q(project__isnull=True, organisation__isnull=False)
            | Q(project__isnull=True, party__isnull=False),
            public=True,
        )
        .select_related("project", "organisation", "party")
        .order_by("-created_at", "-pk")
    )


def eligibility_detail(event: Event) -> str:
    """Each requirement the event changed, as in "(d) national registry in place: yes → no"."""
    parts = []
    for flag, change in (event.data or {}).get("changes", {}).items():
        label = parties.flag_label(flag) if flag in parties.FLAGS else flag
        parts.append(f"{label}: {yesno(change.get('before'))} → {yesno(change.get('after'))}")
    return "; ".join(parts) + "." if parts else ""


class NoticeFeed(Feed):
    """All public notices; subclasses narrow the events and name the feed."""

    feed_type = Atom1Feed
    title = _("Joint Implementation: public notices")
    subtitle = _(
        "Publications, deadlines and decisions of the Joint Implementation Track 2 "
        "procedure, newest first."
    )
    author_name = _("Joint Implementation registry (jitrack)")

    @method_decorator(require_safe)
    def __call__(self, request, *args, **kwargs):
        return super().__call__(request, *args, **kwargs)

    def link(self, obj=None) -> str:
        return reverse("home")

    def feed_url(self, obj=None) -> str:
        return reverse("feed_all")

    def narrow(self, events: QuerySet[Event], obj) -> QuerySet[Event]:
        return events

    def items(self, obj=None):
        return list(self.narrow(public_notices(), obj)[:FEED_ITEMS])

    def item_title(self, item: Event) -> str:
        project = item.project
        if project is None:
            subject = item.party if item.party_id else item.organisation
            return f"{event_label(item.kind)} — {subject.name}"
        title = f"{event_label(item.kind)} — {project.reference} {project.title}"
        if project.track == Project.Track.ONE:  # para 23: under the host's national procedure
            return f"{title} · {project.get_track_display()}"
        return title

    def item_description(self, item: Event) -> str:
        if item.project is None and item.party_id:
            parts = [escape(eligibility_detail(item))]
            source = (item.data or {}).get("source")
            if source:
                parts.append(linebreaks(gettext("Source: %(source)s") % {"source": source}, True))
        else:
            parts = [escape(event_detail(item))]
        if item.reason:
            parts.append(linebreaks(item.reason, autoescape=True))
        return "".join(p for p in parts if p)

    def _open_data(self, item: Event) -> str:
        """Where an event of no project is shown: the Parties' or the AIEs' open data."""
        return "api-parties" if item.party_id else "api-aies"

    def item_link(self, item: Event) -> str:
        if item.project is None:  # a Party's eligibility or an AIE's accreditation
            return reverse(self._open_data(item))
        return reverse("project_detail", args=[item.project.reference])

    def item_guid(self, item: Event) -> str:
        if item.project is None:
            return f"{settings.SITE_URL}{reverse(self._open_data(item))}#event-{item.pk}"
        return f"{settings.SITE_URL}/projects/{item.project.reference}/#event-{item.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, item: Event):
        return item.created_at

    def item_updateddate(self, item: Event):
        return item.created_at

    def item_author_name(self, item: Event) -> str:
        return item.actor_label

    def item_categories(self, item: Event) -> tuple[str, ...]:
        """The kind first, then the project's track (``track1``, ``track2``)."""
        if item.project is None:
            return (item.kind,)
        return (item.kind, f"track{item.project.track}")


class ProjectFeed(NoticeFeed):
    def get_object(self, request, key: str) -> Project:
        try:
            project = public_projects().filter(parse_key(key)).first()
        except NotFound:
            project = None
        if project is None:
            raise Http404(f"No published project {key!r}.")
        return project

    def title(self, obj: Project) -> str:
        return gettext("JI %(reference)s: %(title)s") % {
            "reference": obj.reference,
            "title": obj.title,
        }

    def subtitle(self, obj: Project) -> str:
        if obj.track == Project.Track.ONE:
            text = gettext("Public notices of JI Track 1 project %(reference)s, newest first.")
        else:
            text = gettext("Public notices of JI Track 2 project %(reference)s, newest first.")
        return text % {"reference": obj.reference}

    def link(self, obj: Project) -> str:
        return reverse("project_detail", args=[obj.reference])

    def feed_url(self, obj: Project) -> str:
        return reverse("feed_project", args=[obj.reference])

    def narrow(self, events, obj: Project):
        return events.filter(project=obj)


class PartyFeed(NoticeFeed):
    def get_object(self, request, code: str) -> Party:
        party = Party.objects.filter(code__iexact=code).first()
        if party is None:
            raise Http404(f"No Party {code!r}.")
        return party

    def title(self, obj: Party) -> str:
        return gettext("Joint Implementation: projects hosted by %(party)s") % {"party": obj.name}

    def subtitle(self, obj: Party) -> str:
        return gettext("Public notices of the projects %(party)s hosts, newest first.") % {
            "party": obj.name
        }

    def link(self, obj: Party) -> str:
        return f"{reverse('opendata')}?host_party={obj.code}"

    def feed_url(self, obj: Party) -> str:
        return reverse("feed_party", args=[obj.code])

    def narrow(self, events, obj: Party):
        """The notices of the projects the Party hosts, and the changes of its own eligibility,
        which decide whether it may host them (para 24)."""
        return events.filter(Q(project__host_party=obj) | Q(project__isnull=True, party=obj))


class KindFeed(NoticeFeed):
    def get_object(self, request, kind: str) -> str:
        if kind not in NOTICE_KINDS:
            raise Http404(f"No feed for {kind!r}.")
        return kind

    def title(self, obj: str) -> str:
        return gettext("Joint Implementation: %(notice)s") % {"notice": event_label(obj)}

    def subtitle(self, obj: str) -> str:
        return gettext("Public notices “%(notice)s”, newest first.") % {"notice": event_label(obj)}

    def feed_url(self, obj: str) -> str:
        return reverse("feed_kind", args=[obj])

    def narrow(self, events, obj: str):
        return events.filter(kind=obj)
