"""Browser forms for appraisals, review requests, reviews and meetings. They validate shape only;
``reviews.workflow`` checks roles, states, deadlines and conflicts of interest.

Fields carry the names the workflow uses in ``DomainError.field`` (a criterion key, ``members``,
``due_on``...), so a refusal lands next to the field it concerns.
"""

from __future__ import annotations

from django import forms
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from projects.forms import DATE

from .models import CRITERIA, Appraiser, Clarification, Review

YES_NO = [("yes", gettext_lazy("Met")), ("no", gettext_lazy("Not met"))]
ELECTRONIC = "electronic"


class ReviewRequestForm(forms.Form):
    """F-JI-DR: the reasons against each para 33 criterion (at least one) and a summary; with
    ``criteria=VERIFICATION_CRITERIA``, F-JI-VR about a verification (para 39)."""

    summary = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label=gettext_lazy("Summary of the reasons for the request"),
        help_text=gettext_lazy("Published with the request."),
    )

    def __init__(self, *args, criteria=CRITERIA, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        reasons = {
            key: forms.CharField(
                required=False,
                widget=forms.Textarea(attrs={"rows": 3}),
                label=label,
                help_text=_("Leave empty if you raise nothing against this criterion."),
            )
            for key, label in criteria
        }
        self.fields = reasons | self.fields

    def reasons(self) -> dict[str, str]:
        return {key: self.cleaned_data.get(key, "") for key, _ in self.criteria}


class CandidateChoice(forms.CheckboxSelectMultiple):
    """Checkboxes whose options can be disabled (a candidate with a conflict of interest)."""

    def __init__(self, *args, disabled=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.disabled = set(disabled)

    def create_option(self, name, value, *args, **kwargs):
        option = super().create_option(name, value, *args, **kwargs)
        if value in self.disabled:
            option["attrs"]["disabled"] = True
        return option


class AppointAppraisersForm(forms.Form):
    """Two JISC members and two experts, from candidates the view has loaded. A conflicted
    candidate is shown but cannot be ticked; a forged choice is refused by the workflow."""

    members = forms.TypedMultipleChoiceField(
        coerce=int, label=gettext_lazy("JISC members (F-JI-DA)")
    )
    experts = forms.TypedMultipleChoiceField(
        coerce=int, label=gettext_lazy("Experts (F-JI-ExInpDA)")
    )

    def __init__(self, *args, members=(), experts=(), **kwargs):
        """``members`` and ``experts``: candidate dicts with ``user``, ``load``, ``conflict``."""
        super().__init__(*args, **kwargs)
        self.users = {c["user"].pk: c["user"] for c in [*members, *experts]}
        for name, candidates in (("members", members), ("experts", experts)):
            field = self.fields[name]
            field.choices = [(c["user"].pk, _candidate_label(c)) for c in candidates]
            field.widget = CandidateChoice(
                disabled={c["user"].pk for c in candidates if c["conflict"]}
            )
            field.widget.choices = field.choices

    def chosen(self, name: str) -> list:
        return [self.users[pk] for pk in self.cleaned_data[name]]


def _candidate_label(candidate: dict) -> str:
    user = candidate["user"]
    seats = candidate["load"]
    extra = (
        _(" — conflict of interest: %(candidate)s") % {"candidate": candidate["conflict"]}
        if candidate["conflict"]
        else ""
    )
    return format_html(
        "{} <span class='muted'>· {}{}</span>",
        user.get_full_name() or user.username,
        ngettext("%(count)s open seat", "%(count)s open seats", seats) % {"count": seats},
        extra,
    )


class AppraisalForm(forms.Form):
    """F-JI-DA (members) and F-JI-ExInpDA (experts): each criterion met or not, with a comment."""

    opinion = forms.ChoiceField(
        choices=Appraiser.Opinion.choices,
        widget=forms.RadioSelect,
        label=gettext_lazy("Overall opinion"),
    )
    comments = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        label=gettext_lazy("Further comments"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        rows = {}
        for key, label in CRITERIA:
            rows[f"{key}_met"] = forms.ChoiceField(
                choices=YES_NO, widget=forms.RadioSelect, label=label
            )
            # Named after the criterion: the workflow's field errors use that key.
            rows[key] = forms.CharField(
                widget=forms.Textarea(attrs={"rows": 3}), label=_("Comment")
            )
        self.fields = rows | self.fields

    def criterion_rows(self):
        return [(self[f"{key}_met"], self[key]) for key, _ in CRITERIA]

    def criteria(self) -> dict:
        d = self.cleaned_data
        return {key: {"met": d[f"{key}_met"] == "yes", "comment": d[key]} for key, _ in CRITERIA}


class TeamForm(forms.Form):
    members = forms.TypedMultipleChoiceField(
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        label=gettext_lazy("Two JISC members (alternates count)"),
    )
    lead = forms.TypedChoiceField(coerce=int, widget=forms.RadioSelect, label=gettext_lazy("Lead"))

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.users = {u.pk: u for u in candidates}
        choices = [(u.pk, u.get_full_name() or u.username) for u in candidates]
        self.fields["members"].choices = choices
        self.fields["lead"].choices = choices

    def chosen(self) -> tuple[list, object]:
        d = self.cleaned_data
        return [self.users[pk] for pk in d["members"]], self.users[d["lead"]]


class ClarificationForm(forms.Form):
    addressed_to = forms.ChoiceField(
        choices=Clarification.To.choices, widget=forms.RadioSelect, label=gettext_lazy("Ask")
    )
    questions = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}), label=gettext_lazy("Questions")
    )
    due_on = forms.DateField(
        widget=DATE,
        label=gettext_lazy("Answer due on"),
        help_text=gettext_lazy("Due at 17:00 GMT on that day."),
    )


class ReportForm(forms.Form):
    recommendation = forms.ChoiceField(
        choices=Review.Decision.choices,
        widget=forms.RadioSelect,
        label=gettext_lazy("Recommendation"),
    )
    report = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 8}),
        label=gettext_lazy("Report (F-JI-RRep)"),
        help_text=gettext_lazy("Confidential until the JISC decides; public with the decision."),
    )


class DecideForm(forms.Form):
    decision = forms.ChoiceField(
        choices=Review.Decision.choices,
        widget=forms.RadioSelect,
        label=gettext_lazy("Decision of the JISC"),
    )
    reasons = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        label=gettext_lazy("Reasons"),
        help_text=gettext_lazy("Communicated to the project participants and published."),
    )
    meeting = forms.ChoiceField(label=gettext_lazy("Taken at"))

    def __init__(self, *args, meetings=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.meetings = {str(m.number): m for m in meetings}
        self.fields["meeting"].choices = [
            ("", _("— choose —")),
            (ELECTRONIC, _("An electronic decision (no meeting)")),
        ] + [(str(m.number), f"{m} ({m.starts_on:%-d %b %Y}, {m.where})") for m in meetings]

    def chosen_meeting(self):
        return self.meetings.get(self.cleaned_data["meeting"])


class MultiplePDFInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePDFField(forms.FileField):
    """Zero or more files; each is checked as a PDF by the workflow."""

    widget = MultiplePDFInput(attrs={"accept": "application/pdf", "multiple": True})

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        return [super(MultiplePDFField, self).clean(f, initial) for f in files]


class AnswerForm(forms.Form):
    answer = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}), label=gettext_lazy("Your answer")
    )
    files = MultiplePDFField(
        required=False,
        label=gettext_lazy("Supporting files (PDF, optional)"),
        help_text=gettext_lazy("You can choose several files."),
    )

    def attachments(self) -> list[tuple[str, object]]:
        return [(f.name, f) for f in self.cleaned_data["files"]]


class CorrectionsForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Corrected determination report (PDF)"),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}),
    )
    note = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label=gettext_lazy("What was corrected"),
    )


class MeetingForm(forms.Form):
    number = forms.IntegerField(
        min_value=1, max_value=32767, label=gettext_lazy("Meeting number (JISC n)")
    )
    starts_on = forms.DateField(widget=DATE, label=gettext_lazy("First day"))
    ends_on = forms.DateField(widget=DATE, label=gettext_lazy("Last day"))
    place = forms.CharField(max_length=120, required=False, label=gettext_lazy("Place"))
    electronic = forms.BooleanField(
        required=False, label=gettext_lazy("Electronic meeting (no place)")
    )

    def clean(self):
        data = super().clean()
        if data.get("electronic"):
            data["place"] = ""
        return data
