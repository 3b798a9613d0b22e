"""Who may see and do what in appraisals and reviews (ji-rules §6: appraisal forms and review
working papers are for the secretariat and JISC members only)."""

import rules

from projects.rules import is_secretariat


@rules.predicate
def is_jisc(user):
    return user.is_authenticated and user.role == "jisc"


rules.add_perm("reviews.manage", is_secretariat)
# Appraisal forms and the review team's working papers: secretariat and JISC members. Experts
# see the appraisals they sit on (checked in the views on the appraisal's seats).
rules.add_perm("reviews.view_confidential", is_secretariat | is_jisc)
