"""Imports sit at the top of a module; a function-local import needs a reason from a short,
fixed list (ruff's ``PLC0415`` with a ``noqa`` that says which), so an import that hides a
dependency on a higher layer cannot creep back in."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REASONS = ("slow import", "optional dependency", "once the environment is set")
NOQA = re.compile(r"#\s*noqa:[^#]*\bPLC0415\b(?P<rest>.*)$")


def _python_files():
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if parts[0].startswith(".") or "migrations" in parts:
            continue
        yield path


def test_every_function_local_import_gives_a_reason_from_the_list():
    bad = []
    for path in _python_files():
        for number, line in enumerate(path.read_text().splitlines(), 1):
            match = NOQA.search(line)
            if match and not any(f"-- {reason}" in match.group("rest") for reason in REASONS):
                bad.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert bad == []


def test_the_rule_is_on():
    assert '"PLC0415"' in (ROOT / "pyproject.toml").read_text()
