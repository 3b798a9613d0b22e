"""Browser forms: they validate input and hand it to ``projects.workflow`` (STYLE habit 5)."""

from __future__ import annotations

import re
from datetime import date

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import deadlines
from . import workflow as wf
from .models import Comment, Document, Organisation, Party, Project, SectoralScope

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
EXPECTED_LINE = re.compile(r"^\s*(\d{4})\s*[:=\s]\s*([\d ,_.']+?)\s*(t|tonnes)?\s*$", re.I)


def parse_expected(text: str) -> dict[int, int]:
    """``2008: 40000`` lines (thousands separators allowed) -> ``{2008: 40000}``."""
    expected: dict[int, int] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        match = EXPECTED_LINE.match(line)
        digits = re.sub(r"[ ,_.']", "", match.group(2)) if match else ""
        if not digits.isdigit():
            raise forms.ValidationError(
                _("Line %(number)s (“%(line)s”) is not “year: tonnes”, e.g. “2009: 50000”.")
                % {"number": number, "line": line.strip()}
            )
        year = int(match.group(1))
        if year in expected:
            raise forms.ValidationError(_("The year %(year)s is given twice.") % {"year": year})
        expected[year] = int(digits)
    return expected


class ProjectForm(forms.Form):
    title = forms.CharField(max_length=255)
    host_party = forms.ModelChoiceField(Party.objects.all(), label=_("Host Party"))
    parties_involved = forms.ModelMultipleChoiceField(
        Party.objects.all(),
        required=False,
        label=_("Other Parties involved"),
        help_text=_("Hold Ctrl (⌘ on a Mac) to choose several."),
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    participants = forms.ModelMultipleChoiceField(
        Organisation.objects.none(),
        required=False,
        label=_("Other project participants"),
        help_text=_("Your organisation is always a participant."),
        widget=forms.SelectMultiple(attrs={"size": 5}),
    )
    sectoral_scopes = forms.ModelMultipleChoiceField(
        SectoralScope.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        label=_("Sectoral scopes"),
    )
    small_scale = forms.BooleanField(required=False, label=_("Small-scale project"))
    small_scale_type = forms.ChoiceField(
        choices=[("", "—"), *Project.SmallScaleType.choices],
        required=False,
        label=_("Small-scale type"),
        help_text=_("1/CMP.2 para 28, with the CDM small-scale definitions."),
    )
    small_scale_figure = forms.DecimalField(
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=3,
        label=_("Small-scale figure"),
        help_text=_("MW of output capacity (I), GWh a year saved (II) or t CO2e a year (III)."),
    )
    poa = forms.BooleanField(required=False, label=_("Programme of activities (PoA)"))
    crediting_start = forms.DateField(
        required=False, widget=DATE, label=_("Crediting period start")
    )
    crediting_end = forms.DateField(required=False, widget=DATE, label=_("Crediting period end"))
    baseline_approach = forms.ChoiceField(
        choices=Project.Approach.choices, label=_("Baseline and monitoring approach")
    )
    methodology = forms.CharField(
        max_length=120,
        required=False,
        label=_("Approved CDM methodology"),
        help_text=_("Required when an approved CDM methodology is used, e.g. ACM0001."),
    )
    monitoring_approach = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), label=_("Monitoring approach")
    )
    expected = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5, "placeholder": "2009: 50000\n2010: 60000"}),
        label=_("Expected emission reductions by year (t CO2e)"),
        help_text=_("One line per year, “year: tonnes”. The average is computed when you save."),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        orgs = Organisation.objects.filter(kind=Organisation.Kind.PARTICIPANT)
        if user is not None and user.organisation_id:
            orgs = orgs.exclude(pk=user.organisation_id)
        self.fields["participants"].queryset = orgs

    def clean_expected(self) -> dict[int, int]:
        return parse_expected(self.cleaned_data["expected"])

    @staticmethod
    def initial_for(project: Project, user) -> dict:
        return {
            "title": project.title,
            "host_party": project.host_party_id,
            "parties_involved": list(project.parties_involved.all()),
            "participants": [o for o in project.participants.all() if o.pk != user.organisation_id],
            "sectoral_scopes": list(project.sectoral_scopes.all()),
            "small_scale": project.small_scale,
            "small_scale_type": project.small_scale_type,
            "small_scale_figure": project.small_scale_figure,
            "poa": project.poa,
            "crediting_start": project.crediting_start,
            "crediting_end": project.crediting_end,
            "baseline_approach": project.baseline_approach,
            "methodology": project.methodology,
            "monitoring_approach": project.monitoring_approach,
            "expected": "\n".join(f"{e.year}: {e.tonnes}" for e in project.expected.all()),
        }


# ji-rules §7 "Documents": what participants upload (``workflow.PARTICIPANT_KINDS``).
UPLOAD_KINDS = [(k, label) for k, label in Document.Kind.choices if k in wf.PARTICIPANT_KINDS]


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(choices=UPLOAD_KINDS, label=_("Document"))
    title = forms.CharField(max_length=255, required=False)
    file = forms.FileField(
        label=_("PDF file"), widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"})
    )
    confidential = forms.BooleanField(
        required=False,
        label=_("Confidential (para 40)"),
        help_text=_(
            "Not for the PDD, additionality, baseline methodology or environmental "
            "impact documents: these are always public."
        ),
    )


class ApprovalForm(forms.Form):
    party = forms.ModelChoiceField(Party.objects.none(), label=_("Party"))
    issued_on = forms.DateField(widget=DATE, label=_("Issued on"))
    reference = forms.CharField(max_length=120, required=False, label=_("Letter reference"))
    file = forms.FileField(
        required=False,
        label=_("Letter (PDF, optional)"),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}),
    )

    def __init__(self, *args, parties=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["party"].queryset = Party.objects.filter(pk__in=[p.pk for p in parties])
        if len(parties) == 1:  # e.g. a focal point, who records its own Party's letter
            self.fields["party"].empty_label = None
            self.fields["party"].initial = parties[0].pk


class AIEChoiceForm(forms.Form):
    aie = forms.ModelChoiceField(
        Organisation.objects.filter(kind=Organisation.Kind.AIE), label=_("Accredited entity")
    )


class ConfirmApprovalForm(forms.Form):
    confirm = forms.BooleanField(
        label=_(
            "I confirm that my Party issued this letter of approval; once confirmed it is on "
            "the record and cannot be undone."
        )
    )


class ChangeAIEForm(AIEChoiceForm):
    reason = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), label=_("Reason (public)")
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label=_("Reason"))
    confirm = forms.BooleanField(
        label=_(
            "I understand that a withdrawn project cannot be resumed; once published it stays "
            "on the public record marked withdrawn."
        )
    )


class DecisionForm(forms.Form):
    """Accept or decline / publish or return, with reasons."""

    ACCEPT_LABEL = _("Accept")
    REJECT_LABEL = _("Decline")
    decision = forms.ChoiceField(widget=forms.RadioSelect, label=_("Decision"))
    reason = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), label=_("Reasons")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision"].choices = [
            ("accept", self.ACCEPT_LABEL),
            ("reject", self.REJECT_LABEL),
        ]

    @property
    def accept(self) -> bool:
        return self.cleaned_data["decision"] == "accept"


class EngagementDecisionForm(DecisionForm):
    pass


def availability_choices() -> list[tuple[str, str]]:
    return [
        (d.isoformat(), d.strftime("%-d %b %Y") + (_(" (today)") if i == 0 else _(" (tomorrow)")))
        for i, d in enumerate(deadlines.allowed_availability_dates(timezone.localdate()))
    ]


class CheckForm(DecisionForm):
    """The secretariat's check: publish (available today or tomorrow) or return with reasons."""

    ACCEPT_LABEL = _("Publish")
    REJECT_LABEL = _("Return with reasons")
    available_on = forms.TypedChoiceField(
        label=_("Availability date"),
        coerce=date.fromisoformat,
        required=False,
        help_text=_("The day the document becomes available counts as day 1 of the period."),
    )
    field_order = ["decision", "available_on", "reason"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["available_on"].choices = availability_choices()
        self.fields["reason"].label = _("Reasons for returning")


class CommentForm(forms.Form):
    name = forms.CharField(max_length=120, label=_("Your name"))
    affiliation = forms.CharField(max_length=200, required=False, label=_("Affiliation"))
    category = forms.ChoiceField(
        choices=Comment.Category.choices, label=_("You comment as"), widget=forms.RadioSelect
    )
    email = forms.EmailField(label=_("E-mail"), help_text=_("Not published."))
    text = forms.CharField(
        max_length=20000, widget=forms.Textarea(attrs={"rows": 6}), label=_("Comment")
    )
    attachment = forms.FileField(
        required=False,
        label=_("Attachment (PDF, optional)"),
        help_text=_("Published with your comment, e.g. a longer submission."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}),
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label=_("Answer (how due account is taken)"),
    )


class TerminateForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label=_("Reason"))
    confirm = forms.BooleanField(
        label=_(
            "I understand that a terminated project is not monitored or verified any more; it "
            "stays on the public record marked terminated."
        )
    )


class DocumentAsideForm(forms.Form):
    """ji-rules §7 "Documents": withdraw a document published in error, or mark it superseded
    by a later version of the same kind."""

    action = forms.ChoiceField(
        choices=[("withdraw", _("Withdraw it")), ("supersede", _("Superseded by a later version"))],
        widget=forms.RadioSelect,
        label=_("What happens to the document"),
    )
    superseded_by = forms.ModelChoiceField(
        Document.objects.none(), required=False, label=_("Later version")
    )
    reason = forms.CharField(
        max_length=2000, widget=forms.Textarea(attrs={"rows": 3}), label=_("Public reason")
    )

    def __init__(self, *args, document: Document, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["superseded_by"].queryset = Document.objects.filter(
            project=document.project_id,
            kind=document.kind,
            version__gt=document.version,
            published_at__isnull=False,
        )


class RemoveCommentForm(forms.Form):
    reason = forms.CharField(
        max_length=500,
        label=_("Reason for removing this comment (public)"),
        help_text=_("Shown in place of the comment: “removed by the secretariat on DATE: REASON”."),
    )


class PaymentForm(forms.Form):
    reference = forms.CharField(max_length=120, required=False, label=_("Bank reference"))
