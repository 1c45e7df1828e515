"""Errors a service raises when a person's request breaks a rule; the message is shown as is (Chinese)."""


class DomainError(Exception):
    """A request that breaks a shop rule. ``field`` names the form field the message belongs next to."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class PermissionDenied(DomainError):
    """The signed-in user's role (or branch) may not do this."""

    def __init__(self, message: str = "您没有权限执行此操作"):
        super().__init__(message)


class NotFound(DomainError):
    """The record does not exist, or is outside what the user may see."""


class FormErrors(DomainError):
    """Several fields are wrong at once; ``errors`` maps each field to its message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(next(iter(errors.values())), field=next(iter(errors)))
        self.errors = errors


def form_errors(error: DomainError) -> dict[str, str]:
    """A refused form's messages by field (``FormErrors``), or its one message above the form (key ``form``)."""
    return error.errors if isinstance(error, FormErrors) else {"form": error.message}
