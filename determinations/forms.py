"""The F-JI-DRep filing form (para 33-34) and the secretariat's check."""

from django import forms

from .models import Determination

YES_NO = [("yes", "Met"), ("no", "Not met")]
SUPPORTING_SLOTS = 2


class DeterminationForm(forms.Form):
    outcome = forms.ChoiceField(
        choices=Determination.Outcome.choices, widget=forms.RadioSelect, label="Outcome"
    )
    due_account = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        label="How due account was taken of the comments",
        help_text="The summary of comments and your answers is added to the report for you.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        findings = {}
        for key, label in Determination.FINDINGS:
            findings[f"{key}_met"] = forms.ChoiceField(
                choices=YES_NO, widget=forms.RadioSelect, label=label
            )
            findings[f"{key}_reasons"] = forms.CharField(
                widget=forms.Textarea(attrs={"rows": 3}), label="Reasons"
            )
        for n in range(1, SUPPORTING_SLOTS + 1):
            findings[f"doc{n}_title"] = forms.CharField(
                max_length=255, required=False, label=f"Supporting document {n}: title"
            )
            findings[f"doc{n}_file"] = forms.FileField(
                required=False,
                label="PDF file",
                widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}),
            )
            findings[f"doc{n}_confidential"] = forms.BooleanField(
                required=False, label="Confidential"
            )
        self.fields = findings | self.fields

    def finding_rows(self):
        return [(self[f"{key}_met"], self[f"{key}_reasons"]) for key, _ in Determination.FINDINGS]

    def supporting_rows(self):
        return [
            (self[f"doc{n}_title"], self[f"doc{n}_file"], self[f"doc{n}_confidential"])
            for n in range(1, SUPPORTING_SLOTS + 1)
        ]

    def clean(self):
        data = super().clean()
        for n in range(1, SUPPORTING_SLOTS + 1):
            if data.get(f"doc{n}_title") and not data.get(f"doc{n}_file"):
                self.add_error(f"doc{n}_file", "Choose the PDF for this document.")
        return data

    def findings(self) -> dict[str, tuple[bool, str]]:
        d = self.cleaned_data
        return {
            key: (d[f"{key}_met"] == "yes", d[f"{key}_reasons"])
            for key, _ in Determination.FINDINGS
        }

    def supporting(self) -> list[tuple[str, object, bool]]:
        d = self.cleaned_data
        return [
            (d[f"doc{n}_title"], d[f"doc{n}_file"], d[f"doc{n}_confidential"])
            for n in range(1, SUPPORTING_SLOTS + 1)
            if d.get(f"doc{n}_file")
        ]
