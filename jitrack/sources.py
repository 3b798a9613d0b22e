"""What public text cites (issue 15): the paragraphs of the JI guidelines and of the CMP's
decisions, and the JISC's documents — never our internal notes. One place, so the data dictionary,
the statistics tables and the pages cite a rule the same way.

Each entry follows the sources named in ``/work/shared/ji-rules.md`` and the seeds beside it
(``seeds/003``: the Track 2 procedure and the fee provisions). Where the rules rest on the
secretariat's published practice (how a period is counted) the citation names that practice as
the secretariat's; no paragraph number is given where the public texts we hold do not give one.
The strings are English on purpose: they are data (document titles and paragraph numbers), the
same in every download whatever the visitor's language.
"""

from __future__ import annotations

# The documents.
GUIDELINES = "JI guidelines (decision 9/CMP.1 annex)"
ISSUANCE = "decision 13/CMP.1 annex, para 29"
SMALL_SCALE = "decision 1/CMP.2, para 28; decision 3/CMP.2, para 8"
FEES = "JISC Provisions for the charging of fees, version 3 (JISC 18, annex 9)"
COMMITMENT_PERIODS = "Kyoto Protocol, Article 3, paras 7 and 7 bis (Doha Amendment)"
PUBLIC_AVAILABILITY = (
    "JISC Procedures on public availability of documents under the verification procedure "
    "(JISC 4, annex 13)"
)
APPRAISALS = "JISC Procedures for appraisals of determinations (JISC 4, annex 10)"
REVIEWS = "JISC Procedures for reviews, version 2 (JISC 10, annex 1)"
WITHDRAWAL = "JISC Procedures for the withdrawal of submissions, version 02"
ACCREDITATION = "JISC Procedure for accrediting independent entities (JI accreditation procedure)"
# The secretariat's published practice (ji-rules.md §4), not a paragraph of any decision.
CLOCK = (
    "the secretariat's published practice: the availability date is day 1, a period ends at "
    "17:00 GMT on its last day"
)


def guidelines(paras: str) -> str:
    """``guidelines("para 32")`` -> ``JI guidelines (decision 9/CMP.1 annex), para 32``."""
    return f"{GUIDELINES}, {paras}"


def timed(paras: str) -> str:
    """A date of the statutory clock: the paragraph that sets the period, and how it is counted."""
    return f"{guidelines(paras)}; {CLOCK}"


# The rules, by name. Keys are what a field or page is about.
SOURCES: dict[str, str] = {
    "track2": guidelines("paras 30–39"),
    "eligibility": guidelines("paras 21 and 24"),
    "track": guidelines("paras 23 and 24"),
    "pdd": guidelines("para 31"),
    "participants": guidelines("para 31"),
    "aie": f"{guidelines('paras 30–31 and appendix A')}; {ACCREDITATION}",
    "scopes": f"{ACCREDITATION}, list of JI sectoral scopes",
    "small_scale": SMALL_SCALE,
    "poa": f"{guidelines('para 31')}; {FEES}, para 1 (b) (iii)",
    "expected_reductions": f"{guidelines('para 31')}; {FEES}",
    "reference": f"{guidelines('para 32')}; numbered by the secretariat in order of publication",
    "public": f"{guidelines('paras 32, 34, 36 and 38')}; {PUBLIC_AVAILABILITY}",
    "comment_period": timed("para 32"),
    "determination_public": guidelines("para 34"),
    "determination_available": timed("para 34"),
    "determination_window": timed("para 35"),
    "determination_final": guidelines("para 35"),
    "review": f"{guidelines('paras 35 and 39')}; {REVIEWS}",
    "determination_review": guidelines("para 35"),
    "monitoring": guidelines("para 36"),
    "verification": guidelines("paras 37–38"),
    "verification_by_year": f"{guidelines('paras 37–38')}; {FEES}, para 1 (b)",
    "verification_available": timed("para 38"),
    "verification_window": timed("para 39"),
    "verification_final": guidelines("para 39"),
    "verification_status": f"{guidelines('paras 38–39')}; {WITHDRAWAL}",
    "issuance": ISSUANCE,
    "commitment_period": f"{ISSUANCE}; {COMMITMENT_PERIODS}",
    "withdrawal": WITHDRAWAL,
    "appraisal": APPRAISALS,
}
