"""Forms of a JISC meeting's minutes (``reviews.minutes``)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .minutes import MAX_PARAGRAPH, MAX_TEXT
from .models import Review


class MinutesForm(forms.Form):
    report_symbol = forms.CharField(
        max_length=80,
        required=False,
        label=_("JISC document"),
        help_text=_(
            "The document that records the meeting, cited with each decision, e.g. "
            "“JI-JISC-25 meeting report”."
        ),
    )
    minutes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=MAX_TEXT,
        required=False,
        label=_("Minutes"),
        help_text=_("The overall minutes: attendance, opening, adoption of the agenda, closing."),
    )


class ReviewChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Review) -> str:
        project = obj.project
        return f"{project.reference or project.key} {project.title} — {obj.get_decision_display()}"


class MeetingItemForm(forms.Form):
    number = forms.CharField(
        max_length=12, label=_("Agenda item"), help_text=_("As numbered on the agenda, e.g. 4 (b).")
    )
    title = forms.CharField(max_length=300, label=_("Title"))
    decision = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}), max_length=MAX_TEXT, label=_("Decision")
    )
    paragraph = forms.IntegerField(
        min_value=1,
        max_value=MAX_PARAGRAPH,
        label=_("Paragraph"),
        help_text=_("The paragraph of the JISC document that records the decision."),
    )
    paragraph_end = forms.IntegerField(
        min_value=1,
        max_value=MAX_PARAGRAPH,
        required=False,
        label=_("Last paragraph (optional)"),
        help_text=_("When the decision spans several paragraphs."),
    )
    review = ReviewChoiceField(
        Review.objects.none(),
        required=False,
        label=_("Review decided (optional)"),
        empty_label=_("— none —"),
    )

    def __init__(self, *args, reviews=None, **kwargs):
        super().__init__(*args, **kwargs)
        if reviews is not None:
            self.fields["review"].queryset = reviews
