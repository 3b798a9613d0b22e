"""Permissions as predicates (django-rules). Every check is ``user.has_perm(perm, obj)``."""

import rules

from .models import User


@rules.predicate
def is_secretariat(user):
    return user.is_authenticated and user.role == User.Role.SECRETARIAT


@rules.predicate
def is_admin(user):
    """A superuser keeps the admin site's reference data (Parties, accreditations) and nothing
    of the workflow (``User.has_perm``)."""
    return user.is_authenticated and user.is_superuser


@rules.predicate
def is_participant(user):
    return user.is_authenticated and user.role == User.Role.PARTICIPANT


@rules.predicate
def is_aie_staff(user):
    return user.is_authenticated and user.role == User.Role.AIE and user.organisation_id


@rules.predicate
def is_participant_of(user, project):
    if not (is_participant(user) and user.organisation_id and project is not None):
        return False
    # Pages that list the participants prefetch them; reuse that list so a page checking
    # several permissions stays within its query budget.
    prefetched = getattr(project, "_prefetched_objects_cache", {}).get("participants")
    if prefetched is not None:
        return any(org.pk == user.organisation_id for org in prefetched)
    return project.participants.filter(pk=user.organisation_id).exists()


@rules.predicate
def is_project_aie(user, project):
    return bool(
        is_aie_staff(user) and project is not None and project.aie_id == user.organisation_id
    )


@rules.predicate
def is_invited_aie(user, project):
    """An AIE asked to take the engagement but not yet decided."""
    if not (is_aie_staff(user) and project is not None):
        return False
    return project.engagements.filter(aie_id=user.organisation_id, status="pending").exists()


@rules.predicate
def is_published(user, project):
    return project is not None and project.is_published


@rules.predicate
def is_engagement_aie(user, engagement):
    return bool(is_aie_staff(user) and engagement.aie_id == user.organisation_id)


@rules.predicate
def document_is_public(user, document):
    return (
        document is not None
        and not document.confidential
        and document.published_at is not None
        and document.project.is_published
    )


@rules.predicate
def may_see_project_documents(user, document):
    if document is None:  # asked without a document (the admin asks so): no
        return False
    project = document.project
    return bool(
        is_secretariat(user) or is_participant_of(user, project) or is_project_aie(user, project)
    )


@rules.predicate
def is_focal_point_of(user, party):
    """The designated focal point of ``party``."""
    return bool(
        user.is_authenticated
        and user.role == User.Role.PARTY
        and party is not None
        and user.party_id == party.pk
    )


rules.add_perm(
    "projects.view_project",
    is_published | is_participant_of | is_project_aie | is_invited_aie | is_secretariat,
)
rules.add_perm("projects.create_project", is_participant)
rules.add_perm("projects.edit_project", is_participant_of)
rules.add_perm("projects.engage_aie", is_participant_of)
rules.add_perm("projects.change_aie", is_participant_of)
rules.add_perm("projects.withdraw_project", is_participant_of)
rules.add_perm("projects.decide_engagement", is_engagement_aie)
rules.add_perm("projects.submit_pdd", is_project_aie)
rules.add_perm("projects.check_pdd", is_secretariat)
rules.add_perm("projects.answer_comment", is_project_aie)
rules.add_perm("projects.view_comment_email", is_project_aie | is_secretariat)
rules.add_perm("projects.view_document", document_is_public | may_see_project_documents)
rules.add_perm("projects.view_history", is_participant_of | is_project_aie | is_secretariat)
rules.add_perm("projects.import_projects", is_secretariat)
rules.add_perm("projects.manage_accreditations", is_secretariat | is_admin)
rules.add_perm("projects.remove_comment", is_secretariat)
rules.add_perm("projects.manage_documents", is_secretariat)
rules.add_perm("projects.terminate_project", is_participant_of | is_secretariat)
rules.add_perm("projects.manage_parties", is_secretariat | is_admin)
# The focal point speaks for its Party: records and confirms its approvals, issues its ERUs.
rules.add_perm("projects.speak_for_party", is_focal_point_of)
