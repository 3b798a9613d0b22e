"""The F-JI-DRep filing form (para 33-34) and the secretariat's check."""

import re
from datetime import date

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from projects.forms import availability_choices
from projects.models import Accreditation, Organisation

from .models import CommitmentPeriod, Determination

YES_NO = [("yes", gettext_lazy("Met")), ("no", gettext_lazy("Not met"))]
SUPPORTING_SLOTS = 2


class DeterminationForm(forms.Form):
    outcome = forms.ChoiceField(
        choices=Determination.Outcome.choices,
        widget=forms.RadioSelect,
        label=gettext_lazy("Outcome"),
    )
    due_account = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        label=gettext_lazy("How due account was taken of the comments"),
        help_text=gettext_lazy(
            "The summary of comments and your answers is added to the report for you."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        findings = {}
        for key, label in Determination.FINDINGS:
            findings[f"{key}_met"] = forms.ChoiceField(
                choices=YES_NO, widget=forms.RadioSelect, label=label
            )
            findings[f"{key}_reasons"] = forms.CharField(
                widget=forms.Textarea(attrs={"rows": 3}), label=_("Reasons")
            )
        for n in range(1, SUPPORTING_SLOTS + 1):
            findings[f"doc{n}_title"] = forms.CharField(
                max_length=255,
                required=False,
                label=_("Supporting document %(n)s: title") % {"n": n},
            )
            findings[f"doc{n}_file"] = forms.FileField(
                required=False,
                label=_("PDF file"),
                widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}),
            )
            findings[f"doc{n}_confidential"] = forms.BooleanField(
                required=False, label=_("Confidential")
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
                self.add_error(f"doc{n}_file", _("Choose the PDF for this document."))
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


# --- monitoring, verification and ERU issuance (paras 36-39, 13/CMP.1 annex para 29) ----------

YEAR_LINE = re.compile(r"\s*(\d{4})\s*[:=]\s*(\d{1,3}(?:[ ,]\d{3})+|\d+)\s*(?:t|tCO2e)?\s*")
BLOCK_LINE = re.compile(r"\s*(\d{1,15})\s*[-–]\s*(\d{1,15})\s*")
MAX_LINES = 50


def _lines(text: str) -> list[str]:
    lines = [line for line in (text or "").splitlines() if line.strip()]
    if len(lines) > MAX_LINES:
        raise forms.ValidationError(
            _("Give at most %(MAX_LINES)s lines.") % {"MAX_LINES": MAX_LINES}
        )
    return lines


class YearTonnesField(forms.CharField):
    """Lines such as ``2009: 25000`` (thousands may be separated by commas or spaces) read as
    {2009: 25000}; the domain checks the years against the period."""

    widget = forms.Textarea(attrs={"rows": 3, "placeholder": "2009: 25000\n2010: 25000"})

    def clean(self, value):
        text = super().clean(value)
        out: dict[int, int] = {}
        for line in _lines(text):
            m = YEAR_LINE.fullmatch(line)
            if not m:
                raise forms.ValidationError(
                    _("“%(value)s” is not a line like “2009: 25000”.")
                    % {"value": line.strip()[:40]}
                )
            year = int(m[1])
            if year in out:
                raise forms.ValidationError(_("%(year)s is given twice.") % {"year": year})
            out[year] = int(re.sub(r"[ ,]", "", m[2]))
        return out


class BlocksField(forms.CharField):
    """Lines such as ``1001-50000``: the first and last serial number of each block."""

    widget = forms.Textarea(attrs={"rows": 3, "placeholder": "1001-50000"})

    def clean(self, value):
        text = super().clean(value)
        blocks = []
        for line in _lines(text):
            m = BLOCK_LINE.fullmatch(line)
            if not m:
                raise forms.ValidationError(
                    _("“%(value)s” is not a block like “1001-50000”.")
                    % {"value": line.strip()[:40]}
                )
            blocks.append((int(m[1]), int(m[2])))
        return blocks


def _pdf_input():
    return forms.ClearableFileInput(attrs={"accept": "application/pdf"})


class SupportingSlots(forms.Form):
    """Optional supporting PDFs as title + file pairs (and a confidential box if asked)."""

    SLOTS = 2
    CONFIDENTIAL = False
    SLOT_LABEL = gettext_lazy("Supporting document")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for n in range(1, self.SLOTS + 1):
            self.fields[f"doc{n}_title"] = forms.CharField(
                max_length=255,
                required=False,
                label=_("%(SLOT_LABEL)s %(n)s: title") % {"SLOT_LABEL": self.SLOT_LABEL, "n": n},
            )
            self.fields[f"doc{n}_file"] = forms.FileField(
                required=False, label=_("PDF file"), widget=_pdf_input()
            )
            if self.CONFIDENTIAL:
                self.fields[f"doc{n}_confidential"] = forms.BooleanField(
                    required=False, label=_("Confidential")
                )

    def supporting_rows(self):
        return [
            [
                self[f"doc{n}_{part}"]
                for part in ("title", "file", "confidential")
                if self.has(n, part)
            ]
            for n in range(1, self.SLOTS + 1)
        ]

    def has(self, n: int, part: str) -> bool:
        return f"doc{n}_{part}" in self.fields

    def main_fields(self):
        return [f for f in self.visible_fields() if not f.name.startswith("doc")]

    def clean(self):
        data = super().clean()
        for n in range(1, self.SLOTS + 1):
            if data.get(f"doc{n}_title") and not data.get(f"doc{n}_file"):
                self.add_error(f"doc{n}_file", _("Choose the PDF for this document."))
        return data

    def supporting(self) -> list[tuple]:
        d = self.cleaned_data
        out = []
        for n in range(1, self.SLOTS + 1):
            uploaded = d.get(f"doc{n}_file")
            if not uploaded:
                continue
            title = d.get(f"doc{n}_title") or uploaded.name
            if self.CONFIDENTIAL:
                out.append((title, uploaded, bool(d.get(f"doc{n}_confidential"))))
            else:
                out.append((title, uploaded))
        return out


class MonitoringReportForm(SupportingSlots):
    # para 40: a PP may mark a supporting document confidential (the report itself never).
    CONFIDENTIAL = True

    period_start = forms.DateField(
        label=gettext_lazy("First day of the monitoring period"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    period_end = forms.DateField(
        label=gettext_lazy("Last day of the monitoring period"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    aie = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        label=gettext_lazy("AIE verifying the report"),
        empty_label=gettext_lazy("Choose an AIE"),
        help_text=gettext_lazy("AIEs accredited for verification."),
    )
    claimed = YearTonnesField(
        label=gettext_lazy("Reductions claimed per calendar year (t CO2e)"),
        help_text=gettext_lazy("One line per calendar year of the period, e.g. “2009: 25000”."),
    )
    report = forms.FileField(label=gettext_lazy("Monitoring report (PDF)"), widget=_pdf_input())

    def __init__(self, *args, components=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["aie"].queryset = Organisation.objects.filter(
            kind=Organisation.Kind.AIE,
            accreditations__function=Accreditation.Function.VERIFICATION,
            accreditations__status=Accreditation.Status.ACCREDITED,
        ).order_by("name")
        if components:
            # A programme with components reports per component (``determinations.verification``
            # COMPONENT_MONITORING); the domain checks the choice against the period.
            self.fields["component"] = forms.TypedChoiceField(
                coerce=int,
                label=_("Component activity"),
                choices=[("", _("Choose a component"))]
                + [(c.number, f"{c.reference} — {c.title}") for c in components],
                help_text=_(
                    "The period starts no earlier than the component's inclusion (and ends "
                    "before its exclusion)."
                ),
            )
            self.order_fields(["component"])

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("The period ends before it starts."))
        return data


class ChangeForm(SupportingSlots):
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        label=gettext_lazy("What changed"),
        max_length=10000,
    )
    justification = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        label=gettext_lazy("Justification"),
        max_length=10000,
    )


class VerificationForm(SupportingSlots):
    CONFIDENTIAL = True

    verified = YearTonnesField(
        label=gettext_lazy("Reductions verified per calendar year (t CO2e)"),
        help_text=gettext_lazy("One line per calendar year of the period, e.g. “2009: 24000”."),
    )
    findings = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        label=gettext_lazy("Findings and reasons"),
        max_length=50000,
    )
    conditions_hold = forms.TypedChoiceField(
        choices=[("yes", gettext_lazy("Yes")), ("no", gettext_lazy("No"))],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
        label=gettext_lazy("Do the para 33 conditions still hold?"),
    )
    conditions_reasons = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), label=gettext_lazy("Reasons"), max_length=10000
    )
    no_overlap_declared = forms.BooleanField(
        required=False,
        label=gettext_lazy(
            "I declare that this monitoring period does not overlap a period already verified."
        ),
    )

    def __init__(self, *args, changes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.changes = list(changes)
        for change in self.changes:
            self.fields[f"change_{change.pk}"] = forms.CharField(
                widget=forms.Textarea(attrs={"rows": 3}),
                label=_("Your opinion on this change"),
                max_length=10000,
            )

    def change_rows(self):
        return [(c, self[f"change_{c.pk}"]) for c in self.changes]

    def main_fields(self):
        return [f for f in super().main_fields() if not f.name.startswith("change_")]

    def opinions(self) -> dict[str, str]:
        return {str(c.pk): self.cleaned_data[f"change_{c.pk}"] for c in self.changes}


class PublishVerificationForm(forms.Form):
    available_on = forms.TypedChoiceField(
        label=gettext_lazy("Availability date"),
        coerce=date.fromisoformat,
        required=False,
        help_text=gettext_lazy(
            "The day the report becomes available counts as day 1 of the 15 days."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["available_on"].choices = availability_choices()


class IssueForm(forms.Form):
    blocks = BlocksField(
        label=gettext_lazy("Blocks of serial numbers"),
        help_text=gettext_lazy(
            "One block per line: the first and the last serial, e.g. “1001-50000”. "
            "Each unit keeps its AAU serial number."
        ),
    )
    commitment_period = forms.TypedChoiceField(
        choices=[(1, gettext_lazy("First (2008–2012)")), (2, gettext_lazy("Second (2013–2020)"))],
        coerce=int,
        initial=1,
        label=gettext_lazy("Commitment period"),
    )

    def block_dicts(self) -> list[dict]:
        period = self.cleaned_data["commitment_period"]
        return [
            {"serial_start": s, "serial_end": e, "commitment_period": period}
            for s, e in self.cleaned_data["blocks"]
        ]


class MonitoringWithdrawForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label=gettext_lazy("Reason"),
        required=False,
        max_length=5000,
    )
    confirm = forms.BooleanField(
        label=gettext_lazy("I understand the report stays on the public record marked withdrawn.")
    )


class AauHoldingForm(forms.Form):
    """The focal point's statement of the AAUs of one commitment period its national registry
    holds now (AAU_STATEMENTS, ``determinations.issuance``): zero or more, per period."""

    commitment_period = forms.TypedChoiceField(
        choices=CommitmentPeriod.choices, coerce=int, label=gettext_lazy("Commitment period")
    )
    quantity = forms.IntegerField(
        min_value=0,
        max_value=10**15 - 1,
        label=gettext_lazy("AAUs held now"),
        help_text=gettext_lazy(
            "As your national registry holds them now (not an addition): the balance "
            "becomes this figure."
        ),
    )
    note = forms.CharField(max_length=200, required=False, label=gettext_lazy("Note"))
