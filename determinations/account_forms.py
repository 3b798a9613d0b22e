"""Forms of the participants' registry accounts and of the transfer of ERUs to one of them
(``determinations.accounts``, ``issuance.transfer``)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from projects.models import Party

from .models import RegistryAccount


class RegistryAccountForm(forms.Form):
    registry_party = forms.ModelChoiceField(
        Party.objects.filter(national_registry=True).order_by("name"),
        label=_("National registry of"),
        help_text=_("The Party whose national registry holds the account."),
    )
    identifier = forms.CharField(
        max_length=40,
        label=_("Account identifier"),
        help_text=_("As the national registry formats it, e.g. UA-100-1234567-0-12."),
    )
    holder = forms.CharField(max_length=200, label=_("Account holder"))
    label = forms.CharField(
        max_length=100,
        required=False,
        label=_("Label (optional)"),
        help_text=_("A name your organisation uses for the account."),
    )


class AccountChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: RegistryAccount) -> str:
        holder = obj.holder
        if obj.organisation.name != holder:
            holder = f"{holder} ({obj.organisation.name})"
        text = _("%(identifier)s — %(holder)s, registry of %(party)s") % {
            "identifier": obj.identifier,
            "holder": holder,
            "party": obj.registry_party.name,
        }
        return f"{text} · {obj.label}" if obj.label else text


class TransferForm(forms.Form):
    """The focal point forwards ERUs of a block to one of the accounts the project's
    participants recorded."""

    quantity = forms.IntegerField(min_value=1, max_value=10**15, label=_("ERUs to transfer"))
    account_id = AccountChoiceField(
        RegistryAccount.objects.none(),
        label=_("Account"),
        empty_label=_("— choose an account the participants recorded —"),
        help_text=_(
            "An account in the registry of a Party other than the host needs that Party's "
            "approval of the project on record (para 33 (a))."
        ),
    )

    def __init__(self, *args, accounts=None, **kwargs):
        super().__init__(*args, **kwargs)
        if accounts is not None:
            self.fields["account_id"].queryset = accounts
