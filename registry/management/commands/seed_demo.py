"""Demo data for a development instance: one user per role, the demo's organisations and
accreditations, the JISC, and projects at every stage of the Track 2 cycle — a review in
progress and a decided review included — driven through the real workflow functions.

The Parties and the sectoral scopes ship with the product (``projects`` migration 0005); the
demo only adds those missing from an older database. Where the demo relies on a Party's
eligibility — its projects are hosted by Ukraine under Track 2, and Belarus is the Party that
cannot host — it records what differs through ``projects.parties.change_eligibility`` (a
public event, "demo data" as its source); on a database with the shipped reference data
nothing differs and nothing is recorded.

Idempotent: rows are created only when missing (an existing row is left as it is), and each
demo project is seeded only when no project with its title exists. Refuses to run with DEBUG
off, because every demo user has the password ``demo``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from determinations import accounts as registry_accounts
from determinations import inventory, issuance, track1
from determinations import verification as vwf
from determinations import workflow as dwf
from determinations.models import AssignedAmount, ReportedEmissions
from fees import services as fees
from jitrack.errors import DomainError
from jitrack.files import one_page_pdf
from projects import accreditation, changes, components, outbox, parties
from projects import workflow as wf
from projects.models import (
    Accreditation,
    Organisation,
    Party,
    Project,
    SectoralScope,
    User,
)
from reviews import minutes as jisc_minutes
from reviews import workflow as rwf
from reviews.models import Appraisal, Expert, JiscMember, Meeting, Review

PASSWORD = "demo"  # noqa: S105 # nosec B105 # the published demo password; seed_demo runs with DEBUG=1 only
# The demo AIEs were accredited this many days before the seed (before any demo project).
ACCREDITED_DAYS_AGO = 400


# The Parties the demo uses; they ship with the product (``projects`` migration 0005) and are
# added here, without eligibility, only to a database that lacks them.
PARTIES = [
    ("UA", "Ukraine"),
    ("RU", "Russian Federation"),
    ("LT", "Lithuania"),
    ("BG", "Bulgaria"),
    ("CZ", "Czechia"),
    ("JP", "Japan"),
    ("NL", "Netherlands"),
    ("CH", "Switzerland"),
    ("DK", "Denmark"),
    ("DE", "Germany"),
    ("FR", "France"),  # seat of Bureau Veritas
    ("BY", "Belarus"),
]
# The para 21 requirements the demo relies on: Ukraine hosts its projects under Track 2 (para 24:
# (a), (b), (d)); Belarus is the Party that cannot host (no assigned amount, no registry).
DEMO_ELIGIBILITY = {
    "UA": {"kp_party": True, "assigned_amount_recorded": True, "national_registry": True},
    # the host of the demo's Track 1 projects meets all six (para 23), as the reference data says
    "RU": {
        "kp_party": True,
        "assigned_amount_recorded": True,
        "national_system": True,
        "national_registry": True,
        "inventory_submitted": True,
        "supplementary_info": True,
    },
    "BY": {"assigned_amount_recorded": False, "national_registry": False},
}
DEMO_SOURCE = "jitrack demo data (seed_demo), not an official source"

BV = "Bureau Veritas Certification Holding SAS"
TUV = "TÜV SÜD Industrie Service GmbH"
AIES = [
    (BV, "FR", "ji@bureauveritas.example.org", list(range(1, 16)), "JI-E-0003"),
    (TUV, "DE", "ji@tuev-sued.example.org", [1, 2, 3, 4, 5, 10, 13], "JI-E-0005"),
]
PP_ORG = "Green Carbon Ukraine LLC"
FINAL_DEMO = "Reduction of N2O emissions at Rivne nitric acid plant"
POA_DEMO = "Programme of biogas units on Vinnytsia farms"
POA_COMPONENTS = [
    ("Biogas unit at Kalynivka dairy farm", "Kalynivka, Vinnytsia oblast", 21000),
    ("Biogas unit at Tulchyn pig farm", "Tulchyn, Vinnytsia oblast", 26000),
    ("Biogas unit at Haisyn poultry farm", "Haisyn, Vinnytsia oblast", 18000),
]
TRACK1_DEMO = [
    (
        "RU1000001",
        "Associated petroleum gas utilisation at the Samotlor field",
        [8, 10],
        {2008: 450000, 2009: 460000, 2010: 470000, 2011: 470000, 2012: 470000},
        {"2008": 410000, "2009": 430000, "2010": 445000},
    ),
    (
        "RU1000002",
        "Modernisation of the district heating system in Kostroma",
        [1, 3],
        {2009: 120000, 2010: 125000, 2011: 130000, 2012: 130000},
        None,
    ),
]
# Assigned amounts for 2008–2012 and reported emissions without LULUCF, t CO2e (demo figures,
# rounded; the sources are named with each record).
INVENTORIES = {
    "UA": (
        4_604_184_663,
        "FCCC/IRR/2007/UKR",
        {2008: 419_000_000, 2009: 369_000_000, 2010: 389_000_000, 2011: 402_000_000},
    ),
    "RU": (
        16_617_095_319,
        "FCCC/IRR/2007/RUS",
        {2008: 2_245_000_000, 2009: 2_117_000_000, 2010: 2_202_000_000, 2011: 2_255_000_000},
    ),
}
SECRETARIAT_ORG = "UNFCCC secretariat"

# username, role, organisation name, Party code, first name, last name
USERS = [
    ("participant", User.Role.PARTICIPANT, PP_ORG, None, "Olena", "Kovalenko"),
    ("aie", User.Role.AIE, BV, None, "Claire", "Martin"),
    ("aie2", User.Role.AIE, TUV, None, "Jonas", "Weber"),
    ("party", User.Role.PARTY, None, "UA", "Andriy", "Shevchenko"),
    # The focal point of the Russian Federation, which hosts the demo's Track 1 projects.
    ("party-ru", User.Role.PARTY, None, "RU", "Irina", "Volkova"),
    ("jisc1", User.Role.JISC, None, "JP", "Hiroshi", "Tanaka"),
    ("jisc2", User.Role.JISC, None, "DE", "Katrin", "Schmidt"),
    ("jisc3", User.Role.JISC, None, "NL", "Pieter", "de Vries"),
    ("jisc4", User.Role.JISC, None, "LT", "Rasa", "Kazlauskienė"),
    ("expert1", User.Role.EXPERT, None, "DK", "Mette", "Nielsen"),
    ("expert2", User.Role.EXPERT, None, "CH", "Luca", "Bernasconi"),
    ("jisc5", User.Role.JISC, None, "FR", "Sophie", "Laurent"),
    ("jisc6", User.Role.JISC, None, "CZ", "Tomáš", "Novák"),
    ("jisc7", User.Role.JISC, None, "BG", "Elena", "Dimitrova"),
    ("expert3", User.Role.EXPERT, None, "DE", "Anna", "Becker"),
    ("expert4", User.Role.EXPERT, None, "CZ", "Petr", "Svoboda"),
    ("secretariat", User.Role.SECRETARIAT, SECRETARIAT_ORG, None, "Maria", "Gonzalez"),
    ("admin", User.Role.SECRETARIAT, SECRETARIAT_ORG, None, "Site", "Administrator"),
]

# The JISC (reviews app). The demo projects are hosted by Ukraine with Japan, Denmark,
# Switzerland or the Netherlands involved; five members are nationals of none of those Parties
# (jisc2, jisc4-jisc7, jisc7 an alternate). jisc1 (Japan) and jisc3 (Netherlands) serve too: the
# workflow keeps them off the projects their Parties are involved in (conflict of interest).
# username, seat, constituency; the Party is the user's.
JISC_TERMS = [
    ("jisc1", "member", "annex_i_other"),
    ("jisc2", "member", "annex_i_other"),
    ("jisc3", "member", "annex_i_other"),
    ("jisc4", "member", "annex_i_eit"),
    ("jisc5", "member", "annex_i_other"),
    ("jisc6", "member", "annex_i_eit"),
    ("jisc7", "alternate", "annex_i_eit"),
]
# Every sectoral scope of the demo projects; each expert on the roster covers them all.
DEMO_SCOPES = [1, 3, 5, 8, 9, 10, 13]
EXPERTS = ["expert1", "expert2", "expert3", "expert4"]
# number, first day (days from today), length in days, place ("" for an electronic meeting)
MEETINGS = [
    (40, -35, 2, "Bonn, Germany"),
    (41, 28, 1, ""),
]
# The JISC's earliest act in the demo's history (a review team appointed), in days before the
# seed: the members' terms cover it.
JISC_HISTORY_DAYS = 100
# The two reviews: the decided one was requested by Ukraine, reviewed by jisc4 (lead) and
# jisc6 and confirmed at JISC 40; the one in progress, requested by Ukraine too, is reviewed by
# jisc2 (lead) and jisc5, who asked the AIE for clarification. All are members (no alternate),
# none a national of Ukraine or of the other Party involved (the Netherlands, Denmark).
DECIDED_DEMO = "Coke oven gas utilisation at Avdiivka coke plant"
UNDER_REVIEW_DEMO = "Methane capture at Dnipro wastewater treatment plant"
REVIEW_TEAMS = {DECIDED_DEMO: ("jisc4", "jisc6"), UNDER_REVIEW_DEMO: ("jisc2", "jisc5")}
REVIEW_REASONS = {
    "additionality": "The investment analysis uses a gas price that the 2009 tariffs overtook.",
}
# The published demo project's appraisal: two members and two experts, none of Switzerland
# (the Party involved) or Ukraine; jisc2 has filed F-JI-DA, the other three have not.
PUBLISHED_DEMO = "Associated gas utilisation at Poltava oil field"
APPRAISERS = {"members": ["jisc2", "jisc5"], "experts": ["expert3", "expert4"]}
APPRAISAL_FORM = {
    "approval": {"met": True, "comment": "Letters of approval of Ukraine and Switzerland seen."},
    "additionality": {"met": True, "comment": "Flaring is the baseline; the analysis holds."},
    "baseline_monitoring": {"met": True, "comment": "Gas metering plan follows appendix B."},
    "environmental": {"met": True, "comment": "EIA reviewed; flaring reduced, no new impacts."},
}

FINDINGS = {
    "approval": (True, "Letters of approval of Ukraine and Japan were checked against originals."),
    "additionality": (True, "The investment analysis shows the project is not the baseline."),
    "baseline_monitoring": (True, "Baseline and monitoring plan follow appendix B."),
    "environmental": (True, "EIA under Ukrainian law reviewed; no significant impacts."),
}
NEGATIVE_FINDINGS = FINDINGS | {
    "additionality": (False, "The project is common practice in the region; not additional."),
}


def demo_pdf(title: str) -> bytes:
    """A small valid one-page PDF naming the document."""
    return one_page_pdf(title, "jitrack demo document")


def upload(name: str, title: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, demo_pdf(title), content_type="application/pdf")


class Command(BaseCommand):
    help = "Create demo reference data, users (password 'demo') and projects. DEBUG only."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "seed_demo creates users with the password 'demo' and runs only with DEBUG=1. "
                "Set DEBUG=1 for a development database; never seed a production one."
            )
        self.created: list[str] = []
        with transaction.atomic():
            self.reference_data()
            self.users()
            self.eligibility()
            self.accreditations()
            self.jisc()
            self.meetings()
        self.projects()
        self.track1()
        self.inventory()
        self.after_determination()
        self.jisc_work()
        self.minutes()
        self.registry_account()
        self.notifications()
        if self.created:
            for line in self.created:
                self.stdout.write(f"  created {line}")
            self.stdout.write(self.style.SUCCESS(f"seed_demo: {len(self.created)} objects created"))
        else:
            self.stdout.write("seed_demo: nothing to do, the demo data is already there")

    def minutes(self) -> None:
        """JISC 40's minutes, with its decision on the review it decided, published
        (``reviews.minutes``)."""
        meeting = Meeting.objects.filter(number=40, minutes_published_at__isnull=True).first()
        if meeting is None or meeting.ends_on >= timezone.localdate():
            return
        sec = User.objects.get(username="secretariat")
        jisc_minutes.save_minutes(
            sec,
            meeting,
            report_symbol="JI-JISC-40",
            minutes="The Committee met in Bonn. It took the decisions below.",
        )
        review = Review.objects.filter(decided_at_meeting=meeting).first()
        jisc_minutes.save_item(
            sec,
            meeting,
            number="3",
            title="Review of a determination",
            decision="The Committee confirmed the determination under review (para 35).",
            paragraph=12,
            paragraph_end=14,
            review=review,
        )
        jisc_minutes.publish_minutes(sec, meeting)
        self.note("minutes of JISC 40, published", True)

    def registry_account(self) -> None:
        """The participants' account in Ukraine's registry, to which their ERUs go."""
        pp = User.objects.get(username="participant")
        if registry_accounts.accounts_of(pp).exists():
            return
        registry_accounts.add_registry_account(
            pp,
            registry_party=Party.objects.get(code="UA"),
            identifier="UA-100-1234567-0-12",
            holder=PP_ORG,
            label="ERU holding account",
        )
        self.note("registry account UA-100-1234567-0-12", True)

    def notifications(self) -> None:
        """Run the outbox's builders now, so that the demo's users have the notifications of
        its history in their inboxes whether or not a worker is running (the messages they
        write are sent by the drain, as always)."""
        built = 0
        while done := outbox.build_due()["built"]:
            built += done
        self.note(f"{built} notification batches", built > 0)

    # --- Track 1, inventories and the life after the determination (issue 16) ----------------

    def track1(self) -> None:
        """Two projects the Russian Federation approved and verified under its own procedure
        (para 23), one verified and credited with ERUs from its first-period AAUs. (Ukraine,
        the Track 2 host, does not meet all six para 21 requirements in the reference data.)"""
        dfp = User.objects.get(username="party-ru")
        ru = Party.objects.get(code="RU")
        for reference, title, scopes, expected, verified in TRACK1_DEMO:
            if Project.objects.filter(reference=reference).exists():
                continue
            with transaction.atomic():
                with self.on(40):
                    project = track1.record_project(
                        dfp,
                        reference=reference,
                        national_approval_reference=f"Order No. {reference[-3:]} of Sberbank",
                        national_guidelines="Government Resolution No. 843 of 28 October 2009",
                        determined_on=dt.date(2009, 6, 15),
                        entity=BV,
                        report=upload("determination.pdf", f"Determination: {title}"),
                        title=title,
                        host_party=ru,
                        parties_involved=list(Party.objects.filter(code__in=("NL",))),
                        participant_names=[PP_ORG],
                        sectoral_scopes=list(SectoralScope.objects.filter(number__in=scopes)),
                        crediting_start=dt.date(2008, 1, 1),
                        crediting_end=dt.date(2012, 12, 31),
                        baseline_approach=Project.Approach.JI_SPECIFIC,
                        monitoring_approach="Gas flow and methane content metered continuously.",
                        expected=expected,
                    )
                if verified:
                    with self.on(35):
                        ver = track1.record_verification(
                            dfp,
                            project,
                            period_start=dt.date(2008, 1, 1),
                            period_end=dt.date(2010, 12, 31),
                            verified=verified,
                            verified_on=dt.date(2011, 3, 1),
                            entity=BV,
                            report=upload("verification.pdf", f"Verification: {title}"),
                        )
                    with self.on(34):
                        total = sum(verified.values())
                        issuance.record_aau_holding(
                            dfp, ru, quantity=issuance.aau_balance(ru, 1) + total + 1_000_000
                        )
                        issuance.issue_erus(
                            dfp,
                            ver,
                            blocks=[{"serial_start": 7_000_001, "serial_end": 7_000_000 + total}],
                        )
            self.note(f"Track 1 project {reference} “{title}”", True)

    def inventory(self) -> None:
        """The hosts' first-period assigned amounts and reported emissions, so that the
        conversions page can set their ERUs against the surplus."""
        sec = User.objects.get(username="secretariat")
        for code, (tonnes, irr, emissions) in INVENTORIES.items():
            party = Party.objects.get(code=code)
            if not AssignedAmount.objects.filter(party=party, commitment_period=1).exists():
                inventory.record_assigned_amount(
                    sec,
                    party,
                    commitment_period=1,
                    tonnes=tonnes,
                    source=f"Initial review report {irr} ({DEMO_SOURCE})",
                )
                self.note(f"{party.name}'s assigned amount 2008–2012", True)
            for year, emitted in emissions.items():
                if not ReportedEmissions.objects.filter(party=party, year=year).exists():
                    inventory.record_emissions(
                        sec,
                        party,
                        year=year,
                        tonnes=emitted,
                        source=f"National inventory submission 2014 ({DEMO_SOURCE})",
                    )
                    self.note(f"{party.name}'s emissions of {year}", True)

    def after_determination(self) -> None:
        """A final project gains a participant and a renewed crediting period."""
        dfp = User.objects.get(username="party")
        final = Project.objects.filter(title=FINAL_DEMO, status=Project.Status.FINAL).first()
        if final is not None and not final.party_changes.exists():
            newcomer, _ = Organisation.objects.get_or_create(
                name="Rivne Azot PJSC",
                defaults={"kind": Organisation.Kind.PARTICIPANT, "country": final.host_party},
            )
            with self.on(20):
                changes.request_change(
                    self.pp,
                    final,
                    kind="add_participant",
                    organisation=newcomer,
                    reason="The plant's owner joins the project as a participant.",
                    consent_declared=True,
                )
            with self.on(15):
                changes.renew_crediting_period(
                    dfp,
                    final,
                    new_end=dt.date(2020, 12, 31),
                    reason="Ukraine extends the crediting period into the second commitment "
                    "period, as its national procedure allows.",
                )
            self.note(f"changes after the determination of {final.key}", True)

    def stage_programme(self, title: str) -> Project:
        """A programme of activities, final, with three components included over time."""
        project = self.determination_published(
            title,
            pdd_days_ago=150,
            det_days_ago=95,
            scopes=[13],
            expected={2010: 60000, 2011: 80000, 2012: 90000},
            poa=True,
        )
        project = self.deemed_final(project)
        for n, (name, location, tonnes) in enumerate(POA_COMPONENTS):
            with self.on(40 - 10 * n):
                components.include_component(
                    self.pp,
                    project,
                    title=name,
                    location=location,
                    expected_annual_reductions=tonnes,
                    included_on=dt.date(2010, 1 + 3 * n, 1),
                )
        return project

    def note(self, what: str, created: bool) -> None:
        if created:
            self.created.append(what)

    # --- reference data and users ------------------------------------------------------------

    def reference_data(self) -> None:
        for number, name in enumerate(SectoralScope.NAMES, 1):
            _, created = SectoralScope.objects.get_or_create(number=number, defaults={"name": name})
            self.note(f"sectoral scope {number}", created)
        for code, name in PARTIES:
            _, created = Party.objects.get_or_create(code=code, defaults={"name": name})
            self.note(f"Party {name}", created)
        for name, country, email, _scopes, _reference in AIES:
            org, created = Organisation.objects.get_or_create(
                name=name,
                defaults={
                    "kind": Organisation.Kind.AIE,
                    "country": Party.objects.get(code=country),
                    "email": email,
                },
            )
            self.note(f"AIE {name}", created)
        for name, kind, country, email in (
            (PP_ORG, Organisation.Kind.PARTICIPANT, "UA", "projects@greencarbon.example.org"),
            (SECRETARIAT_ORG, Organisation.Kind.SECRETARIAT, None, "ji-info@example.org"),
        ):
            _, created = Organisation.objects.get_or_create(
                name=name,
                defaults={
                    "kind": kind,
                    "country": Party.objects.get(code=country) if country else None,
                    "email": email,
                },
            )
            self.note(f"organisation {name}", created)

    def users(self) -> None:
        for username, role, org_name, party_code, first, last in USERS:
            if User.objects.filter(username=username).exists():
                continue
            user = User(
                username=username,
                email=f"{username}@example.org",
                first_name=first,
                last_name=last,
                role=role,
                organisation=Organisation.objects.get(name=org_name) if org_name else None,
                party=Party.objects.get(code=party_code) if party_code else None,
                is_staff=username == "admin",
                is_superuser=username == "admin",
            )
            user.set_password(PASSWORD)
            user.save()
            self.note(f"user {username} ({role})", True)

    def eligibility(self) -> None:
        """The demo's own copies of UA and BY get the eligibility the demo relies on, through the
        act (``DEMO_ELIGIBILITY``); nothing is recorded where the reference data already agrees."""
        secretariat = User.objects.get(username="secretariat")
        for code, wanted in DEMO_ELIGIBILITY.items():
            party = Party.objects.get(code=code)
            changes = {
                flag: value for flag, value in wanted.items() if getattr(party, flag) != value
            }
            if not changes:
                continue
            parties.change_eligibility(
                secretariat,
                party,
                changes=changes,
                reason="The demo's projects need Ukraine as a Track 2 host, the Russian "
                "Federation as a Track 1 host and Belarus as a Party that cannot host (demo data).",
                source=DEMO_SOURCE,
            )
            self.note(f"demo eligibility of {party.name} ({', '.join(sorted(changes))})", True)

    def accreditations(self) -> None:
        """Each demo AIE accredited for both functions, recorded by the secretariat (public
        events on the AIE)."""
        secretariat = User.objects.get(username="secretariat")
        self.today = timezone.localdate()
        for name, _country, _email, scopes, reference in AIES:
            org = Organisation.objects.get(name=name)
            for function in Accreditation.Function.values:
                if Accreditation.objects.filter(aie=org, function=function).exists():
                    continue
                with self.on(ACCREDITED_DAYS_AGO):  # long before the demo's projects
                    accreditation.accredit(
                        secretariat,
                        org,
                        function=function,
                        scopes=scopes,
                        reference=reference,
                        reason="Accredited by the JISC (demo data).",
                    )
                self.note(f"{function} accreditation of {name}", True)

    # --- the JISC ----------------------------------------------------------------------------

    def jisc(self) -> None:
        """Members' two-year terms (from the 1 January before the demo's first JISC act, so
        they serve then, today and at the next meeting) and the roster."""

        first = timezone.localdate() - dt.timedelta(days=JISC_HISTORY_DAYS)
        start, end = dt.date(first.year, 1, 1), dt.date(first.year + 1, 12, 31)
        for username, seat, constituency in JISC_TERMS:
            user = User.objects.get(username=username)
            if JiscMember.objects.filter(user=user).exists():
                continue
            JiscMember.objects.create(
                user=user,
                party=user.party,
                seat=seat,
                constituency=constituency,
                term_start=start,
                term_end=end,
            )
            self.note(f"JISC {seat} term of {username} ({start} to {end})", True)
        for username in EXPERTS:
            expert, created = Expert.objects.get_or_create(user=User.objects.get(username=username))
            if created:
                expert.scopes.set(SectoralScope.objects.filter(number__in=DEMO_SCOPES))
            self.note(f"expert {username} on the roster", created)

    def meetings(self) -> None:
        """Two meetings (one past, one to come), through ``reviews.workflow``; before the
        projects, since a review is decided at JISC 40."""

        sec = User.objects.get(username="secretariat")
        today = timezone.localdate()
        for number, offset, days, place in MEETINGS:
            if Meeting.objects.filter(number=number).exists():
                continue
            starts_on = today + dt.timedelta(days=offset)
            rwf.save_meeting(
                sec,
                number=number,
                starts_on=starts_on,
                ends_on=starts_on + dt.timedelta(days=days - 1),
                place=place,
                electronic=not place,
            )
            self.note(f"meeting JISC {number} ({starts_on})", True)

    def jisc_work(self) -> None:
        """The published project's appraisal, through ``reviews.workflow``."""

        sec = User.objects.get(username="secretariat")
        project = Project.objects.filter(
            title=PUBLISHED_DEMO, status=Project.Status.DETERMINATION_PUBLISHED
        ).first()
        if (
            project is None
            or Appraisal.objects.filter(project=project).exists()
            or project.review_window_closes_at <= timezone.now()
        ):
            return
        members = [User.objects.get(username=u) for u in APPRAISERS["members"]]
        experts = [User.objects.get(username=u) for u in APPRAISERS["experts"]]
        with transaction.atomic():
            appraisal = rwf.appoint_appraisers(sec, project, members=members, experts=experts)
            rwf.declare_no_conflict(members[0], appraisal)
            rwf.file_appraisal(
                members[0],
                appraisal,
                criteria=APPRAISAL_FORM,
                opinion="meets",
                comments="No reason to request a review.",
            )
        self.note(f"appraisal of {project.key}, F-JI-DA of {members[0].username} filed", True)

    # --- projects ----------------------------------------------------------------------------

    def projects(self) -> None:
        self.pp = User.objects.get(username="participant")
        self.aie = User.objects.get(username="aie")
        self.sec = User.objects.get(username="secretariat")
        self.ua = Party.objects.get(code="UA")
        self.today = timezone.localdate()
        # In order of publication, so references (0001, 0002, ...) follow the dates.
        stages: list[tuple[str, Callable[[str], Project]]] = [
            (FINAL_DEMO, self.stage_final),
            (DECIDED_DEMO, self.stage_review_decided),
            (POA_DEMO, self.stage_programme),
            ("Small hydro cascade in the Carpathians", self.stage_rejected),
            (UNDER_REVIEW_DEMO, self.stage_under_review),
            ("Associated gas utilisation at Poltava oil field", self.stage_published),
            ("Energy efficiency at Kryvyi Rih steel works", self.stage_awaiting_fee),
            ("District heating modernisation in Lviv", self.stage_comments_closed),
            ("Landfill gas capture at Kyiv", self.stage_open),
            ("Wind farm at Zaporizhzhia", self.stage_draft),
            ("Coal mine methane utilisation at Pokrovsk", self.stage_engaged),
            ("Biomass boiler at Zhytomyr hospital", self.stage_withdrawn),
        ]
        needs_pdf = {
            self.stage_awaiting_fee,
            self.stage_published,
            self.stage_final,
            self.stage_rejected,
            self.stage_review_decided,
            self.stage_under_review,
            self.stage_programme,
        }
        pdf_ok, why = weasyprint_available()
        for title, seed in stages:
            if Project.objects.filter(title=title).exists():
                continue
            if seed in needs_pdf and not pdf_ok:
                self.stderr.write(
                    f"skipped “{title}”: determination reports are rendered with WeasyPrint, "
                    f"which cannot load here ({why}); install Pango and run seed_demo again"
                )
                continue
            try:
                with transaction.atomic():
                    project = seed(title)
            except DomainError as err:  # e.g. an older demo's JISC terms do not cover the past
                self.stderr.write(f"skipped “{title}”: {err.detail}")
                continue
            self.note(f"project {project.key} “{title}” ({project.status})", True)

    def data(self, title: str, *, scopes, expected, involved=("JP",), **extra) -> dict:
        return {
            "title": title,
            "host_party": self.ua,
            "parties_involved": list(Party.objects.filter(code__in=involved)),
            "participants": [],
            "sectoral_scopes": list(SectoralScope.objects.filter(number__in=scopes)),
            "crediting_start": dt.date(2008, 1, 1),
            "crediting_end": dt.date(2012, 12, 31),
            "baseline_approach": Project.Approach.JI_SPECIFIC,
            "monitoring_approach": "Continuous metering; annual monitoring reports.",
            "expected": expected,
        } | extra

    def draft(self, title: str, **data) -> Project:
        project = wf.create_project(self.pp, **self.data(title, **data))
        wf.add_document(
            self.pp,
            project,
            kind="pdd",
            title="Project design document",
            uploaded=upload("pdd.pdf", f"PDD: {title}"),
        )
        return project

    def on(self, days_ago: int, at: dt.time = dt.time(9, 0)):
        """Run the workflow as on a past day, so that the event log, the documents and the
        windows agree (the timeline and ``?as_of`` pages read the log). Demo data only."""
        instant = dt.datetime.combine(self.today - dt.timedelta(days=days_ago), at, dt.UTC)
        return self.at(min(instant, timezone.now() - dt.timedelta(minutes=10)))  # never ahead

    def at(self, instant: dt.datetime):
        import time_machine  # noqa: PLC0415 -- optional dependency (the demo's clock)

        return time_machine.travel(instant, tick=True)

    def engaged(self, title: str, days_ago: int = 0, **data) -> Project:
        with self.on(days_ago + 3):
            project = self.draft(title, **data)
            engagement = wf.engage_aie(self.pp, project, self.aie.organisation)
        with self.on(days_ago + 2):
            wf.decide_engagement(self.aie, engagement, accept=True)
            # Ukraine's focal point records its letter of approval early, as hosts do: a
            # positive determination needs it on record (para 33 (a)).
            wf.record_approval(
                User.objects.get(username="party"),
                project,
                party=self.ua,
                issued_on=timezone.localdate(),
                reference=f"UA-LoA-{project.pk:04d}",
            )
        return Project.objects.get(pk=project.pk)

    def published_pdd(self, title: str, available_days_ago: int = 0, **data) -> Project:
        """The AIE submits the PDD the day before; the secretariat publishes it with
        availability on that day."""
        project = self.engaged(title, available_days_ago, **data)
        with self.on(available_days_ago + 1):
            wf.submit_pdd(self.aie, project)
        with self.on(available_days_ago, dt.time(8, 0)):
            wf.check_pdd(self.sec, project, accept=True, available_on=timezone.localdate())
        return Project.objects.get(pk=project.pk)

    def closed(self, title: str, available_days_ago: int, **data) -> Project:
        project = self.published_pdd(title, available_days_ago, **data)
        with self.on(available_days_ago - 3):
            comment = wf.add_comment(
                project,
                name="Iryna Bondarenko",
                affiliation="Ecoclub Rivne",
                category="stakeholder",
                email="iryna@example.org",
                text=(
                    "How will the monitoring plan handle periods when the meters are out of "
                    "service?"
                ),
            )
        with self.on(available_days_ago - 5):
            wf.answer_comment(
                self.aie,
                comment,
                "Missing data are replaced by the conservative default of the plan.",
            )
        # The clock closes the comment period at its end instant, as the beat sweep does.
        after = project.comments_close_at + dt.timedelta(seconds=1)
        with self.at(after):
            wf.close_comments(project.pk, now=after)
        return Project.objects.get(pk=project.pk)

    def submitted(
        self, title: str, available_days_ago: int, *, findings=None, outcome="positive", **data
    ) -> Project:

        project = self.closed(title, available_days_ago, **data)
        with self.on(available_days_ago - 32):  # two days after the comment period
            dwf.submit_determination(
                self.aie,
                project,
                findings=dict(findings or FINDINGS),
                outcome=outcome,
                due_account="Each comment is answered in section E of the report.",
            )
        return Project.objects.get(pk=project.pk)

    def determination_published(
        self, title: str, *, pdd_days_ago: int, det_days_ago: int, **data
    ) -> Project:

        project = self.submitted(title, pdd_days_ago, **data)
        fee = fees.determination_fee_record(project)
        if fee is not None and fee.status == fee.Status.DUE:
            with self.on(det_days_ago + 2):
                fees.pay_balance(self.sec, project, reference=f"DEMO-{project.reference}")
        with self.on(det_days_ago, dt.time(8, 0)):
            dwf.check_determination(
                self.sec, project, accept=True, available_on=timezone.localdate()
            )
        return Project.objects.get(pk=project.pk)

    def deemed_final(self, project: Project) -> Project:
        """The 45-day window has run: the clock deems the determination final (para 35)."""

        after = project.review_window_closes_at + dt.timedelta(seconds=1)
        with self.at(after):
            dwf.deem_final(project.pk, now=after)
        return Project.objects.get(pk=project.pk)

    # One function per demo stage.

    def stage_draft(self, title: str) -> Project:
        return self.draft(title, scopes=[1], expected={2009: 80000, 2010: 120000, 2011: 120000})

    def stage_engaged(self, title: str) -> Project:
        return self.engaged(
            title, scopes=[8, 10], expected={2009: 210000, 2010: 240000, 2011: 240000}
        )

    def stage_withdrawn(self, title: str) -> Project:
        project = self.engaged(title, 20, scopes=[1], expected={2010: 9000, 2011: 9500})
        return wf.withdraw(self.pp, project, "The boiler supplier went out of business.")

    def stage_open(self, title: str) -> Project:
        project = self.published_pdd(
            title, 0, scopes=[13], expected={2009: 40000, 2010: 50000, 2011: 60000}
        )
        now = timezone.now()
        answered = wf.add_comment(
            project,
            name="Ministry of Environmental Protection of Ukraine",
            affiliation="Ukraine",
            category="party",
            email="ji@example.org",
            text="Please confirm the landfill's methane baseline against the 2007 cadastre.",
            now=now,
        )
        wf.answer_comment(
            self.aie, answered, "The baseline uses the 2007 cadastre; see PDD section B.2."
        )
        wf.add_comment(
            project,
            name="Taras Melnyk",
            affiliation="Kyiv residents' association",
            category="stakeholder",
            email="taras@example.org",
            text="Will the flare be enclosed? Residents are worried about odour.",
            now=now,
        )
        return Project.objects.get(pk=project.pk)

    def stage_comments_closed(self, title: str) -> Project:
        return self.closed(
            title, 35, scopes=[3], expected={2009: 25000, 2010: 30000}, involved=("DK",)
        )

    def stage_awaiting_fee(self, title: str) -> Project:
        """The advance is invoiced and partly paid: the secretariat waits for the rest."""

        project = self.submitted(
            title, 40, scopes=[9], expected={2009: 150000, 2010: 160000, 2011: 170000}
        )
        invoice = fees.determination_fee_record(project).invoices.get()
        with self.on(3):
            fees.record_payment(
                self.sec, invoice, amount="10000.00", reference=f"DEMO-{project.reference}-1"
            )
        return project

    def stage_published(self, title: str) -> Project:
        return self.determination_published(
            title,
            pdd_days_ago=70,
            det_days_ago=10,
            scopes=[10],
            expected={2009: 300000, 2010: 320000},
            involved=("CH",),
        )

    def stage_final(self, title: str) -> Project:
        """Final, then monitored, verified (covered by the advance) and credited with ERUs."""
        project = self.determination_published(
            title,
            pdd_days_ago=200,
            det_days_ago=140,
            scopes=[5],
            expected={2009: 900000, 2010: 950000, 2011: 950000},
            involved=("JP", "NL"),
        )
        project = self.deemed_final(project)
        self.verified_and_issued(project, verified=120_000)
        return Project.objects.get(pk=project.pk)

    def verified_and_issued(self, project: Project, *, verified: int) -> None:

        dfp = User.objects.get(username="party")
        with self.on(70):
            report = vwf.submit_monitoring_report(
                self.pp,
                project,
                period_start=dt.date(2009, 1, 1),
                period_end=dt.date(2009, 12, 31),
                aie=self.aie.organisation,
                claimed={2009: verified + 4_000},
                report=upload("monitoring-2009.pdf", f"Monitoring report 2009: {project.title}"),
            )
        with self.on(60):
            ver = vwf.submit_verification(
                self.aie,
                report,
                verified={2009: verified},
                findings="Meters calibrated; data checked against sales invoices.",
                change_opinions={},
                conditions_hold=True,
                conditions_reasons="No change to the determined design.",
                no_overlap_declared=True,
            )
        fee = project.fees.get(kind="verification", number=ver.number)
        if fee.status == fee.Status.DUE:
            with self.on(58):
                invoice = fee.invoices.get()
                fees.record_payment(
                    self.sec, invoice, amount=invoice.balance_usd, reference="DEMO-V1"
                )
        with self.on(55, dt.time(8, 0)):
            ver = vwf.publish_verification(self.sec, ver, available_on=timezone.localdate())
        after = ver.review_window_closes_at + dt.timedelta(seconds=1)
        with self.at(after):
            vwf.deem_verification_final(ver.pk, after)
        with self.on(30):
            issuance.record_aau_holding(dfp, project.host_party, quantity=1_000_000)
            ver.refresh_from_db()
            issuance.issue_erus(
                dfp, ver, blocks=[{"serial_start": 5_000_001, "serial_end": 5_000_000 + verified}]
            )

    def stage_rejected(self, title: str) -> Project:

        project = self.determination_published(
            title,
            pdd_days_ago=110,
            det_days_ago=50,
            scopes=[1],
            expected={2009: 12000, 2010: 12000},
            small_scale=True,
            small_scale_type=Project.SmallScaleType.RENEWABLE,
            small_scale_figure=Decimal("9.6"),  # MW: a type I small-scale project
            findings=NEGATIVE_FINDINGS,
            outcome="negative",
        )
        # A negative determination that becomes final leaves the project rejected.
        return self.deemed_final(project)

    def review_requested(self, project: Project, *, days_ago: int) -> Review:
        """Ukraine's focal point requests a review (F-JI-DR): one Party involved starts it at
        once (para 35); two days later the secretariat appoints the team."""
        dfp = User.objects.get(username="party")
        with self.on(days_ago):
            rwf.request_review(
                dfp,
                project,
                reasons=dict(REVIEW_REASONS),
                summary="The additionality of the project is not shown with current prices.",
            )
        review = Review.objects.get(project=project)
        lead, other = (User.objects.get(username=u) for u in REVIEW_TEAMS[project.title])
        with self.on(days_ago - 2):
            rwf.appoint_team(self.sec, review, members=[lead, other], lead=lead)
        return Review.objects.get(pk=review.pk)

    def stage_review_decided(self, title: str) -> Project:
        """Reviewed at the request of Ukraine; the AIE answered the team's clarification, the
        team recommended confirmation and the JISC confirmed the determination at JISC 40."""
        project = self.determination_published(
            title,
            pdd_days_ago=160,
            det_days_ago=100,
            scopes=[9],
            expected={2009: 110000, 2010: 120000, 2011: 125000},
            involved=("NL",),
        )
        review = self.review_requested(project, days_ago=95)
        lead = review.team.get(lead=True).user
        with self.on(90):
            clar = rwf.send_clarification(
                lead,
                review,
                addressed_to="aie",
                questions="Which gas price does the investment analysis use, and from when?",
                due_on=timezone.localdate() + dt.timedelta(days=14),
            )
        with self.on(86):
            rwf.answer_clarification(
                self.aie,
                clar,
                answer="The 2009 regulated tariff; the sensitivity analysis covers the 2010 rise.",
            )
        with self.on(45):
            rwf.file_report(
                lead,
                review,
                recommendation="confirmed",
                report="The sensitivity analysis answers the request: the project is additional.",
            )
        with self.on(34):
            rwf.decide(
                self.sec,
                review,
                decision="confirmed",
                reasons="The determination meets para 33: the clarification showed that the "
                "investment analysis holds with the tariffs of 2009 and 2010.",
                meeting=Meeting.objects.get(number=40),
            )
        return Project.objects.get(pk=project.pk)

    def stage_under_review(self, title: str) -> Project:
        """Under review at the request of Ukraine; the team has asked the AIE for clarification,
        due in two weeks."""
        project = self.determination_published(
            title,
            pdd_days_ago=95,
            det_days_ago=50,
            scopes=[13],
            expected={2010: 45000, 2011: 52000},
            involved=("DK",),
        )
        review = self.review_requested(project, days_ago=45)
        with self.on(10):
            rwf.send_clarification(
                review.team.get(lead=True).user,
                review,
                addressed_to="aie",
                questions="Explain how the baseline methane emissions of the open lagoons were "
                "measured, and send the measurement reports.",
                due_on=self.today + dt.timedelta(days=14),
            )
        return Project.objects.get(pk=project.pk)


def weasyprint_available() -> tuple[bool, str]:
    try:
        import weasyprint  # noqa: F401, PLC0415 -- optional dependency (Pango may be missing)
    except (ImportError, OSError) as exc:
        return False, str(exc).splitlines()[0]
    return True, ""
