import rules

from projects.rules import is_participant, is_participant_of, is_secretariat


@rules.predicate
def is_staff_of(user, organisation):
    """A participant's own organisation (for what it owes)."""
    return bool(
        is_participant(user)
        and organisation is not None
        and user.organisation_id is not None
        and user.organisation_id == organisation.pk
    )


rules.add_perm("fees.record_payment", is_secretariat)
# Invoices and payments are visible to the paying PPs and the secretariat only (ji-rules §6).
rules.add_perm("fees.view_fees", is_participant_of | is_secretariat)
# The fees pages list a user's own invoices (participants) or all of them (secretariat).
rules.add_perm("fees.view_fee_pages", is_participant | is_secretariat)
# What an organisation owes: its own staff, and the secretariat for any organisation (which
# alone lists every organisation that owes).
rules.add_perm("fees.view_owed", is_staff_of | is_secretariat)
rules.add_perm("fees.view_all_owed", is_secretariat)
# The annual revenue report (``fees.view_revenue``) is for the secretariat and the serving JISC
# members, whom ``reviews.rules`` knows.
