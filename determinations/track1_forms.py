"""Forms of the host's focal point's Track 1 acts (``determinations.track1``). They validate the
input's shape; the acts check the rest and refuse with a reason that lands on the form."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from jitrack.errors import Invalid
from jitrack.files import read_pdf_upload
from projects.forms import DATE, ProjectForm, parse_expected
from projects.models import Party

PDF = forms.ClearableFileInput(attrs={"accept": "application/pdf"})


def _pdf(form: forms.Form, name: str):
    """A chosen file is a readable PDF within the size limit (``jitrack.files``), checked before
    the act is confirmed so that the confirmation holds it."""
    uploaded = form.cleaned_data.get(name)
    if uploaded:
        try:
            read_pdf_upload(uploaded, field=name)
        except Invalid as err:
            raise ValidationError(err.detail) from None
    return uploaded


class Track1ProjectForm(ProjectForm):
    """The project's data as for Track 2 (``projects.forms.ProjectForm``), the host being the
    focal point's Party and the participants named, with the host's reference, approval and
    determination."""

    reference = forms.CharField(
        max_length=20,
        label=_("Reference assigned by the host Party"),
        help_text=_("The host Party's code followed by digits, e.g. UA1000001."),
    )
    national_approval_reference = forms.CharField(
        max_length=100, label=_("National approval (reference of the host's decision)")
    )
    national_guidelines = forms.CharField(
        max_length=300, required=False, label=_("National guidelines applied")
    )
    participant_names = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label=_("Project participants"),
        help_text=_("One name a line, as the host Party approved them."),
    )
    determined_on = forms.DateField(widget=DATE, label=_("Determined on"))
    entity = forms.CharField(
        max_length=200,
        label=_("Determined by (entity)"),
        help_text=_("The entity that determined the project for the host Party."),
    )
    report = forms.FileField(label=_("Determination report (PDF)"), widget=PDF)
    pdd = forms.FileField(
        required=False, label=_("Project design document (PDF, optional)"), widget=PDF
    )

    field_order = [
        "reference",
        "title",
        "national_approval_reference",
        "national_guidelines",
        "determined_on",
        "entity",
        "report",
        "pdd",
        "parties_involved",
        "participant_names",
    ]

    def __init__(self, *args, host: Party, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["host_party"]
        del self.fields["participants"]
        self.fields["title"].label = _("Title")
        self.fields["parties_involved"].queryset = Party.objects.exclude(pk=host.pk)
        self.host = host

    def clean_report(self):
        return _pdf(self, "report")

    def clean_pdd(self):
        return _pdf(self, "pdd")

    def clean_participant_names(self) -> list[str]:
        return [
            line for line in self.cleaned_data["participant_names"].splitlines() if line.strip()
        ]

    def act_data(self) -> dict:
        """The cleaned data as ``track1.record_project`` takes it."""
        data = dict(self.cleaned_data)
        data["host_party"] = self.host
        data["parties_involved"] = list(data["parties_involved"])
        data["sectoral_scopes"] = list(data["sectoral_scopes"])
        data["pdd"] = data.get("pdd") or None
        return data


class Track1VerificationForm(forms.Form):
    period_start = forms.DateField(widget=DATE, label=_("Monitoring period start"))
    period_end = forms.DateField(widget=DATE, label=_("Monitoring period end"))
    verified = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "2009: 45000"}),
        label=_("Reductions verified by calendar year (t CO2e)"),
        help_text=_("One line per year of the period, “year: tonnes”."),
    )
    verified_on = forms.DateField(widget=DATE, label=_("Verified on"))
    entity = forms.CharField(
        max_length=200,
        label=_("Verified by (entity)"),
        help_text=_("The entity that verified the reductions for the host Party."),
    )
    report = forms.FileField(label=_("Verification report (PDF)"), widget=PDF)
    monitoring_report = forms.FileField(
        required=False, label=_("Monitoring report (PDF, optional)"), widget=PDF
    )

    def clean_verified(self) -> dict[str, int]:
        return {str(y): t for y, t in parse_expected(self.cleaned_data["verified"]).items()}

    def clean_report(self):
        return _pdf(self, "report")

    def clean_monitoring_report(self):
        return _pdf(self, "monitoring_report")

    def act_data(self) -> dict:
        """The cleaned data as ``track1.record_verification`` takes it."""
        data = dict(self.cleaned_data)
        data["monitoring_report"] = data.get("monitoring_report") or None
        return data
