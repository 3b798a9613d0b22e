"""Forms validate shape only; amounts and states are checked by ``fees.services``."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _

from . import calculator


class PaymentForm(forms.Form):
    amount_usd = forms.DecimalField(
        label=gettext_lazy("Amount received (USD)"), max_digits=14, decimal_places=2, min_value=0.01
    )
    received_on = forms.DateField(
        label=gettext_lazy("Received on"),
        widget=forms.DateInput(attrs={"type": "date"}),
        initial=timezone.localdate,
    )
    reference = forms.CharField(label=gettext_lazy("Bank reference"), max_length=120)


class BalancePaymentForm(PaymentForm):
    """The secretariat's "Record payment" for a project's determination fee (its open invoice):
    the same three fields as an invoice's payment form, none filled in for them but the date."""


class CreditNoteForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "Printed on the credit note, which cancels the invoice's unpaid balance."
        ),
    )


class ReimbursementPaidForm(forms.Form):
    paid_on = forms.DateField(
        label=gettext_lazy("Paid on"),
        widget=forms.DateInput(attrs={"type": "date"}),
        initial=timezone.localdate,
    )
    reference = forms.CharField(
        label=gettext_lazy("Bank reference"), max_length=120, required=False
    )


class CalculatorForm(forms.Form):
    """The public calculator; parsed by ``fees.quote`` so the page and the API agree."""

    kind = forms.ChoiceField(
        choices=[
            ("determination", _("Determination fee (advance)")),
            ("verification", _("Verification fee")),
        ],
        widget=forms.RadioSelect,
        initial="determination",
        label=_("Fee"),
    )
    expected_annual_reductions = forms.CharField(
        label=_("Expected average annual reductions (t CO2e)"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        help_text=_("From the PDD. For the determination fee; under v2 also for verification."),
    )
    reductions = forms.CharField(
        label=_("Verified reductions in the calendar year (t CO2e)"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    already_this_year = forms.CharField(
        label=_("Already verified in that calendar year (t CO2e)"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        help_text=_("Verifications in the same year share its first 15,000 t."),
    )
    small_scale = forms.BooleanField(label=_("Small-scale project"), required=False)
    poa = forms.BooleanField(label=_("Programme of activities"), required=False)
    schedule = forms.ChoiceField(
        choices=[(k, s.title) for k, s in calculator.SCHEDULES.items()],
        initial=calculator.DEFAULT_SCHEDULE,
        required=False,
        label=_("Fee schedule"),
        help_text=_("v3 unless the assessment was made under the older provisions."),
    )
