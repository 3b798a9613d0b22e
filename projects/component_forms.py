"""Forms of the components of a programme of activities (``projects.components``): they
validate the shape; the dates and the rest are the act's own checks."""

from django import forms
from django.utils.translation import gettext_lazy as _

from jitrack.text import validate_single_line


class IncludeComponentForm(forms.Form):
    title = forms.CharField(
        max_length=255, label=_("Title of the component"), validators=[validate_single_line]
    )
    location = forms.CharField(
        max_length=200, required=False, label=_("Location"), validators=[validate_single_line]
    )
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=20000,
        label=_("Description"),
        help_text=_(
            "The technology, the measures and how the component meets the programme's eligibility criteria."
        ),
    )
    included_on = forms.DateField(
        label=_("Inclusion date"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Not in the future; its monitoring periods start no earlier."),
    )
    expected_annual_reductions = forms.IntegerField(
        min_value=0,
        max_value=10**12,
        initial=0,
        label=_("Expected annual reductions (t CO2e)"),
    )


class ExcludeComponentForm(forms.Form):
    excluded_on = forms.DateField(
        label=_("Exclusion date"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Its monitoring periods end before this day."),
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=20000,
        label=_("Reason"),
        help_text=_("Public, with the component."),
    )
