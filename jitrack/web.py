"""Browser plumbing every app's pages share: a refusal page, binding a form, putting a domain
refusal on the form, the act-then-redirect loop, pagination.

A ``DomainError`` from a workflow comes back on the form (as a field error when it names a form
field) with its HTTP status; nothing changes on error.
"""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from .errors import DomainError

PER_PAGE = 20
GET_POST = require_http_methods(["GET", "POST"])


def refuse(request: HttpRequest, detail: str, status: int = 403) -> HttpResponse:
    return render(request, "error.html", {"detail": detail, "status": status}, status=status)


def bind(request: HttpRequest, form_class: type[forms.Form], **kwargs) -> forms.Form:
    if request.method == "POST":
        return form_class(request.POST, request.FILES, **kwargs)
    return form_class(**kwargs)


def apply_error(form: forms.Form, err: DomainError) -> int:
    """Put a domain refusal on the form; return the HTTP status for the re-rendered page."""
    form.add_error(err.field if err.field in form.fields else None, err.detail)
    return err.status


def act(
    request: HttpRequest,
    form: forms.Form,
    call: Callable[[dict], object],
    *,
    template: str,
    context: dict,
    done: str | Callable[[object], str],
    then: Callable[[object], HttpResponse],
) -> HttpResponse:
    """GET shows the form; a valid POST calls the domain and redirects with a flash message."""
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                result = call(form.cleaned_data)
            except DomainError as err:
                status = apply_error(form, err)
            else:
                messages.success(request, done(result) if callable(done) else done)
                return then(result)
    return render(request, template, {**context, "form": form}, status=status)


def paginate(request: HttpRequest, queryset: QuerySet, per_page: int = PER_PAGE):
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def part_of_page(
    request: HttpRequest,
    items,
    *,
    param: str,
    per_page: int,
    newest_first: bool = False,
    count: int | None = None,
) -> dict:
    """One page of a long list shown inside another page (a project's timeline, its comments),
    turned by ``?<param>=N`` in that page's URL. With ``newest_first`` page 1 holds the last
    ``per_page`` items (the latest events) and the pages go back in time; each page lists its
    items in their own order all the same. A number out of range shows the nearest page: the
    list is a part of the page, which stays valid. For ``templates/_pagination.html``:
    ``page``, ``param``, ``query`` (the page's other parameters, kept by the links), and
    ``items``, ``first``, ``last`` (the positions shown, counted from the oldest). ``count``:
    the number of items when the caller has it already (an annotation), saving a query."""
    if newest_first:
        items = items.reverse() if isinstance(items, QuerySet) else items[::-1]
    paginator = Paginator(items, per_page)
    if count is not None:
        paginator.count = count  # a cached_property: set, it is never queried
    page = paginator.get_page(request.GET.get(param))
    shown = list(page.object_list)
    first, last = page.start_index(), page.end_index()
    if newest_first:
        shown.reverse()
        total = paginator.count
        first, last = total - last + 1, total - first + 1
    others = request.GET.copy()
    others.pop(param, None)
    return {
        "page": page,
        "param": param,
        "query": others.urlencode(),
        "items": shown,
        "first": first,
        "last": last,
    }
