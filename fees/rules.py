import rules

from projects.rules import is_participant_of, is_secretariat

rules.add_perm("fees.record_payment", is_secretariat)
# Invoices and payments are visible to the paying PPs and the secretariat only (ji-rules §6).
rules.add_perm("fees.view_fees", is_participant_of | is_secretariat)
