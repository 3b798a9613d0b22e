"""The page where a participant keeps the registry accounts its ERUs go to
(``determinations.accounts``)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jitrack.errors import DomainError
from jitrack.web import GET_POST, apply_error, bind, refuse

from . import accounts
from .account_forms import RegistryAccountForm


def _may_keep_accounts(request) -> bool:
    return request.user.has_perm("determinations.manage_registry_accounts")


@login_required
@GET_POST
def registry_accounts(request):
    """The organisation's accounts (in use, then no longer used) and a form to add one. Three
    queries whatever the number of accounts (the user, the accounts, the Parties of the form)."""
    if not _may_keep_accounts(request):
        return refuse(request, _("Only staff of a project participant record registry accounts."))
    form = bind(request, RegistryAccountForm)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                account = accounts.add_registry_account(
                    request.user,
                    registry_party=data["registry_party"],
                    identifier=data["identifier"],
                    holder=data["holder"],
                    label=data["label"],
                )
            except DomainError as err:
                status = apply_error(form, err)
            else:
                messages.success(
                    request,
                    _("Account %(identifier)s recorded: the focal point may now send ERUs to it.")
                    % {"identifier": account.identifier},
                )
                return redirect("registry_accounts")
    return render(
        request,
        "determinations/registry_accounts.html",
        {
            "accounts": list(accounts.accounts_of(request.user)),
            "organisation": request.user.organisation,
            "form": form,
        },
        status=status,
    )


@login_required
@require_POST
def registry_account_deactivate(request, pk: int):
    if not _may_keep_accounts(request):
        return refuse(request, _("Only staff of a project participant record registry accounts."))
    try:
        account = accounts.deactivate_registry_account(request.user, pk)
    except DomainError as err:
        return refuse(request, err.detail, status=err.status)
    messages.success(
        request,
        _("Account %(identifier)s is no longer used: no more ERUs go to it.")
        % {"identifier": account.identifier},
    )
    return redirect("registry_accounts")
