"""The sections of the public registry, declared (issue 6): for each, the rows it lists among those
of published projects, the date ``from`` and ``to`` apply to, its sorts, its columns and the
open-data dataset that downloads its projects. Data only: ``filters.ProjectFilter`` (its
``section`` filter) and the pages (``sections``) both read ``SECTIONS``.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.db.models import Count, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from determinations.models import Determination, MonitoringReport, Verification
from projects.models import Project
from reviews.models import Review, ReviewRequest

S = Project.Status
# What a published project can be: drafts, engagements and submitted PDDs are never public.
PROJECT_STATUSES = tuple(s for s in S.values if s not in ("draft", "engaged", "pdd_submitted"))


@dataclass(frozen=True)
class Column:
    """A column of a section's table: ``cell`` names how its cells are drawn (in
    templates/registry/_section_cell.html); ``sort`` is the sort key its header link sets."""

    cell: str
    label: str
    sort: str = ""
    num: bool = False


@dataclass(frozen=True)
class Section:
    slug: str
    title: str
    intro: str
    model: str  # app_label.Model of the rows
    where: Q  # the section's rows among those of public projects
    date_field: str  # what ``from`` and ``to`` apply to
    date_label: str
    sorts: dict[str, str]  # sort key -> ORM path
    default_sort: str
    columns: tuple[Column, ...]
    noun: str  # "%(n)s projects", lazily plural
    statuses: Callable[[], list[tuple[str, str]]] | None = None  # None: fixed by ``where``
    project: str = ""  # ORM path from a row to its Project; "" for projects
    aie: str = "aie"  # the AIE the ``aie`` filter selects
    related: tuple[str, ...] = ()
    prepare: Callable[[QuerySet], QuerySet] | None = None  # annotations and prefetches
    download: str = ""  # the open-data dataset listing these rows' projects
    badge: str = ""  # prefix of the status badge's CSS class
    aie_label: str = _("AIE")

    @property
    def of_projects(self) -> bool:
        return not self.project

    def rows_of(self, projects: QuerySet[Project]) -> QuerySet:
        """Every row of the section's model belonging to ``projects`` (not yet ``where``)."""
        if self.of_projects:
            return projects
        model = apps.get_model(self.model)
        return model.objects.filter(**{f"{self.project}__in": projects.values("pk")})

    def project_of(self, row) -> Project:
        if self.of_projects:
            return row
        return operator.attrgetter(self.project.replace("__", "."))(row)

    def ordering(self, sort: str) -> list:
        """The ORM ordering of ``sort`` (``key`` or ``-key``), empty values last, then the
        primary key so that pages never overlap."""
        path = self.sorts[sort.lstrip("-")]
        if sort.startswith("-"):
            return [F(path).desc(nulls_last=True), "-pk"]
        return [F(path).asc(nulls_last=True), "pk"]


def _statuses(model) -> Callable[[], list[tuple[str, str]]]:
    return lambda: list(model.Status.choices)


def _public_project_statuses() -> list[tuple[str, str]]:
    return [(v, S(v).label) for v in PROJECT_STATUSES]


def _final_statuses() -> list[tuple[str, str]]:
    return [(S.FINAL, S.FINAL.label), (S.REJECTED, S.REJECTED.label)]


def _with_outcome(projects: QuerySet) -> QuerySet:
    """The outcome (positive or negative) of the determination that became final."""
    final = Determination.objects.filter(project=OuterRef("pk"), final_on__isnull=False)
    return projects.annotate(
        determination_outcome=Subquery(final.order_by("-number").values("outcome")[:1])
    )


def _public_review_facts(reviews: QuerySet) -> QuerySet:
    """Who requested each review — the Parties by name, JISC members by number — and nothing of
    the team's working papers, which stay confidential until the decision (ji-rules §6)."""
    members = (
        ReviewRequest.objects.filter(review=OuterRef("pk"), by="jisc")
        .values("review")
        .annotate(n=Count("pk"))
        .values("n")
    )
    parties = (
        ReviewRequest.objects.filter(party__isnull=False)
        .select_related("party")
        .only("review", "party__name")
        .order_by("received_at", "pk")
    )
    return (
        reviews.defer("report", "recommendation")
        .annotate(member_requests=Coalesce(Subquery(members), 0))
        .prefetch_related(Prefetch("requests", queryset=parties, to_attr="party_requests"))
    )


REF = Column("ref", _("Ref."), "reference")
TITLE = Column("title", _("Project"), "title")
HOST = Column("host", _("Host Party"), "host")
TRACK = Column("track", _("Track"), "track")
AIE = Column("aie", _("AIE"), "aie")
PROJECT = Column("project", _("Project"), "project")
PERIOD = Column("verified_period", _("Monitoring period"), "period")
PROJECT_SORTS = {
    "reference": "reference",
    "title": "title",
    "host": "host_party__name",
    "aie": "aie__name",
    "track": "track",
}
PROJECTS_NOUN = ngettext_lazy("%(n)s project", "%(n)s projects", "n")
VERIFICATION_SORTS = {
    "project": "project__reference",
    "period": "monitoring_report__period_start",
    "aie": "aie__name",
    "verified": "verified_total",
}
VERIFICATION_RELATED = ("project__host_party", "aie", "monitoring_report")
VERIFYING_AIE = _("Verifying AIE")
VERIFIER = Column("aie", VERIFYING_AIE, "aie")


def project_section(*, sorts: dict[str, str], columns: tuple[Column, ...], **fields) -> Section:
    """A section listing projects: reference, title, host Party, track and AIE first,
    downloadable as the projects dataset with the same filters."""
    return Section(
        model="projects.Project",
        sorts={**PROJECT_SORTS, **sorts},
        columns=(REF, TITLE, HOST, TRACK, AIE, *columns),
        noun=PROJECTS_NOUN,
        related=("host_party", "aie"),
        download="projects",
        **fields,
    )


def verification_section(
    *, where: Q, sorts: dict[str, str], columns: tuple[Column, ...], **fields
) -> Section:
    """A section listing verification reports made public (para 38): project, number, period,
    verifying AIE and tonnes verified first."""
    return Section(
        model="determinations.Verification",
        where=Verification.PUBLIC & where,
        sorts={**VERIFICATION_SORTS, **sorts},
        columns=(
            PROJECT,
            Column("number", _("Verification"), num=True),
            PERIOD,
            VERIFIER,
            Column("verified", _("Verified (t CO2e)"), "verified", num=True),
            *columns,
        ),
        noun=ngettext_lazy("%(n)s verification", "%(n)s verifications", "n"),
        project="project",
        related=VERIFICATION_RELATED,
        download="verifications",
        aie_label=VERIFYING_AIE,
        **fields,
    )


SECTIONS: dict[str, Section] = {
    s.slug: s
    for s in (
        project_section(
            slug="pdds-open",
            title=_("PDDs open for comment"),
            intro=_(
                "Project design documents made public through the secretariat whose 30-day "
                "comment period is running. Parties, stakeholders and accredited observers may "
                "comment until 17:00 GMT on the 30th day, the availability date being day 1; "
                "comments are public (JI guidelines, para 32)."
            ),
            where=Q(status=S.OPEN_FOR_COMMENTS),
            date_field="pdd_available_on",
            date_label=_("PDD made available"),
            sorts={
                "available": "pdd_available_on",
                "closes": "comments_close_at",
            },
            default_sort="closes",
            columns=(
                Column("pdd_available", _("PDD available"), "available"),
                Column("comments_close", _("Comments until"), "closes"),
            ),
        ),
        project_section(
            slug="pdds",
            title=_("PDD archive"),
            intro=_(
                "Every project design document made public (para 32), whatever the project's "
                "stage since, and every Track 1 project from the day its host Party recorded it "
                "(para 23). Withdrawn projects stay on the record, marked withdrawn (JISC "
                "procedures for the withdrawal of submissions, version 02)."
            ),
            where=Q(),
            date_field="pdd_available_on",
            date_label=_("PDD made available"),
            sorts={"status": "status", "available": "pdd_available_on"},
            default_sort="-available",
            columns=(
                Column("status", _("Status"), "status"),
                Column("pdd_available", _("PDD available"), "available"),
            ),
            statuses=_public_project_statuses,
        ),
        project_section(
            slug="determinations-open",
            title=_("Determinations in their 45-day period"),
            intro=_(
                "Determination reports (F-JI-DRep) made public whose 45-day period is running. "
                "A determination is final 45 days after it is made public unless a Party "
                "involved or three JISC members request a review by 17:00 GMT on the 45th day, "
                "the availability date being day 1 (JI guidelines, paras 34–35)."
            ),
            where=Q(status=S.DETERMINATION_PUBLISHED),
            date_field="determination_available_on",
            date_label=_("Determination made available"),
            sorts={
                "available": "determination_available_on",
                "closes": "review_window_closes_at",
            },
            default_sort="closes",
            columns=(
                Column("determination_available", _("Determination available"), "available"),
                Column("review_window", _("Review requests until"), "closes"),
            ),
        ),
        project_section(
            slug="determinations-final",
            title=_("Final determinations"),
            intro=_(
                "Determinations that became final, at the end of their 45-day period or by the "
                "JISC's decision on a review, and the projects rejected (JI guidelines, "
                "para 35)."
            ),
            where=Q(final_on__isnull=False, status__in=[S.FINAL, S.REJECTED]),
            date_field="final_on",
            date_label=_("Final on"),
            sorts={"status": "status", "final": "final_on"},
            default_sort="-final",
            columns=(
                Column("status", _("Status"), "status"),
                Column("outcome", _("Determination outcome")),
                Column("final_on", _("Final on"), "final"),
            ),
            statuses=_final_statuses,
            prepare=_with_outcome,
        ),
        Section(
            slug="monitoring",
            title=_("Monitoring reports"),
            intro=_(
                "Reports of the project participants on the emission reductions achieved in a "
                "monitoring period, submitted to an AIE for verification and made public "
                "(JI guidelines, para 36)."
            ),
            model="determinations.MonitoringReport",
            where=Q(report__published_at__isnull=False),
            date_field="submitted_at__date",
            date_label=_("Submitted"),
            sorts={
                "project": "project__reference",
                "number": "number",
                "period": "period_start",
                "aie": "aie__name",
                "status": "status",
                "submitted": "submitted_at",
            },
            default_sort="-submitted",
            columns=(
                PROJECT,
                Column("number", _("Report"), "number", num=True),
                Column("period", _("Monitoring period"), "period"),
                VERIFIER,
                Column("claimed", _("Claimed (t CO2e)"), num=True),
                Column("status", _("Status"), "status"),
                Column("submitted", _("Submitted"), "submitted"),
            ),
            noun=ngettext_lazy("%(n)s monitoring report", "%(n)s monitoring reports", "n"),
            statuses=_statuses(MonitoringReport),
            project="project",
            related=("project__host_party", "aie"),
            aie_label=VERIFYING_AIE,
        ),
        verification_section(
            slug="verifications-open",
            title=_("Verifications in their 15-day period"),
            intro=_(
                "Verification reports (F-JI-VRep) made public whose 15-day period is running. "
                "A verification is final 15 days after it is made public unless a Party "
                "involved or three JISC members request a review (JI guidelines, paras 38–39)."
            ),
            where=Q(status="published"),
            date_field="available_on",
            date_label=_("Verification made available"),
            sorts={
                "available": "available_on",
                "closes": "review_window_closes_at",
            },
            default_sort="closes",
            columns=(
                Column("available", _("Available"), "available"),
                Column("review_window", _("Review requests until"), "closes"),
            ),
        ),
        verification_section(
            slug="verifications-final",
            title=_("Final verifications"),
            intro=_(
                "Verifications deemed final, with the reductions verified and the ERUs the host "
                "Party has issued for them so far (JI guidelines, paras 38–39; decision "
                "13/CMP.1 annex, para 29)."
            ),
            where=Q(status="final"),
            date_field="final_on",
            date_label=_("Final on"),
            sorts={"erus": "erus_issued", "final": "final_on"},
            default_sort="-final",
            columns=(
                Column("erus", _("ERUs issued"), "erus", num=True),
                Column("final_on", _("Final on"), "final"),
            ),
        ),
        Section(
            slug="reviews",
            title=_("Review requests and reviews"),
            intro=_(
                "Reviews of determinations (para 35) and of verifications (para 39), started by "
                "a request of a Party involved or of three JISC members, with the legal limit "
                "for the JISC's decision and the decision once taken, with its reasons (JI "
                "guidelines, paras 35 and 39). The review team's working papers stay "
                "confidential until the decision."
            ),
            model="reviews.Review",
            where=Q(),
            date_field="requested_at__date",
            date_label=_("Requested"),
            sorts={
                "project": "project__reference",
                "kind": "kind",
                "requested": "requested_at",
                "due": "due_at",
                "status": "status",
            },
            default_sort="-requested",
            columns=(
                PROJECT,
                Column("kind", _("Review of"), "kind"),
                Column("requested_by", _("Requested by")),
                Column("requested", _("Requested"), "requested"),
                Column("due", _("Decision due by"), "due"),
                Column("status", _("Status"), "status"),
                Column("decision", _("Decision")),
            ),
            noun=ngettext_lazy("%(n)s review", "%(n)s reviews", "n"),
            statuses=_statuses(Review),
            project="project",
            aie="project__aie",
            related=("project__host_party",),
            prepare=_public_review_facts,
            badge="review-",
            aie_label=_("AIE of the project"),
        ),
        Section(
            slug="issuance",
            title=_("ERU issuance"),
            intro=_(
                "Emission reduction units issued by the host Party for final verifications, by "
                "converting AAUs held in its national registry; one AAU is cancelled for each "
                "ERU (decision 13/CMP.1 annex, para 29)."
            ),
            model="determinations.EruIssuance",
            where=Q(),
            date_field="recorded_at__date",
            date_label=_("Issued"),
            sorts={
                "project": "verification__project__reference",
                "host": "party__name",
                "verification": "verification__number",
                "quantity": "quantity",
                "issued": "recorded_at",
            },
            default_sort="-issued",
            columns=(
                PROJECT,
                Column("issuing_party", _("Host Party"), "host"),
                Column("verification_number", _("Verification"), "verification", num=True),
                Column("quantity", _("ERUs issued"), "quantity", num=True),
                Column("issued_at", _("Issued"), "issued"),
            ),
            noun=ngettext_lazy("%(n)s issuance", "%(n)s issuances", "n"),
            project="verification__project",
            aie="verification__aie",
            related=("verification__project__host_party", "party"),
            download="issuances",
            aie_label=VERIFYING_AIE,
        ),
    )
}
