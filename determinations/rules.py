import rules

from projects.rules import (
    is_aie_staff,
    is_focal_point_of,
    is_participant,
    is_participant_of,
    is_project_aie,
    is_secretariat,
)


@rules.predicate
def is_report_aie(user, report):
    """The AIE a monitoring report was submitted to (para 37)."""
    return bool(is_aie_staff(user) and report is not None and report.aie_id == user.organisation_id)


rules.add_perm("determinations.submit_determination", is_project_aie)
rules.add_perm("determinations.check_determination", is_secretariat)
rules.add_perm("determinations.verify_report", is_report_aie)
# The host Party's focal point converts its AAUs into ERUs and transfers them (13/CMP.1 para 29).
rules.add_perm("determinations.issue_erus", is_focal_point_of)


@rules.predicate
def has_organisation(user) -> bool:
    return bool(user.is_authenticated and user.organisation_id)


# The participants name the registry accounts their ERUs go to (ji-rules §3 item 13): staff of a
# participant organisation keeps its organisation's accounts; on a project, its participants.
rules.add_perm("determinations.manage_registry_accounts", is_participant & has_organisation)
rules.add_perm("determinations.name_registry_accounts", is_participant_of)
# The secretariat records Parties' assigned amounts and reported emissions (determinations.inventory).
rules.add_perm("determinations.record_inventory", is_secretariat)
