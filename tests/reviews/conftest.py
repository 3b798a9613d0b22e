"""The JISC for review tests: five serving members (one an alternate) from Parties not involved
in the cycle's projects, one member from Japan (conflicted on projects made with
``parties_involved=[japan]``; cycle projects have no other Party involved by default), and three
experts.
"""

import datetime as dt

import pytest
from django.utils import timezone

from projects.models import Party, SectoralScope, User
from reviews.models import Expert, JiscMember
from tests.factories import UserFactory

CRITERIA_FORM = {
    "approval": {"met": True, "comment": "Letters of approval checked."},
    "additionality": {"met": True, "comment": "Investment analysis is sound."},
    "baseline_monitoring": {"met": True, "comment": "Appendix B followed."},
    "environmental": {"met": True, "comment": "EIA reviewed."},
}
REASONS = {"additionality": "The investment analysis ignores the 2009 tariff increase."}


def _party(code: str, name: str) -> Party:
    party, _ = Party.objects.get_or_create(code=code, defaults={"name": name})
    return party


class Committee:
    def __init__(self):
        today = timezone.localdate()
        start, end = today - dt.timedelta(days=400), today + dt.timedelta(days=400)
        seats = [
            ("m1", "DE", "Germany", "member"),
            ("m2", "FR", "France", "member"),
            ("m3", "BR", "Brazil", "member"),
            ("m4", "KE", "Kenya", "member"),
            ("m5", "CA", "Canada", "alternate"),
        ]
        self.members: list[User] = []
        for username, code, name, seat in seats:
            party = _party(code, name)
            user = UserFactory(
                username=username, role=User.Role.JISC, party=party, last_name=username.upper()
            )
            JiscMember.objects.create(
                user=user,
                party=party,
                seat=seat,
                constituency=JiscMember.Constituency.ANNEX_I_OTHER,
                term_start=start,
                term_end=end,
            )
            self.members.append(user)
        japan = _party("JP", "Japan")
        self.conflicted = UserFactory(username="mjp", role=User.Role.JISC, party=japan)
        JiscMember.objects.create(
            user=self.conflicted,
            party=japan,
            constituency=JiscMember.Constituency.ANNEX_I_OTHER,
            term_start=start,
            term_end=end,
        )
        self.experts: list[User] = []
        for username, code in (("e1", "DE"), ("e2", "FR"), ("e3", "BR")):
            user = UserFactory(
                username=username,
                role=User.Role.EXPERT,
                party=_party(code, code),
                last_name=username,
            )
            expert = Expert.objects.create(user=user)
            expert.scopes.set(SectoralScope.objects.all())
            self.experts.append(user)


@pytest.fixture
def committee(db, scopes, japan):
    return Committee()
