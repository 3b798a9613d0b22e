"""The registry accounts participants name for their ERUs (ji-rules §3 item 13: ERUs go first
to the host Party's registry, then to the accounts the participants name).

A participant records, for its organisation, the accounts its ERUs should go to: the Party whose
national registry holds the account, the identifier as that registry formats it, the holder's
name and an optional label. The host Party's focal point chooses one of the accounts of the
project's participants when it transfers ERUs (``issuance.transfer``). Recording an account is
not an event of any project and is not public; the transfer that uses it names its identifier on
the record, as every transfer does.

ACCOUNT_IDENTIFIER: [our reading] a Kyoto Protocol registry account identifier, as the national
registries format it: the registry's code (the Party's ISO code), the account type, the account
number, the commitment period (0 for none) and the check digits, joined by hyphens, e.g.
``UA-100-1234567-0-12``. The registry's code must be the code of the Party chosen.
"""

from __future__ import annotations

import re

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from jitrack.errors import Conflict, Forbidden, Invalid, NotFound
from projects.models import Party, Project, User

from .models import RegistryAccount

IDENTIFIER = re.compile(r"([A-Z]{2})-(\d{3})-(\d{1,15})-(\d)-(\d{1,2})")


def require_account_holder(actor: User) -> None:
    """Only staff of a participant organisation record its accounts."""
    if not actor.has_perm("determinations.manage_registry_accounts"):
        raise Forbidden(_("Only staff of a project participant record registry accounts."))


def accounts_of(actor: User) -> QuerySet[RegistryAccount]:
    """The accounts of the actor's organisation, active first."""
    return (
        RegistryAccount.objects.filter(organisation_id=actor.organisation_id)
        .select_related("registry_party")
        .order_by("-active", "registry_party__code", "identifier", "pk")
    )


def accounts_for_project(project: Project) -> QuerySet[RegistryAccount]:
    """The active accounts of the project's participants: those its ERUs may go to."""
    return (
        RegistryAccount.objects.filter(
            active=True, organisation__in=project.participants.values("pk")
        )
        .select_related("organisation", "registry_party")
        .order_by("organisation__name", "registry_party__code", "identifier", "pk")
    )


def clean_identifier(identifier, party: Party | None) -> str:
    """ACCOUNT_IDENTIFIER (module docstring): the identifier, upper-cased, or ``Invalid``."""
    value = (identifier or "").strip().upper() if isinstance(identifier, str) else ""
    if not value:
        raise Invalid(_("Give the account identifier."), code="required", field="identifier")
    match = IDENTIFIER.fullmatch(value)
    if match is None:
        raise Invalid(
            _(
                "Give the account identifier as the national registry formats it, e.g. "
                "UA-100-1234567-0-12: the registry's code, the account type, the account "
                "number, the commitment period and the check digits."
            ),
            field="identifier",
        )
    if party is not None and match.group(1) != party.code:
        raise Invalid(
            _("An account in the registry of %(party)s starts with its code, %(code)s-.")
            % {"party": party.name, "code": party.code},
            field="identifier",
        )
    return value


def add_registry_account(
    actor: User, *, registry_party: Party, identifier: str, holder: str, label: str = ""
) -> RegistryAccount:
    """The actor's organisation names an account its ERUs may go to."""
    require_account_holder(actor)
    if not isinstance(registry_party, Party) or not registry_party.national_registry:
        raise Invalid(_("Choose a Party with a national registry."), field="registry_party")
    identifier = clean_identifier(identifier, registry_party)
    holder = (holder or "").strip() if isinstance(holder, str) else ""
    if not holder:
        raise Invalid(_("Give the account holder's name."), code="required", field="holder")
    if len(holder) > 200:
        raise Invalid(_("A holder's name has at most 200 characters."), field="holder")
    label = (label or "").strip() if isinstance(label, str) else ""
    if len(label) > 100:
        raise Invalid(_("A label has at most 100 characters."), field="label")
    clash = Conflict(
        _("Account %(identifier)s is already recorded.") % {"identifier": identifier},
        code="duplicate",
        field="identifier",
    )
    if RegistryAccount.objects.filter(identifier=identifier, active=True).exists():
        raise clash
    try:
        with transaction.atomic():
            return RegistryAccount.objects.create(
                organisation_id=actor.organisation_id,
                registry_party=registry_party,
                identifier=identifier,
                holder=holder,
                label=label,
                created_by=actor,
            )
    except IntegrityError:  # recorded by someone else in between
        raise clash from None


def deactivate_registry_account(actor: User, pk) -> RegistryAccount:
    """The organisation stops using one of its accounts: no more transfers to it; the blocks
    already there stay. Deactivating twice changes nothing."""
    require_account_holder(actor)
    with transaction.atomic():
        account = (
            RegistryAccount.objects.select_for_update()
            .filter(pk=pk, organisation_id=actor.organisation_id)
            .first()
            if isinstance(pk, int) and 0 < pk < 2**63
            else None
        )
        if account is None:
            raise NotFound(_("No such registry account of your organisation."))
        if account.active:
            account.active = False
            account.deactivated_at = timezone.now()
            account.save(update_fields=["active", "deactivated_at"])
    return account


def account_for_transfer(project: Project, account_id) -> RegistryAccount:
    """An active account of one of the project's participants, or ``Invalid``."""
    account = None
    if isinstance(account_id, int) and not isinstance(account_id, bool) and 0 < account_id < 2**63:
        account = accounts_for_project(project).filter(pk=account_id).first()
    if account is None:
        raise Invalid(
            _("Choose an active registry account of one of this project's participants."),
            code="unknown_account",
            field="account_id",
        )
    return account
