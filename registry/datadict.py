"""What every download of the registry shares (the open-data datasets, ``opendata``, and the
statistics tables, ``analytics``): the data dictionary's ``Field`` and ``Dataset``, its
``VERSION``, the headers that point a download to the dictionary, and English texts.

Versioning: ``VERSION`` is the dictionary's version; change it whenever a field is added, removed
or changes meaning. Every CSV carries it in the ``X-Data-Dictionary-Version`` header next to a
``Link: <…/opendata/dictionary.json>; rel="describedby"`` header (``versioned``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from jitrack.i18n import in_official_language
from projects.models import Project

# 1.1: the scope, section, from and to filters. 1.2: sources cite the JI guidelines and the
# JISC's documents by paragraph; the CSV rules (``opendata.CSV_RULES``). 1.3: Track 1 beside
# Track 2 (issue 16): the projects' ``track``, ``national_approval_reference`` and
# ``national_guidelines``, the ``track`` filter, and the statistics tables
# ``projects-and-erus-by-track`` and ``erus-by-year-and-track``; the verifications' ``track``;
# the ``components`` dataset of the programmes of activities.
VERSION = "1.3"


@dataclass(frozen=True)
class Field:
    name: str
    type: str  # one of opendata.TYPES
    meaning: str
    source: str
    values: tuple[str, ...] = ()

    def as_dict(self) -> dict:
        out = {"name": self.name, "type": self.type, "meaning": self.meaning}
        if self.values:
            out["values"] = list(self.values)
        out["source"] = self.source
        return out


@dataclass(frozen=True)
class Dataset:
    name: str
    title: str
    description: str
    fields: tuple[Field, ...]
    rows: Callable[[QuerySet[Project], HttpRequest], Iterator[dict]] | None = None

    @property
    def header(self) -> list[str]:
        return [f.name for f in self.fields]

    def as_dict(self, urls: dict | None = None) -> dict:
        out = {"name": self.name, "title": self.title, "description": self.description}
        if urls:
            out["downloads"] = urls
        out["fields"] = [f.as_dict() for f in self.fields]
        return out


def dictionary_url(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("opendata_dictionary"))


def in_english(view):
    """Downloads are data, not pages: their texts (the dictionary's meanings, labels in a
    statistics table, error details) stay in English whatever the visitor's language. Texts are
    made strings inside the view: a streamed body must hold no lazy translation."""

    english = in_official_language(view)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = english(request, *args, **kwargs)
        response.headers.setdefault("Content-Language", settings.LANGUAGE_CODE)
        return response

    return wrapper


def versioned(response: HttpResponse, request: HttpRequest) -> HttpResponse:
    response["X-Data-Dictionary-Version"] = VERSION
    response["Link"] = f'<{dictionary_url(request)}>; rel="describedby"'
    return response
