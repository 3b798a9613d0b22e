"""One writer per status (STYLE habit 1, ``jitrack.statuses``): every status field is assigned by
one module only, which starts with its ``TRANSITIONS`` table and moves rows through its
``Machine``. This test reads the source of every app and fails on an assignment or ``update()``
of a status field anywhere else — and on any bulk ``update()`` of a status outside the machine,
since a bulk update takes no lock and writes no event (``Machine.move_many``, the clock's batch,
locks its rows, checks each against the table and calls the writer's log)."""

import ast
from pathlib import Path

import pytest
from django.apps import apps

from jitrack.statuses import Machine

ROOT = Path(__file__).resolve().parents[2]
APPS = ("jitrack", "projects", "fees", "determinations", "reviews", "registry")

# model label -> the one module that writes its status.
WRITERS = {
    "projects.Project": "projects/workflow.py",
    "projects.Engagement": "projects/workflow.py",
    "projects.Document": "projects/workflow.py",
    "projects.Accreditation": "projects/accreditation.py",
    "projects.ComponentActivity": "projects/components.py",
    "projects.ProjectChange": "projects/changes.py",
    "determinations.Determination": "determinations/workflow.py",
    "determinations.MonitoringReport": "determinations/verification.py",
    "determinations.Verification": "determinations/verification.py",
    "reviews.Appraisal": "reviews/workflow.py",
    "reviews.Review": "reviews/workflow.py",
    "fees.FeeAssessment": "fees/services.py",
    "fees.Invoice": "fees/services.py",
    "fees.Reimbursement": "fees/services.py",
}
# Where a status field is set on a row: the machine itself, and each writer's creations.
MACHINE = "jitrack/statuses.py"
MODEL_NAMES = {label.split(".")[1] for label in WRITERS}


def _sources():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            yield path.relative_to(ROOT).as_posix(), ast.parse(path.read_text(), str(path))


def _initial(value: ast.AST | None) -> bool:
    """``MACHINE.initial(status)``: the status a writer creates a row in, checked by its table."""
    return (
        isinstance(value, ast.Call)
        and isinstance(value.func, ast.Attribute)
        and value.func.attr == "initial"
    )


def _status_writes(tree: ast.AST):
    """(line, how) of every place that writes a field named ``status``; ``how`` ends in
    "(initial)" where the value is a writer's ``Machine.initial(…)``."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Attribute) and target.attr == "status":
                    yield node.lineno, "assignment" + (" (initial)" * _initial(node.value))
        elif isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else None
            status = next((k.value for k in node.keywords if k.arg == "status"), None)
            if name in ("update", "bulk_update") and (
                status is not None
                or any(
                    isinstance(a, ast.List | ast.Tuple)
                    and any(isinstance(e, ast.Constant) and e.value == "status" for e in a.elts)
                    for a in node.args
                )
            ):
                yield node.lineno, f"{name}()"
            elif name in ("create", "get_or_create", "update_or_create") and status is not None:
                yield node.lineno, f"{name}(status=…)" + (" (initial)" * _initial(status))
            elif (
                isinstance(node.func, ast.Name)
                and node.func.id in MODEL_NAMES
                and status is not None
            ):
                yield node.lineno, f"{node.func.id}(status=…)" + (" (initial)" * _initial(status))


def test_every_model_with_a_status_has_one_writer_with_its_table():
    with_status = {
        m._meta.label
        for m in apps.get_models()
        if m._meta.app_label in APPS and any(f.name == "status" for f in m._meta.fields)
    }
    assert with_status == set(WRITERS)
    machines = {}
    for module in set(WRITERS.values()):
        dotted = module.removesuffix(".py").replace("/", ".")
        mod = __import__(dotted, fromlist=["*"])
        assert hasattr(mod, "TRANSITIONS"), f"{module} has no TRANSITIONS table"
        for value in vars(mod).values():
            if isinstance(value, Machine):
                machines[value.model._meta.label] = module
    assert machines == WRITERS


def test_status_fields_are_written_only_by_their_writer():
    """Outside the machine, a status is written only where a writer creates a row in a status
    its table knows (``Machine.initial``); every move goes through ``Machine.move``."""
    writers = set(WRITERS.values())
    found = []
    for module, tree in _sources():
        if module == MACHINE:
            continue
        for line, how in _status_writes(tree):
            if not (module in writers and how.endswith("(initial)")):
                found.append(f"{module}:{line}: {how}")
    assert found == []


def test_the_writer_test_finds_what_it_looks_for():
    """The scanner itself: each way of writing a status is found."""
    tree = ast.parse(
        "p.status = 'x'\n"
        "Project.objects.filter(pk=1).update(status='x')\n"
        "Invoice.objects.create(number=1, status='paid')\n"
        "Engagement(project=p, status='ended')\n"
        "Project.objects.bulk_update(rows, ['status'])\n"
        "Project.objects.filter(status='x')\n"
        "Response(data, status=409)\n"
        "Invoice.objects.create(number=1, status=INVOICE.initial('issued'))\n"
    )
    assert [how for _line, how in _status_writes(tree)] == [
        "assignment",
        "update()",
        "create(status=…)",
        "Engagement(status=…)",
        "bulk_update()",
        "create(status=…) (initial)",
    ]


@pytest.mark.parametrize("label", sorted(WRITERS))
def test_each_table_covers_every_status_of_its_model(label):
    module = WRITERS[label]
    dotted = module.removesuffix(".py").replace("/", ".")
    mod = __import__(dotted, fromlist=["*"])
    machine = next(
        v for v in vars(mod).values() if isinstance(v, Machine) and v.model._meta.label == label
    )
    choices = {value for value, _ in machine.model._meta.get_field("status").choices}
    assert set(machine.table) == choices
