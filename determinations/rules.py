import rules

from projects.rules import is_project_aie, is_secretariat

rules.add_perm("determinations.submit_determination", is_project_aie)
rules.add_perm("determinations.check_determination", is_secretariat)
