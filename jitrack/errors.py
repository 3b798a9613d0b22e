"""The one domain error type. Edges turn it into a JSON body or a form message."""


class DomainError(Exception):
    """A user-facing refusal: ``code`` is machine-readable, ``detail`` is for people."""

    status = 400
    code = "invalid"

    def __init__(self, detail: str, code: str | None = None, field: str | None = None):
        super().__init__(detail)
        self.detail = detail
        if code:
            self.code = code
        self.field = field


class Invalid(DomainError):
    status = 400
    code = "invalid"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class TooMany(DomainError):
    """Too many attempts (a lockout, a throttle): ``retry_after`` seconds, when known."""

    status = 429
    code = "too_many"

    def __init__(self, detail: str, code: str | None = None, retry_after: int | None = None):
        super().__init__(detail, code)
        self.retry_after = retry_after


class Conflict(DomainError):
    """The action is not allowed in the current state (status, closed window...)."""

    status = 409
    code = "conflict"
