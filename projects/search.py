"""Text search over the projects' titles and participants (issue 13, target 5).

The title is a column of the project; its participants' names are kept beside it in
``Project.participants_text``, which this module alone writes: when a project's participants
change (``m2m_changed``) or an organisation is renamed (both connected in ``apps``), and in bulk
with ``rebuild`` after writes that send no signals (``generate_registry``).

On PostgreSQL, title and names are searched with full-text search through two GIN indexes, one
per configuration — English and Russian, the languages of the registry's pages, and ``simple``
for the words they drop — whose
expressions ``vector`` builds for the indexes (``Project.Meta``) and for the queries alike, so the
planner answers from the indexes (a bitmap OR of the three). Every word of the query must match, as
a prefix (``wind fa`` finds "Wind farm"), stemmed by the configuration; a reference matches
exactly. The embedded SQLite install has no full-text engine: there each word must occur in the
title or the names (``icontains``), which finds the same projects for whole words and prefixes
(SQLite folds the case of ASCII letters only: Cyrillic is matched as written).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connections
from django.db.models import Q, QuerySet

from .models import Organisation, Project

# English and Russian stem words; ``simple`` keeps every word as it is written, so that a word
# the languages drop as a stop word ("at", "на") or a code they would mangle is still found.
CONFIGS = ("english", "russian", "simple")
# Letters and digits of any script: tsquery operators and punctuation are never passed through.
_WORD = re.compile(r"[^\W_]+")
MAX_WORDS = 8


def vector(config: str) -> SearchVector:
    """The indexed expression, for the indexes and the queries alike."""
    return SearchVector("title", "participants_text", config=config)


def participants_text(names: Iterable[str]) -> str:
    return " ".join(sorted(names))


def _names(project_ids) -> dict[int, list[str]]:
    names: dict[int, list[str]] = {}
    rows = (
        Project.participants.through.objects.filter(project__in=project_ids)
        .order_by()
        .values_list("project_id", "organisation__name")
    )
    for project_id, name in rows.iterator(chunk_size=5000):
        names.setdefault(project_id, []).append(name)
    return names


def rebuild(projects: QuerySet[Project] | None = None) -> int:
    """Rewrite the participants' names of ``projects`` (all by default); the number changed."""
    projects = Project.objects.all() if projects is None else projects
    names = _names(projects.values("pk"))
    changed = []
    for project in projects.only("pk", "participants_text").iterator(chunk_size=2000):
        text = participants_text(names.get(project.pk, []))
        if text != project.participants_text:
            project.participants_text = text
            changed.append(project)
    Project.objects.bulk_update(changed, ["participants_text"], batch_size=1000)
    return len(changed)


def participants_changed(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    """``m2m_changed`` of ``Project.participants``, from either side."""
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not reverse:
        rebuild(Project.objects.filter(pk=instance.pk))
    elif pk_set:
        rebuild(Project.objects.filter(pk__in=pk_set))
    else:  # an organisation's projects cleared: which they were is gone
        rebuild()


def organisation_saved(sender, instance: Organisation, raw=False, created=False, **kwargs):
    if not raw and not created:  # a renamed participant is found under its new name
        rebuild(Project.objects.filter(participants=instance))


def words(text: str) -> list[str]:
    return _WORD.findall(text)[:MAX_WORDS]


def matching(projects: QuerySet[Project], text: str) -> QuerySet[Project]:
    """The projects whose reference is ``text`` or whose title and participants' names contain
    every word of it (as prefixes)."""
    terms = words(text)
    if not terms:
        return projects
    by_reference = Q(reference=text.strip())
    if connections[projects.db].vendor != "postgresql":
        every = Q()
        for term in terms:
            every &= Q(title__icontains=term) | Q(participants_text__icontains=term)
        return projects.filter(by_reference | every)
    raw = " & ".join(f"{term}:*" for term in terms)
    found = Q()
    for config in CONFIGS:
        name = f"_search_{config}"
        projects = projects.alias(**{name: vector(config)})
        found |= Q(**{name: SearchQuery(raw, search_type="raw", config=config)})
    return projects.filter(by_reference | found)
