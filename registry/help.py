"""Help (issue 15): a short guide per role — what you do, in which order, with which deadline,
on which page — in English and Russian.

The guides are long prose, so each language has its own template per role
(``templates/help/<language>/<role>.html``, English when a language has none); the labels
around them go through the catalogue. The pages are public and the same for every anonymous
visitor (``registry.urls`` serves them from the page cache, whose key carries the language); a
logged-in viewer sees their own role's guide first.

A guide names the pages that act on one object (a project's check page, a monitoring report's
verification form) by their address with a placeholder — ``/projects/‹reference›/check-pdd/``
— reversed here from the URL names, so a renamed route fails the tests instead of leaving a
wrong address in the manual."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from django.http import Http404
from django.shortcuts import render
from django.template.loader import select_template
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from projects.models import User

PUBLIC = "public"


@dataclass(frozen=True)
class Guide:
    role: str
    title: Promise
    summary: Promise


GUIDES: tuple[Guide, ...] = (
    Guide(
        User.Role.PARTICIPANT.value,
        gettext_lazy("Project participant"),
        gettext_lazy(
            "Create the project, upload the PDD and the letters of approval, engage an AIE, pay "
            "the fees, answer clarifications, submit monitoring reports."
        ),
    ),
    Guide(
        User.Role.AIE.value,
        gettext_lazy("Accredited independent entity (AIE)"),
        gettext_lazy(
            "Accept the engagement, submit the PDD for publication, answer the comments, file "
            "the determination (F-JI-DRep) and the verifications (F-JI-VRep)."
        ),
    ),
    Guide(
        User.Role.SECRETARIAT.value,
        gettext_lazy("Secretariat"),
        gettext_lazy(
            "Check and publish PDDs and reports, record payments, appoint appraisers and review "
            "teams, record the JISC's decisions, keep the meetings and the roster."
        ),
    ),
    Guide(
        User.Role.PARTY.value,
        gettext_lazy("Designated focal point of a Party"),
        gettext_lazy(
            "Approve projects, request reviews of determinations and verifications, issue and "
            "transfer ERUs as the host Party."
        ),
    ),
    Guide(
        User.Role.JISC.value,
        gettext_lazy("JISC member"),
        gettext_lazy(
            "Appraise determinations (F-JI-DA), request reviews, sit on review teams and decide "
            "at the JISC's meetings."
        ),
    ),
    Guide(
        User.Role.EXPERT.value,
        gettext_lazy("Expert"),
        gettext_lazy(
            "Give confidential expert input (F-JI-ExInpDA) to the appraisal of a determination."
        ),
    ),
    Guide(
        PUBLIC,
        gettext_lazy("The public"),
        gettext_lazy(
            "Read everything published, comment on PDDs during their 30-day period, follow the "
            "projects by feed, calendar and open data."
        ),
    ),
)
BY_ROLE = {g.role: g for g in GUIDES}

# The pages of one object, and the arguments that name it: each shown in the guides with a
# placeholder for the argument (``paths`` below).
_KEY, _PK, _NUMBER, _CODE = "zzkeyzz", 987654321, 987654322, "zzcodezz"
_OBJECT_PAGES = {
    **dict.fromkeys(
        [
            "project_detail",
            "project_edit",
            "document_upload",
            "approval_record",
            "project_engage",
            "project_change_aie",
            "project_withdraw",
            "project_terminate",
            "submit_pdd",
            "check_pdd",
            "comment_add",
            "determination_file",
            "determination_check",
            "monitoring",
            "monitoring_new",
            "change_new",
            "fee_detail",
            "fee_payment",
            "review_request",
            "appraisal_appoint",
            "feed_project",
            "project_calendar",
            "track1_verification_new",
            "component_include",
            "participation_change",
            "crediting_period_renew",
        ],
        {"key": _KEY},
    ),
    **dict.fromkeys(
        ["verification_publish", "eru_issue", "verification_review"],
        {"key": _KEY, "number": _NUMBER},
    ),
    **dict.fromkeys(
        [
            "verification_file",
            "monitoring_withdraw",
            "engagement_decide",
            "approval_confirm",
            "appraisal_detail",
            "review_detail",
            "review_team",
            "review_clarify",
            "review_report",
            "review_decide",
            "review_corrections",
            "review_confirm",
            "clarification_detail",
            "eru_transfer",
            "reimbursement_paid",
            "monitoring_change_aie",
            "participation_change_approve",
            "participation_change_cancel",
        ],
        {"pk": _PK},
    ),
    "meeting_detail": {"number": _NUMBER},
    "invoice_detail": {"number": _CODE},
    "party_issuance": {"code": _CODE},
    "party_inventory": {"code": _CODE},
    "conversions_party": {"code": _CODE},
    "component_detail": {"key": _KEY, "number": _NUMBER},
}


@functools.cache
def _raw_paths() -> dict[str, str]:
    return {name: reverse(name, kwargs=kwargs) for name, kwargs in _OBJECT_PAGES.items()}


# The placeholders' words, per language of the guides (English for the others).
_PLACEHOLDERS = {"en": ("reference", "code"), "ru": ("номер", "код")}


def paths() -> dict[str, str]:
    """Each object page's address with its arguments as placeholders, in the active language."""
    reference, code = _PLACEHOLDERS.get(_language(), _PLACEHOLDERS["en"])
    names = {_KEY: f"‹{reference}›", str(_PK): "‹n›", str(_NUMBER): "‹n›", _CODE: f"‹{code}›"}
    out = {}
    for name, path in _raw_paths().items():
        for raw, shown in names.items():
            path = path.replace(raw, shown)
        out[name] = path
    return out


def viewer_role(user) -> str:
    """The guide that is the viewer's own: their role's, the public's for a visitor, none for an
    account without a role (an administrator)."""
    if not user.is_authenticated:
        return PUBLIC
    return user.role if user.role in BY_ROLE else ""


def _language() -> str:
    return (get_language() or "en").split("-")[0].lower()


@require_safe
def help_index(request):
    mine = viewer_role(request.user)
    guides = sorted(GUIDES, key=lambda g: g.role != mine)  # stable: the others keep their order
    return render(request, "help/index.html", {"guides": guides, "mine": mine})


@require_safe
def help_role(request, role: str):
    guide = BY_ROLE.get(role)
    if guide is None:
        raise Http404(_("There is no guide for that role."))
    body = select_template([f"help/{_language()}/{role}.html", f"help/en/{role}.html"])
    return render(
        request,
        "help/page.html",
        {
            "guide": guide,
            "guides": GUIDES,
            "mine": viewer_role(request.user),
            "body": body,
            "paths": paths(),
        },
    )
