class ServiceError(Exception):
    """A refusal by a service, with a message a person can act on (shown as-is in the UI)."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
