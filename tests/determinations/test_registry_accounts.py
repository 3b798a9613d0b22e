"""The registry accounts participants name for their ERUs (determinations.accounts) and the
focal point's transfer to one of them (issuance.transfer ``account_id``): the domain, the page
``/registry-accounts/``, the transfer form and the API."""

import datetime as dt

import pytest

from determinations import accounts, issuance
from determinations import verification as vwf
from determinations.models import EruBlock, RegistryAccount, Verification
from jitrack.errors import Conflict, Forbidden, Invalid, NotFound
from projects import workflow as wf
from projects.models import Event, User
from tests.factories import OrganisationFactory, UserFactory
from tests.support import assert_error, client_for, html, login, queries_for

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_pdfs")]

D = dt.date
UA_ACCOUNT = "UA-100-2345678-0-57"


@pytest.fixture
def final_ver(final_project, submit_report, verify, cycle):
    report = submit_report(final_project, D(2009, 1, 1), D(2009, 12, 31), {2009: 10000})
    published = vwf.publish_verification(cycle.secretariat, verify(report, {2009: 10000}))
    vwf.deem_verification_final(
        published.pk, published.review_window_closes_at + dt.timedelta(seconds=1)
    )
    return Verification.objects.get(pk=published.pk)


@pytest.fixture
def block(final_ver, party_user, final_project):
    issuance.record_aau_holding(party_user, final_project.host_party, quantity=50000)
    return issuance.issue_erus(
        party_user, final_ver, blocks=[{"serial_start": 1001, "serial_end": 5000}]
    ).blocks.get()


@pytest.fixture
def account(participant, ukraine):
    return accounts.add_registry_account(
        participant,
        registry_party=ukraine,
        identifier=" ua-100-2345678-0-57 ",
        holder="Green Carbon Ltd",
        label="Main holding",
    )


@pytest.fixture
def outsider_account(other_participant, ukraine):
    """An account of an organisation that takes part in no project here."""
    return accounts.add_registry_account(
        other_participant, registry_party=ukraine, identifier="UA-100-7654321-0-3", holder="Other"
    )


# --- recording accounts ----------------------------------------------------------------------


def test_add_account_normalises_and_is_not_an_event(account, participant, ukraine):
    assert (account.identifier, account.holder, account.label, account.active) == (
        UA_ACCOUNT,
        "Green Carbon Ltd",
        "Main holding",
        True,
    )
    assert (account.organisation, account.registry_party, account.created_by) == (
        participant.organisation,
        ukraine,
        participant,
    )
    assert not Event.objects.exists()  # not on any project's public record


@pytest.mark.parametrize(
    ("identifier", "holder", "field"),
    [
        ("", "H", "identifier"),
        ("UA 100 1234567", "H", "identifier"),
        ("UA-100-1234567-0-123", "H", "identifier"),
        ("JP-100-1234567-0-12", "H", "identifier"),  # not the code of the registry chosen
        (None, "H", "identifier"),
        (UA_ACCOUNT, "   ", "holder"),
        (UA_ACCOUNT, "h" * 201, "holder"),
    ],
)
def test_add_account_invalid(participant, ukraine, identifier, holder, field):
    with pytest.raises(Invalid) as err:
        accounts.add_registry_account(
            participant, registry_party=ukraine, identifier=identifier, holder=holder
        )
    assert err.value.field == field
    assert not RegistryAccount.objects.exists()


def test_add_account_registry_must_exist(participant, ineligible_party):
    with pytest.raises(Invalid) as err:
        accounts.add_registry_account(
            participant,
            registry_party=ineligible_party,
            identifier="XX-100-1-0-1",
            holder="H",
        )
    assert err.value.field == "registry_party"


def test_add_account_twice_conflict_until_deactivated(account, participant, other_participant):
    for who in (participant, other_participant):
        with pytest.raises(Conflict) as err:
            accounts.add_registry_account(
                who, registry_party=account.registry_party, identifier=UA_ACCOUNT, holder="H"
            )
        assert err.value.code == "duplicate"
    accounts.deactivate_registry_account(participant, account.pk)
    again = accounts.add_registry_account(
        participant, registry_party=account.registry_party, identifier=UA_ACCOUNT, holder="H"
    )
    assert again.pk != account.pk and again.active


def test_only_participants_keep_accounts(party_user, aie_user, secretariat, ukraine):
    for who in (party_user, aie_user, secretariat):
        with pytest.raises(Forbidden):
            accounts.add_registry_account(
                who, registry_party=ukraine, identifier=UA_ACCOUNT, holder="H"
            )
    assert not RegistryAccount.objects.exists()


def test_deactivate_own_accounts_only_and_twice_is_harmless(
    account, participant, other_participant
):
    with pytest.raises(NotFound):
        accounts.deactivate_registry_account(other_participant, account.pk)
    for pk in (0, -1, 2**63, "1", None):
        with pytest.raises(NotFound):
            accounts.deactivate_registry_account(participant, pk)
    first = accounts.deactivate_registry_account(participant, account.pk)
    assert first.active is False and first.deactivated_at is not None
    second = accounts.deactivate_registry_account(participant, account.pk)
    assert second.deactivated_at == first.deactivated_at


# --- transfers to a recorded account -------------------------------------------------------------


def test_transfer_to_a_recorded_account(block, account, party_user, final_project):
    head = issuance.transfer(party_user, block, quantity=300, account_id=account.pk)
    assert (head.serial_start, head.serial_end, head.account) == (1001, 1300, UA_ACCOUNT)
    assert (head.account_party, head.registry_account) == (None, account)  # the host's registry
    tail = EruBlock.objects.get(parent=block, serial_start=1301)
    assert (tail.account, tail.registry_account) == ("UA national registry", None)
    # The event names the account as every transfer does.
    assert Event.objects.get(project=final_project, kind="erus_transferred").data == {
        "serial_start": 1001,
        "serial_end": 1300,
        "account": UA_ACCOUNT,
        "account_party": "UA",
    }
    # A block already at a recorded account keeps it when split again.
    issuance.transfer(party_user, head, quantity=100, account="PP account 2")
    assert EruBlock.objects.get(parent=head, serial_start=1101).registry_account == account


def test_transfer_refuses_accounts_not_of_the_projects_participants(
    block, account, outsider_account, participant, party_user
):
    deactivated = accounts.add_registry_account(
        participant,
        registry_party=account.registry_party,
        identifier="UA-100-1111111-0-1",
        holder="Old",
    )
    accounts.deactivate_registry_account(participant, deactivated.pk)
    for account_id in (outsider_account.pk, deactivated.pk, 999999, 0, True, "1"):
        with pytest.raises(Invalid) as err:
            issuance.transfer(party_user, block, quantity=1, account_id=account_id)
        assert (err.value.code, err.value.field) == ("unknown_account", "account_id")
    with pytest.raises(Invalid) as err:
        issuance.transfer(party_user, block, quantity=1, account_id=account.pk, account="X")
    assert err.value.field == "account_id"
    block.refresh_from_db()
    assert block.active and EruBlock.objects.count() == 1
    assert not Event.objects.filter(kind="erus_transferred").exists()


def test_transfer_to_an_account_in_another_registry_needs_its_approval(
    block, participant, party_user, japan, final_project
):
    jp = accounts.add_registry_account(
        participant, registry_party=japan, identifier="JP-120-555-2-44", holder="GC Japan KK"
    )
    final_project.parties_involved.add(japan)
    with pytest.raises(Conflict) as err:
        issuance.transfer(party_user, block, quantity=10, account_id=jp.pk)
    assert err.value.code == "approval_missing"
    jp_dfp = UserFactory(username="jp-dfp", role=User.Role.PARTY, party=japan)
    wf.record_approval(jp_dfp, final_project, party=japan, issued_on=D(2010, 1, 4))
    head = issuance.transfer(party_user, block, quantity=10, account_id=jp.pk)
    assert (head.account, head.account_party, head.registry_account) == (
        "JP-120-555-2-44",
        japan,
        jp,
    )


# --- the accounts page -------------------------------------------------------------------------


def test_accounts_page_add_and_deactivate(client, participant, ukraine):
    login(client, participant)
    page = html(client.get("/registry-accounts/"))
    assert "has recorded no account yet" in page
    response = client.post(
        "/registry-accounts/",
        {"registry_party": ukraine.pk, "identifier": UA_ACCOUNT, "holder": "GC", "label": ""},
    )
    assert response.status_code == 302 and response["Location"] == "/registry-accounts/"
    acc = RegistryAccount.objects.get()
    page = html(client.get("/registry-accounts/"))
    assert UA_ACCOUNT in page and f"/registry-accounts/{acc.pk}/deactivate/" in page
    assert client.post(f"/registry-accounts/{acc.pk}/deactivate/").status_code == 302
    acc.refresh_from_db()
    assert acc.active is False
    page = html(client.get("/registry-accounts/"))
    assert "no longer used since" in page
    assert f"/registry-accounts/{acc.pk}/deactivate/" not in page


def test_accounts_page_refusals(client, participant, other_participant, party_user, ukraine):
    login(client, participant)
    response = client.post(
        "/registry-accounts/",
        {"registry_party": ukraine.pk, "identifier": "JP-100-1-0-1", "holder": "GC"},
    )
    assert response.status_code == 400
    assert "starts with its code, UA-" in html(response)
    response = client.post("/registry-accounts/", {"registry_party": "", "identifier": ""})
    assert response.status_code == 400
    assert not RegistryAccount.objects.exists()
    acc = accounts.add_registry_account(
        participant, registry_party=ukraine, identifier=UA_ACCOUNT, holder="GC"
    )
    response = client.post(
        "/registry-accounts/",
        {"registry_party": ukraine.pk, "identifier": UA_ACCOUNT, "holder": "GC"},
    )
    assert response.status_code == 409 and "already recorded" in html(response)
    login(client, other_participant)
    assert UA_ACCOUNT not in html(client.get("/registry-accounts/"))
    assert client.post(f"/registry-accounts/{acc.pk}/deactivate/").status_code == 404
    assert client.get(f"/registry-accounts/{acc.pk}/deactivate/").status_code == 405
    login(client, party_user)
    assert client.get("/registry-accounts/").status_code == 403
    assert client.post(f"/registry-accounts/{acc.pk}/deactivate/").status_code == 403
    login(client, None)
    assert client.get("/registry-accounts/")["Location"].startswith("/login/")
    assert RegistryAccount.objects.get().active


@pytest.mark.parametrize("rows", [1, 30])
def test_accounts_page_query_budget(client, participant, ukraine, rows):
    RegistryAccount.objects.bulk_create(
        RegistryAccount(
            organisation=participant.organisation,
            registry_party=ukraine,
            identifier=f"UA-100-{n}-0-1",
            holder=f"Holder {n}",
            active=n % 2 == 0,
        )
        for n in range(rows)
    )
    login(client, participant)
    assert queries_for(client, "/registry-accounts/") <= 10


def test_monitoring_page_links_participants_to_their_accounts(client, final_project, participant):
    path = f"/projects/{final_project.key}/monitoring/"
    assert "/registry-accounts/" in html(login(client, participant).get(path))
    assert "/registry-accounts/" not in html(login(client, None).get(path))


# --- the transfer form --------------------------------------------------------------------------


def test_transfer_form_offers_the_participants_accounts(
    client, block, account, outsider_account, party_user
):
    login(client, party_user)
    path = f"/eru-blocks/{block.pk}/transfer/"
    page = html(client.get(path))
    assert f'value="{account.pk}"' in page and UA_ACCOUNT in page and "Main holding" in page
    assert f'value="{outsider_account.pk}"' not in page
    # another organisation's account: refused on the form, nothing changes
    response = client.post(path, {"quantity": "10", "account_id": outsider_account.pk})
    assert response.status_code == 400
    response = client.post(path, {"quantity": "10", "account_id": ""})
    assert response.status_code == 400
    assert EruBlock.objects.get().active
    response = client.post(path, {"quantity": "1000", "account_id": account.pk, "confirmed": "yes"})
    assert response.status_code == 302
    assert [
        (b.serial_start, b.serial_end, b.account)
        for b in EruBlock.objects.filter(active=True).order_by("serial_start")
    ] == [(1001, 2000, UA_ACCOUNT), (2001, 5000, "UA national registry")]


@pytest.mark.parametrize("rows", [1, 25])
def test_transfer_form_query_budget(client, block, participant, final_project, ukraine, rows):
    orgs = [participant.organisation] + [
        OrganisationFactory(name=f"Partner {n}") for n in range(rows - 1)
    ]
    final_project.participants.add(*orgs)
    RegistryAccount.objects.bulk_create(
        RegistryAccount(
            organisation=org, registry_party=ukraine, identifier=f"UA-100-{n}-0-1", holder="H"
        )
        for n, org in enumerate(orgs)
    )
    client = login(client, UserFactory(role=User.Role.PARTY, party=ukraine, username="dfp2"))
    assert queries_for(client, f"/eru-blocks/{block.pk}/transfer/") <= 10


# --- the API ----------------------------------------------------------------------------------


def test_api_transfer_by_account_id(block, account, outsider_account, party_user, participant):
    api = client_for(party_user)
    url = f"/api/eru-blocks/{block.pk}/transfer/"
    assert_error(
        api.post(url, {"quantity": 5, "account_id": outsider_account.pk}, format="json"),
        400,
        "unknown_account",
        field="account_id",
    )
    for bad in (
        {"quantity": 5},
        {"quantity": 5, "account_id": account.pk, "account": "X"},
        {"quantity": 5, "account_id": account.pk, "account_party": "JP"},
        {"quantity": 5, "account_id": "abc"},
        {"quantity": 5, "account_id": 0},
    ):
        assert_error(api.post(url, bad, format="json"), 400, field="account_id")
    assert block.__class__.objects.get(pk=block.pk).active
    r = api.post(url, {"quantity": 5, "account_id": account.pk}, format="json")
    assert r.status_code == 200, r.content
    assert (r.json()["account"], r.json()["account_party"], r.json()["quantity"]) == (
        UA_ACCOUNT,
        "UA",
        5,
    )
    # a participant cannot transfer, whatever the account
    assert_error(client_for(participant).post(url, {"quantity": 1, "account_id": account.pk}), 403)


def test_api_registry_accounts(participant, other_participant, party_user, ukraine, anon):
    api = client_for(participant)
    body = {"registry_party": "UA", "identifier": "ua-100-2345678-0-57", "holder": "GC"}
    r = api.post("/api/registry-accounts/", body, format="json")
    assert r.status_code == 201, r.content
    created = r.json()
    assert (created["identifier"], created["registry_party"], created["active"]) == (
        UA_ACCOUNT,
        "UA",
        True,
    )
    assert_error(api.post("/api/registry-accounts/", body, format="json"), 409, "duplicate")
    for bad, field in (
        (body | {"identifier": "JP-100-1-0-1"}, "identifier"),
        (body | {"registry_party": "ZZ"}, "registry_party"),
        (body | {"holder": ""}, "holder"),
    ):
        assert_error(api.post("/api/registry-accounts/", bad, format="json"), 400, field=field)
    assert [a["identifier"] for a in api.get("/api/registry-accounts/").json()] == [UA_ACCOUNT]
    assert client_for(other_participant).get("/api/registry-accounts/").json() == []
    assert_error(client_for(party_user).get("/api/registry-accounts/"), 403)
    assert_error(anon.get("/api/registry-accounts/"), 401)
    url = f"/api/registry-accounts/{created['id']}/deactivate/"
    assert_error(client_for(other_participant).post(url), 404)
    assert_error(client_for(party_user).post(url), 403)
    r = api.post(url)
    assert r.status_code == 200 and r.json()["active"] is False
    assert RegistryAccount.objects.count() == 1


def test_api_project_registry_accounts(
    final_project, account, outsider_account, party_user, participant, other_participant, anon
):
    url = f"/api/projects/{final_project.key}/registry-accounts/"
    for who in (party_user, participant):
        r = client_for(who).get(url)
        assert r.status_code == 200, r.content
        assert [(a["id"], a["identifier"], a["organisation"]) for a in r.json()] == [
            (account.pk, UA_ACCOUNT, "Green Carbon Ltd")
        ]
    assert_error(client_for(other_participant).get(url), 403)
    assert_error(anon.get(url), 401)
    assert_error(client_for(party_user).get("/api/projects/0999/registry-accounts/"), 404)
