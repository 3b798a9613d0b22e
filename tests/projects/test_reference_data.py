"""The reference data that ships with the product (issue 12): the 15 sectoral scopes and the
Parties to the UNFCCC with their para 21 eligibility, written by ``projects`` migration 0005.

Each test loads the data the way the migration does (its ``load`` with the historical models):
loading is idempotent, so on the migrated test database it finds every row already there, and
the tests do not depend on the order in which a flushing (transactional) test ran."""

import importlib

import pytest
from django.db import connection, migrations
from django.db.migrations.executor import MigrationExecutor

from projects.models import Party, SectoralScope

pytestmark = pytest.mark.django_db

NAME = "0005_reference_parties_and_scopes"
MIGRATION = importlib.import_module(f"projects.migrations.{NAME}")
FLAGS = (
    "kp_party",
    "assigned_amount_recorded",
    "national_system",
    "national_registry",
    "inventory_submitted",
    "supplementary_info",
)
JI_LIST = "UNFCCC JI website, eligibility of Parties (as of 2012)"
# The Annex B Parties that hosted JI projects.
JI_HOSTS = ("BE", "BG", "CZ", "DE", "EE", "ES", "FI", "FR", "HU", "LT", "LV", "NZ", "PL", "RO")
JI_HOSTS += ("RU", "SE", "UA")


def load() -> None:
    """Run the migration's data step with the models as they stood at that migration."""
    state = MigrationExecutor(connection).loader.project_state(("projects", NAME))
    MIGRATION.load(state.apps, None)


@pytest.fixture
def reference(db):
    load()


def flags(code: str) -> tuple[bool, ...]:
    party = Party.objects.get(code=code)
    return tuple(getattr(party, f) for f in FLAGS)


def test_the_migration_is_applied_and_ships_the_data():
    applied = MigrationExecutor(connection).loader.applied_migrations
    assert ("projects", NAME) in applied
    assert SectoralScope.objects.count() == 15
    assert Party.objects.filter(code__in=[c for c, _ in MIGRATION.PARTIES]).count() == 198


def test_the_15_sectoral_scopes_in_order(reference):
    assert list(SectoralScope.objects.values_list("number", "name")) == list(
        enumerate(SectoralScope.NAMES, 1)
    )


def test_every_party_to_the_convention_once(reference):
    codes = [c for c, _ in MIGRATION.PARTIES]
    assert len(codes) == len(set(codes)) == 198  # 197 States and the European Union
    assert all(len(c) == 2 and c.isupper() and c.isalpha() for c in codes)
    parties = Party.objects.filter(code__in=codes)
    assert parties.filter(annex_i=True).count() == 43
    assert parties.filter(kp_party=True).count() == 192
    assert not parties.filter(eligibility_source="").exists()
    assert all(len(p.eligibility_source) <= 300 for p in parties)


def test_the_ji_hosts_have_their_eligibility_and_its_source(reference):
    for code in JI_HOSTS:
        party = Party.objects.get(code=code)
        assert party.annex_i and party.track2_eligible, code
        assert party.eligibility_source.startswith(JI_LIST), code
    six = (True,) * 6
    for code in (
        "BG",
        "CZ",
        "EE",
        "FR",
        "DE",
        "HU",
        "LV",
        "NZ",
        "PL",
        "RU",
        "BE",
        "FI",
        "ES",
        "SE",
    ):
        assert flags(code) == six, code
    # Suspended by the enforcement branch in 2011, reinstatement not confirmed: (a), (b), (d)
    # only, and the source says so.
    for code in ("UA", "RO", "LT"):
        assert flags(code) == (True, True, False, True, False, False), code
        assert "(conservative)" in Party.objects.get(code=code).eligibility_source
    ukraine = Party.objects.get(code="UA")
    assert (ukraine.name, ukraine.track2_eligible, ukraine.track1_eligible) == (
        "Ukraine",
        True,
        False,
    )


def test_parties_outside_the_kyoto_protocol_or_annex_b(reference):
    us = Party.objects.get(code="US")
    assert (us.annex_i, us.kp_party, us.track2_eligible) == (True, False, False)
    assert "never ratified" in us.eligibility_source
    # Canada: withdrawn from the Protocol; (b)-(f) as the eligibility list showed them.
    canada = Party.objects.get(code="CA")
    assert flags("CA") == (False, True, True, True, True, True)
    assert not canada.track2_eligible
    assert "15 December 2012" in canada.eligibility_source
    assert canada.eligibility_source.startswith(JI_LIST)
    # Annex I without an assigned amount: cannot host.
    for code in ("BY", "TR", "MT", "CY"):
        party = Party.objects.get(code=code)
        assert party.annex_i and party.kp_party and not party.track2_eligible, code
    # Not Parties to the Protocol; Kazakhstan is Annex I for the Protocol only.
    for code in ("AD", "SS", "VA", "PS"):
        assert flags(code) == (False,) * 6, code
    assert "(conservative)" in Party.objects.get(code="PS").eligibility_source
    kz = Party.objects.get(code="KZ")
    assert (kz.annex_i, kz.kp_party, kz.track2_eligible) == (False, True, False)
    # A developing country Party: on the Protocol, para 21 (b)-(f) do not apply.
    brazil = Party.objects.get(code="BR")
    assert (brazil.annex_i, flags("BR")) == (False, (True,) + (False,) * 5)


def test_loading_again_changes_nothing(reference):
    before = sorted(Party.objects.values_list())
    scopes = sorted(SectoralScope.objects.values_list())
    load()
    assert sorted(Party.objects.values_list()) == before
    assert sorted(SectoralScope.objects.values_list()) == scopes


def test_existing_rows_are_brought_to_the_data_and_nothing_is_deleted(reference):
    Party.objects.filter(code="UA").update(
        name="Ukraine (old)", national_registry=False, eligibility_source=""
    )
    SectoralScope.objects.filter(number=3).update(name="Old name")
    Party.objects.filter(code="RU").delete()
    own = Party.objects.create(code="XK", name="Kosovo (not a Party)")
    load()
    ukraine = Party.objects.get(code="UA")
    assert (ukraine.name, ukraine.national_registry) == ("Ukraine", True)
    assert ukraine.eligibility_source.startswith(JI_LIST)
    assert SectoralScope.objects.get(number=3).name == "Energy demand"
    assert Party.objects.get(code="RU").track1_eligible
    assert Party.objects.filter(pk=own.pk).exists()


def test_a_name_taken_by_another_code_is_left_to_it(reference):
    """Party names are unique: a row of a code outside the data keeps its name."""
    Party.objects.filter(code="DE").delete()
    Party.objects.filter(code="AT").update(name="Österreich")
    Party.objects.create(code="ZY", name="Germany")
    Party.objects.create(code="ZX", name="Austria")
    load()
    assert Party.objects.get(code="ZY").name == "Germany"
    assert Party.objects.get(code="DE").name == "Germany (DE)"  # new: told apart by its code
    assert Party.objects.get(code="AT").name == "Österreich"  # existing: keeps its own name
    assert Party.objects.get(code="AT").track1_eligible


def test_reversing_the_migration_changes_nothing():
    (operation,) = MIGRATION.Migration.operations
    assert isinstance(operation, migrations.RunPython)
    assert operation.reversible
    assert operation.reverse_code is migrations.RunPython.noop
