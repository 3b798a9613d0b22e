"""Who may do an act and in which states: each workflow module declares a ``Guard`` per act,
the act checks it first, and pages and the API ask the same guard (``available_actions`` in
each app's selectors) so that no page restates a rule with its own role comparisons."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.translation import gettext as _

from .errors import Conflict, DomainError, Forbidden


def _status(obj) -> str:
    return obj.status


def _wrong_status(action: str | Promise, obj) -> str:
    return _("You cannot %(action)s while the project is “%(status)s”.") % {
        "action": action,
        "status": obj.get_status_display().lower(),
    }


@dataclass(frozen=True)
class Guard:
    """``perm`` (a django-rules permission asked about the object) and the ``states`` the act
    is possible in. ``forbidden`` is the refusal for a user without the permission; in another
    state the refusal is ``conflict(obj)`` when given, else "You cannot ``action`` while the
    project is …"."""

    perm: str
    states: Iterable[str]
    forbidden: str | Promise
    action: str | Promise = ""
    conflict: Callable[[object], str] | None = None
    code: str = "wrong_status"
    state: Callable[[object], str] = _status
    allowed_states: frozenset[str] = field(init=False)

    def __post_init__(self):
        object.__setattr__(self, "allowed_states", frozenset(self.states))

    def refusal(self, user, obj, perm_obj=None) -> DomainError | None:
        """Why ``user`` may not do the act on ``obj`` now, or None. ``perm_obj`` is what the
        permission is asked about when it is not ``obj`` itself."""
        target = obj if perm_obj is None else perm_obj
        if user is None or not user.has_perm(self.perm, target):
            return Forbidden(str(self.forbidden))
        if self.state(obj) not in self.allowed_states:
            detail = self.conflict(obj) if self.conflict else _wrong_status(self.action, obj)
            return Conflict(detail, code=self.code)
        return None

    def check_permission(self, user, obj, perm_obj=None) -> None:
        """Refuse ``user`` without the permission before anything else is read: the API asks
        this before it validates a body, so that a role that may never do the act is told so
        (403), not what its body lacked (400). The act checks the whole guard again."""
        target = obj if perm_obj is None else perm_obj
        if user is None or not user.has_perm(self.perm, target):
            raise Forbidden(str(self.forbidden))

    def check(self, user, obj, perm_obj=None) -> None:
        """Raise the refusal, if any: the first thing an act does, under its lock."""
        err = self.refusal(user, obj, perm_obj)
        if err is not None:
            raise err

    def allows(self, user, obj, perm_obj=None) -> bool:
        """Whether the act is open to ``user`` now. The state first: it costs no query."""
        if self.state(obj) not in self.allowed_states or user is None:
            return False
        return user.has_perm(self.perm, obj if perm_obj is None else perm_obj)
