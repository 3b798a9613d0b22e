"""Browser forms for the changes after the determination (``projects.changes``): they validate
input and hand it to the domain (STYLE habit 5)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .changes import REQUEST_LABELS
from .forms import DATE
from .models import Organisation, Party, ProjectChange

PDF = forms.ClearableFileInput(attrs={"accept": "application/pdf"})
K = ProjectChange.Kind


class ChangeRequestForm(forms.Form):
    """The participants add or remove a participant or a Party involved."""

    kind = forms.ChoiceField(
        choices=list(REQUEST_LABELS.items()), widget=forms.RadioSelect, label=_("Change")
    )
    organisation = forms.ModelChoiceField(
        Organisation.objects.filter(kind=Organisation.Kind.PARTICIPANT),
        required=False,
        label=_("Project participant (for a change of participants)"),
    )
    party = forms.ModelChoiceField(
        Party.objects.filter(kp_party=True),
        required=False,
        label=_("Party (for a change of the Parties involved)"),
    )
    reason = forms.CharField(
        max_length=5000, widget=forms.Textarea(attrs={"rows": 4}), label=_("Reason (public)")
    )
    consent_declared = forms.BooleanField(
        label=_(
            "All project participants consent to this change (a participant being removed "
            "need not)."
        )
    )
    consent = forms.FileField(
        required=False, widget=PDF, label=_("Consent letter of the participants (PDF, optional)")
    )

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind in (K.ADD_PARTICIPANT, K.REMOVE_PARTICIPANT) and not data.get("organisation"):
            self.add_error("organisation", _("Choose the participant."))
        if kind in (K.ADD_PARTY, K.REMOVE_PARTY) and not data.get("party"):
            self.add_error("party", _("Choose the Party."))
        return data


class CancelChangeForm(forms.Form):
    reason = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), label=_("Reason (public)")
    )


class PartyApprovalForm(forms.Form):
    """The new Party's focal point records its letter of approval (para 33 (a))."""

    issued_on = forms.DateField(widget=DATE, label=_("Letter issued on"))
    reference = forms.CharField(max_length=120, required=False, label=_("Letter reference"))
    file = forms.FileField(required=False, widget=PDF, label=_("Letter (PDF, optional)"))
    confirm = forms.BooleanField(
        label=_(
            "I confirm that my Party approves its participation in this project; once recorded "
            "the approval is on the public record."
        )
    )


class CreditingPeriodForm(forms.Form):
    """The host Party's focal point renews or extends the crediting period."""

    new_end = forms.DateField(widget=DATE, label=_("New end of the crediting period"))
    reason = forms.CharField(
        max_length=5000, widget=forms.Textarea(attrs={"rows": 3}), label=_("Reason (public)")
    )
    letter = forms.FileField(
        required=False, widget=PDF, label=_("Letter of the host Party (PDF, optional)")
    )
