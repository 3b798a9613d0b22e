"""Who may see and do what in appraisals and reviews (ji-rules §6: appraisal forms and review
working papers are for the secretariat and JISC members only).

ji-rules §6: confidential papers are for *serving* JISC members and alternates, checked at the
time of the request — a member whose term ended, or a ``jisc`` user with no term, sees none.
**[our reading]** A member with a conflict of interest on a project (ji-rules §3 item 6: a
national of a Party involved, or staff of its AIE or of a participant, as ``workflow.Conflicts``
reads it) does not see that project's confidential papers either."""

from __future__ import annotations

import rules
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from projects.models import Project, User
from projects.rules import is_secretariat

from .models import Appraisal, Appraiser, Clarification, JiscMember, Review
from .workflow import is_serving_member


@rules.predicate
def is_serving_jisc(user) -> bool:
    """A JISC member or alternate whose term covers today."""
    if not (user.is_authenticated and user.role == User.Role.JISC):
        return False
    return _remembered(user, None, lambda day: (is_serving_member(user, day), False))[0]


@rules.predicate
def is_serving_jisc_without_conflict(user, obj) -> bool:
    """A serving member or alternate, and, for a paper of a project, one without a conflict of
    interest on it (the reasons of ``workflow.Conflicts``, ji-rules §3 item 6): one query."""
    if not (user.is_authenticated and user.role == User.Role.JISC):
        return False
    project = project_of(obj)
    if project is None:
        return is_serving_jisc(user)
    serving, conflicted = _remembered(user, project.pk, lambda day: _standing(user, project, day))
    return serving and not conflicted


def _standing(user, project: Project, day) -> tuple[bool, bool]:
    """(serving today, conflicted on ``project``) in one query."""
    own = JiscMember.objects.filter(user=user).values("party")
    involved = (
        Q(host_party__in=own)
        | Q(parties_involved__in=own)
        | Q(host_party=user.party_id)
        | Q(parties_involved=user.party_id)
    )
    if user.organisation_id:
        involved |= Q(aie=user.organisation_id) | Q(participants=user.organisation_id)
    return (
        Project.objects.filter(pk=project.pk)
        .annotate(
            serving=Exists(JiscMember.objects.serving_on(day).filter(user=user)),
            conflicted=Exists(Project.objects.filter(involved, pk=OuterRef("pk"))),
        )
        .values_list("serving", "conflicted")
        .get()
    )


def _remembered(user, key, compute) -> tuple[bool, bool]:
    """What ``compute(day)`` found for this user and ``key`` today, kept on the user object:
    a request that checks a paper several times asks the database once."""
    day = timezone.localdate()
    known = getattr(user, "_jisc_standing", None)
    if known is None or known[0] != day:
        known = user._jisc_standing = (day, {})
    if key not in known[1]:
        known[1][key] = compute(day)
    return known[1][key]


def project_of(obj) -> Project | None:
    """The project a confidential paper belongs to (None for what belongs to none, a meeting)."""
    if isinstance(obj, Project):
        return obj
    if isinstance(obj, Appraiser):
        return obj.appraisal.project
    if isinstance(obj, Clarification):
        return obj.review.project
    if isinstance(obj, Appraisal | Review):
        return obj.project
    return None


rules.add_perm("reviews.manage", is_secretariat)
# Appraisal forms and the review team's working papers: the secretariat and serving JISC members
# without a conflict of interest. Experts see the appraisals they sit on (checked in the views on
# the appraisal's seats).
rules.add_perm("reviews.view_confidential", is_secretariat | is_serving_jisc_without_conflict)
# The annual revenue report is made for the JISC (3/CMP.2 para 17): its serving members. Here,
# not in ``fees.rules``, because who serves on the JISC is this app's record.
rules.add_perm("fees.view_revenue", is_secretariat | is_serving_jisc)
