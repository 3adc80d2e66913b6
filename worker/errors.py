"""The project's exceptions: one root, and the bad-input classes that become dead letters.

Imports nothing from the project or from any framework, so the pure core may raise these.
A `BadInput` is a value the worker dead-letters and moves past; anything else that escapes
is a bug or an infrastructure failure and must crash loudly.
"""


class NewsWorkerError(Exception):
    """Root of every error this project raises on purpose."""


class ConfigError(NewsWorkerError):
    """A setting is missing or malformed; the worker refuses to start."""


class BrokerError(NewsWorkerError):
    """The broker could not be started, reached or set up."""


class BadInput(NewsWorkerError):
    """An input record the worker cannot process; it goes to the dead-letter topic."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason

    @property
    def error_class(self) -> str:
        return type(self).__name__


class EmptyValue(BadInput):
    """The record has no value (a tombstone) or an empty one."""


class Oversize(BadInput):
    """The value is larger than the configured limit."""


class InvalidUtf8(BadInput):
    """The value is not valid UTF-8."""


class NotJson(BadInput):
    """The value is not a JSON document."""


class NotAnObject(BadInput):
    """The value is JSON, but not a JSON object."""


class SchemaViolation(BadInput):
    """The value is a JSON object that breaks the raw-article schema."""


class ImplausibleTime(BadInput):
    """The crawl's `fetched_at` lies too far in the future of the worker's clock, or before the
    earliest crawl it accepts: taken as given it would freeze or corrupt its story."""


class EmptyText(BadInput):
    """After cleaning, the article has no text left."""


class OutputTooLarge(BadInput):
    """What the record gives (an event, the story's state) is over its topic's byte limit, or
    the broker refused it for its size."""


class InternalError(BadInput):
    """The core failed on this record: a bug, dead-lettered so that the record is not lost."""
