"""The secretariat's page of a Party's assigned amounts and reported emissions
(``/parties/<code>/inventory/``): the figures recorded, each with its source, and a form for each
kind; recording a figure that exists corrects it (INVENTORY_CORRECTIONS, ``inventory``)."""

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from jitrack.errors import DomainError
from jitrack.web import GET_POST, apply_error, refuse
from projects.models import Party

from . import inventory
from .inventory_forms import AssignedAmountForm, EmissionsForm
from .models import AssignedAmount, ReportedEmissions

PARTY_CODE = re.compile(r"[A-Za-z]{2}")
# Which form a POST is: the name of its submit button.
FORMS = {"assigned_amount": AssignedAmountForm, "emissions": EmissionsForm}


@login_required
@GET_POST
def party_inventory(request, code):
    party = Party.objects.filter(code=code.upper()).first() if PARTY_CODE.fullmatch(code) else None
    if party is None:
        raise Http404(f"No Party {code!r}.")
    if not request.user.has_perm(inventory.PERM):
        return refuse(request, _("Only the secretariat records assigned amounts and emissions."))
    forms = {name: form_class(prefix=name) for name, form_class in FORMS.items()}
    status = 200
    if request.method == "POST":
        name = request.POST.get("form")
        if name not in FORMS:
            return refuse(request, _("Choose what to record."), status=400)
        form = forms[name] = FORMS[name](request.POST, prefix=name)
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                if name == "assigned_amount":
                    inventory.record_assigned_amount(request.user, party, **data)
                    done = _("Assigned amount recorded for %(party)s.")
                else:
                    inventory.record_emissions(request.user, party, **data)
                    done = _("Emissions of %(year)s recorded for %(party)s.")
            except DomainError as err:
                status = apply_error(form, err)
            else:
                messages.success(request, done % {"party": party.name, "year": data.get("year")})
                return redirect("party_inventory", code=party.code)
    return render(
        request,
        "determinations/inventory/party.html",
        {
            "party": party,
            "amounts": AssignedAmount.objects.filter(party=party).select_related("recorded_by"),
            "emissions": ReportedEmissions.objects.filter(party=party)
            .select_related("recorded_by")
            .order_by("-year"),
            "forms": forms,
        },
        status=status,
    )
