"""A confirmation step for acts that cannot be undone, without JavaScript (the CSP forbids inline
script): the act's POST does nothing until it carries ``confirmed=yes``. Without it, a valid POST
answers with a page that says what will happen and its consequences, and re-posts the same data
with ``confirmed=yes`` (Confirm) or goes back (Cancel). The API is not concerned: it acts at once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import dateformat
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from .web import act

# Not "confirm": some forms have a tick-box of that name (WithdrawForm, TerminateForm).
CONFIRM_FIELD = "confirmed"
CONFIRM_VALUE = "yes"
# What the confirmation page must not post again: Django's token is added by the page itself.
NOT_REPLAYED = {"csrfmiddlewaretoken", CONFIRM_FIELD}


@dataclass(frozen=True)
class Consequences:
    """What the confirmation page says: ``title`` (the question), ``what`` (what will happen and
    what follows, one sentence a line), the label of the Confirm button, where Cancel goes."""

    title: str | Promise
    what: list[str | Promise]
    submit: str | Promise
    cancel: str
    danger: bool = False
    summary: list[tuple[str, str]] = field(default_factory=list)


def confirmed(request: HttpRequest) -> bool:
    return request.POST.get(CONFIRM_FIELD) == CONFIRM_VALUE


def _shown(form: forms.Form, name: str, value) -> str:
    bound = form.fields[name]
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if hasattr(value, "isoformat") and not hasattr(value, "hour"):
        return dateformat.format(value, "j M Y")
    if isinstance(bound, forms.ChoiceField) and not isinstance(bound, forms.ModelChoiceField):
        return str(dict(bound.choices).get(value, value))
    return str(value)


def summary_of(form: forms.Form) -> list[tuple[str, str]]:
    """The values the user entered, labelled as on the form (empty ones left out)."""
    rows = []
    for name in form.fields:
        value = form.cleaned_data.get(name)
        if value in (None, "", [], ()) or isinstance(form.fields[name].widget, forms.HiddenInput):
            continue
        if isinstance(form.fields[name], forms.FileField):
            continue  # a file cannot be posted again from a page: such forms are not confirmed
        rows.append((str(form.fields[name].label or name), _shown(form, name, value)))
    return rows


def ask(request: HttpRequest, consequences: Consequences) -> HttpResponse:
    """The confirmation page: the data of this request (if a POST) posted again with
    ``confirmed=yes`` to the same URL."""
    replay = [
        (key, value)
        for key, values in (request.POST.lists() if request.method == "POST" else [])
        if key not in NOT_REPLAYED
        for value in values
    ]
    return render(
        request,
        "confirm.html",
        {
            "c": consequences,
            "replay": replay,
            "confirm_field": CONFIRM_FIELD,
            "confirm_value": CONFIRM_VALUE,
        },
    )


def act_confirmed(
    request: HttpRequest,
    form: forms.Form,
    call: Callable[[dict], object],
    *,
    consequences: Callable[[dict], Consequences | None],
    **act_kwargs,
) -> HttpResponse:
    """``jitrack.web.act``, with the confirmation page between a valid POST and the act:
    ``consequences(cleaned_data)`` says what the act will do, or None when this use of the form
    can be undone (returning a document for completion) and needs no confirmation."""
    if request.method == "POST" and not confirmed(request) and form.is_valid():
        said = consequences(form.cleaned_data)
        if said is None:
            return act(request, form, call, **act_kwargs)
        if not said.summary:
            said = Consequences(**{**said.__dict__, "summary": summary_of(form)})
        return ask(request, said)
    return act(request, form, call, **act_kwargs)
