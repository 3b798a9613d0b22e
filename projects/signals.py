"""What the project layer tells the layers above it (they import projects; projects never imports
them). Each signal is sent *inside* the act's transaction, so a receiver that fails rolls the
whole act back; receivers are connected in their app's ``AppConfig.ready``.
"""

from django.dispatch import Signal

# The project was withdrawn (``projects.workflow.withdraw``), before its status moves:
# receivers close what their stage holds open (determinations, appraisals, reviews).
# Arguments: ``project`` (locked), ``actor``.
project_withdrawn = Signal()

# The AIE was changed while its determination awaited publication (ji-rules §7 "Accreditation
# at every act"): the unpublished determination is withdrawn. Arguments: ``project`` (locked),
# ``actor``.
determination_set_aside = Signal()

# The project ended: withdrawn, rejected or terminated (ji-rules §5: if no verification report
# was ever submitted, the advance above USD 30,000 is reimbursed). Arguments: ``project``
# (locked, already in its new status), ``status``.
project_ended = Signal()

# The API answers an act with the project as the actor now sees it, composed by the layer that
# knows every stage (``registry``). Arguments: ``request``, ``project_id``; the receiver returns
# the body (a dict).
compose_project = Signal()
