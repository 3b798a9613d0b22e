"""One writer per status (STYLE habit 1): each status field has one module that assigns it, and
that module starts with its ``TRANSITIONS`` table and moves rows only through ``Machine.move``.

``move`` locks the row (``SELECT … FOR UPDATE``; a no-op when the caller already holds the lock),
reads the status *from the locked row* rather than trusting the object in memory, checks the move
against the table, saves and calls the writer's ``log`` with (from, to) in the same transaction,
so every status change appends its event; notifications queued by the log run after commit.
``move_many`` does the same for many rows in one step (the clock's batches): one locking read,
one UPDATE, one ``log`` call for all of them.
``tests/jitrack/test_status_writers.py`` fails on any other assignment of a status field.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import pagecache
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
        self._check(current, to, refusal, code)
        setattr(obj, self.field, to)
        obj.save()
        if log is not None:
            log(current, to)
        return current

    def move_many(
        self,
        objs: Sequence[models.Model],
        to: str,
        *,
        fields: Sequence[str] = (),
        log: Callable[[list[tuple[models.Model, str]]], object] | None,
        refusal: Callable[[str], str] | None = None,
        code: str = "wrong_status",
    ) -> list[str]:
        """``move`` for many rows at once: lock them (in id order) and read their statuses in
        one query, refuse them all if one may not move, then write the status and ``fields``
        (set on the objects by the caller; hashable values) in one UPDATE per distinct set of
        values and call ``log([(obj, from), …])`` once. The statuses they left, in the order
        of ``objs``.

        One UPDATE sends no ``post_save``: the page cache is told here, as every bulk writer
        tells it."""
        if not transaction.get_connection().in_atomic_block:
            raise RuntimeError("status moves happen inside the act's transaction")
        if not objs:
            return []
        current = dict(
            self.model._default_manager.select_for_update()
            .filter(pk__in=[obj.pk for obj in objs])
            .order_by("pk")
            .values_list("pk", self.field)
        )
        left = [current[obj.pk] for obj in objs]
        for status in left:
            self._check(status, to, refusal, code)
        stamped = {
            f.attname: timezone.now()
            for f in self.model._meta.concrete_fields
            if getattr(f, "auto_now", False)
        }
        # One UPDATE per distinct set of values (a batch of the clock shares them: the same
        # status, the same day): ``bulk_update``'s CASE per row costs more to build than to run.
        columns = [self.model._meta.get_field(name).attname for name in fields]
        same: dict[tuple, list] = {}
        for obj in objs:
            setattr(obj, self.field, to)
            for attname, value in stamped.items():
                setattr(obj, attname, value)
            same.setdefault(tuple(getattr(obj, c) for c in columns), []).append(obj.pk)
        for values, pks in same.items():
            self.model._default_manager.filter(pk__in=pks).update(
                **{self.field: to}, **dict(zip(columns, values, strict=True)), **stamped
            )
        pagecache.invalidate()
        if log is not None:
            log(list(zip(objs, left, strict=True)))
        return left

    def _check(self, current: str, to: str, refusal: Callable[[str], str] | None, code: str):
        if not self.allows(current, to):
            label = dict(self.model._meta.get_field(self.field).choices).get(current, current)
            detail = (
                refusal(current)
                if refusal
                else _("This is not possible while it is “%(status)s”.")
                % {"status": str(label).lower()}
            )
            raise Conflict(detail, code=code)

    def initial(self, status: str) -> str:
        """A status a new row may be created in (a key of the table)."""
        if status not in self.table:
            raise ValueError(f"{self.model.__name__}: unknown status {status!r}")
        return status
