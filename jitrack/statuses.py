"""One writer per status (STYLE habit 1): each status field has one module that assigns it, and
that module starts with its ``TRANSITIONS`` table and moves rows only through ``Machine.move``.

``move`` locks the row (``SELECT … FOR UPDATE``; a no-op when the caller already holds the lock),
reads the status *from the locked row* rather than trusting the object in memory, checks the move
against the table, saves and calls the writer's ``log`` with (from, to) in the same transaction,
so every status change appends its event; notifications queued by the log run after commit.
``tests/jitrack/test_status_writers.py`` fails on any other assignment of a status field.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from django.db import models, transaction
from django.utils.translation import gettext as _

from .errors import Conflict


class Machine:
    def __init__(
        self,
        model: type[models.Model],
        table: Mapping[str, set[str] | frozenset[str]],
        *,
        field: str = "status",
    ):
        choices = {value for value, _label in model._meta.get_field(field).choices}
        missing = choices.symmetric_difference(table)
        if missing:  # a status without a row (or a row without a status) is a bug at import
            raise ValueError(f"{model.__name__}.{field}: table and choices differ on {missing}")
        for targets in table.values():
            if not set(targets) <= choices:
                raise ValueError(f"{model.__name__}.{field}: unknown target in {targets}")
        self.model = model
        self.table = table
        self.field = field

    def allows(self, current: str, to: str) -> bool:
        return to in self.table.get(current, ())

    def move(
        self,
        obj: models.Model,
        to: str,
        *,
        log: Callable[[str, str], object] | None,
        refusal: Callable[[str], str] | None = None,
        code: str = "wrong_status",
    ) -> str:
        """Move ``obj`` to ``to``, save it, call ``log(from, to)``; return the status it left.

        ``log`` appends the event; it is None only where the same act's event on another row
        records this change too (a determination's move is told by its project's event)."""
        if not transaction.get_connection().in_atomic_block:
            raise RuntimeError("status moves happen inside the act's transaction")
        current = (
            self.model._default_manager.select_for_update()
            .filter(pk=obj.pk)
            .values_list(self.field, flat=True)
            .get()
        )
        if not self.allows(current, to):
            label = dict(self.model._meta.get_field(self.field).choices).get(current, current)
            detail = (
                refusal(current)
                if refusal
                else _("This is not possible while it is “%(status)s”.")
                % {"status": str(label).lower()}
            )
            raise Conflict(detail, code=code)
        setattr(obj, self.field, to)
        obj.save()
        if log is not None:
            log(current, to)
        return current

    def initial(self, status: str) -> str:
        """A status a new row may be created in (a key of the table)."""
        if status not in self.table:
            raise ValueError(f"{self.model.__name__}: unknown status {status!r}")
        return status
