import rules

from projects.rules import is_participant, is_participant_of, is_secretariat

rules.add_perm("fees.record_payment", is_secretariat)
# Invoices and payments are visible to the paying PPs and the secretariat only (ji-rules §6).
rules.add_perm("fees.view_fees", is_participant_of | is_secretariat)
# The fees pages list a user's own invoices (participants) or all of them (secretariat).
rules.add_perm("fees.view_fee_pages", is_participant | is_secretariat)
# The annual revenue report (``fees.view_revenue``) is for the secretariat and the serving JISC
# members, whom ``reviews.rules`` knows.
