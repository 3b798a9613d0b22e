"""Known figures for the conversions (``determinations.conversions``): two host Parties, Track 1
and Track 2 projects, final verifications over 2009-2014 across both commitment periods, ERUs
issued through ``issuance.issue_erus`` (one block split by a transfer), assigned amounts and
emissions recorded through ``determinations.inventory``.

Projects and verifications are made with the ORM (a final verification as the workflow leaves
it); the ERUs, the AAU ledger, the assigned amounts and the emissions through the acts.

The figures, by hand (CONVERSIONS in ``determinations.conversions``):

Ukraine: assigned amount 5,000,000 t for 2008-2012 (1,000,000 a year) and 8,000,004 t for
2013-2020 (1,000,000.5 a year); emissions 2009 900,000, 2010 990,000, 2011 1,200,000, 2013
999,000 t.

* UA1000001 (Track 1): V1 {2009: 60,000, 2010: 40,000} all issued; V2 {2012: 10,000, 2013:
  30,000} all issued (10,000 of 2008-2012, 30,000 of 2013-2020).
* 0001 (Track 2): V1 {2010: 5,000, 2011: 7,000}, 8,000 issued (2010: 5,000, 2011: 3,000, earliest
  year first); V2 {2014: 2,500} all issued; V3 {2012: 999} final, nothing issued.

  year  T1      T2     ERUs    share        emissions  surplus   from surplus  %
  2009  60,000  0      60,000  1,000,000    900,000    100,000   60,000        100.0
  2010  40,000  5,000  45,000  1,000,000    990,000    10,000    10,000        22.2
  2011  0       3,000  3,000   1,000,000    1,200,000  0         0             0.0
  2012  10,000  0      10,000  1,000,000    —          —         —             —
  2013  30,000  0      30,000  1,000,000.5  999,000    1,000.5   1,000.5       3.3
  2014  0       2,500  2,500   1,000,000.5  —          —         —             —
  (2008 and 2015-2020: no ERUs, the share only)
  Totals: Track 1 140,000, Track 2 10,500, 150,500 ERUs; with data 138,000, from the surplus
  71,000.5 (51.4 %). AAUs converted: 118,000 of 2008-2012, 32,500 of 2013-2020.

Russian Federation: assigned amount 10,000,000 t for 2008-2012 (2,000,000 a year); emissions 2011
1,500,000 t. RU1000001 (Track 1): V1 {2011: 200,000} all issued: 100.0 % from the surplus.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools

from determinations import inventory, issuance
from determinations.models import MonitoringReport, Verification
from projects.models import Document, ExpectedReduction, Party, Project, User
from tests.factories import AIEFactory, PartyFactory, UserFactory

SIX = dict(
    kp_party=True,
    assigned_amount_recorded=True,
    national_system=True,
    national_registry=True,
    inventory_submitted=True,
    supplementary_info=True,
)
_serials = itertools.count(1)


def host(code: str, name: str) -> tuple[Party, User]:
    """A host Party meeting all six para 21 requirements, and its focal point."""
    party = PartyFactory(code=code, name=name, **SIX)
    dfp = UserFactory(username=f"dfp_{code.lower()}", role=User.Role.PARTY, party=party)
    return party, dfp


def project(party: Party, reference: str, *, track: str, expected: dict | None = None) -> Project:
    """A project whose determination is final (Track 2), or recorded by its host (Track 1)."""
    start = dt.date(2008, 1, 1)
    p = Project.objects.create(
        reference=reference,
        track=track,
        title=f"Project {reference}",
        host_party=party,
        status=Project.Status.FINAL,
        crediting_start=start,
        crediting_end=dt.date(2020, 12, 31),
        pdd_available_on=start,
        determination_available_on=start,
        final_on=start,
        monitoring_approach="Metered.",
        national_approval_reference=f"NA-{reference}" if track == "1" else "",
    )
    for year, tonnes in (expected or {}).items():
        ExpectedReduction.objects.create(project=p, year=year, tonnes=tonnes)
    return p


def _document(p: Project, kind: str, number: int) -> Document:
    digest = hashlib.sha256(f"{p.reference}-{kind}-{number}".encode()).hexdigest()
    return Document.objects.create(
        project=p,
        kind=kind,
        title=f"{kind} {number}",
        file=f"documents/{p.pk}/{digest[:16]}.pdf",
        filename=f"{kind}-{number}.pdf",
        sha256=digest,
        size=1,
        published_at=dt.datetime(2015, 1, 1, tzinfo=dt.UTC),
    )


def final_verification(p: Project, verified: dict[int, int]) -> Verification:
    """A final verification of the reductions ``verified`` (year -> tonnes)."""
    aie = AIEFactory()
    number = p.verifications.count() + 1
    years = sorted(verified)
    report = MonitoringReport.objects.create(
        project=p,
        number=number,
        period_start=dt.date(years[0], 1, 1),
        period_end=dt.date(years[-1], 12, 31),
        aie=aie,
        claimed={str(y): t for y, t in verified.items()},
        status=MonitoringReport.Status.FINAL,
        report=_document(p, "monitoring_report", number),
    )
    return Verification.objects.create(
        project=p,
        number=number,
        monitoring_report=report,
        aie=aie,
        status=Verification.Status.FINAL,
        verified={str(y): t for y, t in verified.items()},
        verified_total=sum(verified.values()),
        findings="Verified.",
        report=_document(p, "verification_report", number),
        available_on=dt.date(years[-1] + 1, 3, 1),
        final_on=dt.date(years[-1] + 1, 3, 16),
    )


def issue(dfp: User, ver: Verification, per_period: dict[int, int]):
    """Issue ``per_period`` ERUs (commitment period -> quantity) for ``ver``, each period one
    block of fresh serials, the host first stating enough AAUs."""
    party = dfp.party
    blocks = []
    for period, quantity in sorted(per_period.items()):
        balance = issuance.aau_balance(party, period)
        issuance.record_aau_holding(
            dfp, party, quantity=balance + quantity, commitment_period=period
        )
        start = next(_serials) * 1_000_000
        blocks.append(
            {"serial_start": start, "serial_end": start + quantity - 1, "commitment_period": period}
        )
    return issuance.issue_erus(dfp, ver, blocks=blocks)


def build(secretariat: User) -> dict:
    """The known figures of the module docstring; returns the Parties and projects."""
    ua, ua_dfp = host("UA", "Ukraine")
    ru, ru_dfp = host("RU", "Russian Federation")

    t1 = project(ua, "UA1000001", track="1", expected={2009: 50000, 2010: 50000})
    v = final_verification(t1, {2009: 60000, 2010: 40000})
    iss = issue(ua_dfp, v, {1: 100000})
    # A transfer splits a block: the ERUs are counted once, as issued.
    issuance.transfer(ua_dfp, iss.blocks.get(), quantity=1000, account="PP account")
    v = final_verification(t1, {2012: 10000, 2013: 30000})
    issue(ua_dfp, v, {1: 10000, 2: 30000})

    t2 = project(ua, "0001", track="2", expected={2010: 10000, 2011: 10000, 2014: 2000})
    v = final_verification(t2, {2010: 5000, 2011: 7000})
    issue(ua_dfp, v, {1: 8000})
    v = final_verification(t2, {2014: 2500})
    issue(ua_dfp, v, {2: 2500})
    final_verification(t2, {2012: 999})  # final, no ERUs yet

    ru1 = project(ru, "RU1000001", track="1")
    v = final_verification(ru1, {2011: 200000})
    issue(ru_dfp, v, {1: 200000})

    src = "FCCC/IRR/2007/UKR, para 140"
    inventory.record_assigned_amount(
        secretariat, ua, commitment_period=1, tonnes=5_000_000, source=src
    )
    inventory.record_assigned_amount(
        secretariat, ua, commitment_period=2, tonnes=8_000_004, source="FCCC/IRR/2016/UKR"
    )
    for year, tonnes in ((2009, 900_000), (2010, 990_000), (2011, 1_200_000), (2013, 999_000)):
        inventory.record_emissions(
            secretariat, ua, year=year, tonnes=tonnes, source=f"Ukraine NIR {year + 2}"
        )
    inventory.record_assigned_amount(
        secretariat, ru, commitment_period=1, tonnes=10_000_000, source="FCCC/IRR/2007/RUS"
    )
    inventory.record_emissions(
        secretariat, ru, year=2011, tonnes=1_500_000, source="Russian Federation NIR 2013"
    )
    return {"ua": ua, "ru": ru, "t1": t1, "t2": t2, "ru1": ru1, "ua_dfp": ua_dfp}
