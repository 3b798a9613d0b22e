"""The secretariat's forms for a Party's assigned amount and reported emissions
(``determinations.inventory``): they check the shape; the writer checks the rest."""

from django import forms
from django.utils.translation import gettext_lazy

from .inventory import FIRST_YEAR, LAST_YEAR, MAX_TONNES, SOURCE_MAX
from .models import CommitmentPeriod

SOURCE_HELP = gettext_lazy(
    "The public document the figure comes from, e.g. the report of the review of the initial "
    "report (FCCC/IRR/…) or the inventory submission of the year."
)


class AssignedAmountForm(forms.Form):
    commitment_period = forms.TypedChoiceField(
        choices=CommitmentPeriod.choices, coerce=int, label=gettext_lazy("Commitment period")
    )
    tonnes = forms.IntegerField(
        min_value=0,
        max_value=MAX_TONNES,
        label=gettext_lazy("Assigned amount (t CO2e over the whole period)"),
    )
    source = forms.CharField(
        max_length=SOURCE_MAX, label=gettext_lazy("Source"), help_text=SOURCE_HELP
    )


class EmissionsForm(forms.Form):
    year = forms.IntegerField(min_value=FIRST_YEAR, max_value=LAST_YEAR, label=gettext_lazy("Year"))
    tonnes = forms.IntegerField(
        min_value=0,
        max_value=MAX_TONNES,
        label=gettext_lazy("Total emissions of the year (t CO2e, without LULUCF)"),
    )
    source = forms.CharField(
        max_length=SOURCE_MAX, label=gettext_lazy("Source"), help_text=SOURCE_HELP
    )
