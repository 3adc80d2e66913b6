"""The story table: a Faust table that lets its writer wait until the broker has its changelog.

Faust sends a table's changelog records through a buffer that a background task drains, and
its producer flush gives up on that buffer after 0.1 s, so "flushed" does not mean "stored".
The processor must not ack its input before the state that input produced is stored (or a
restart would read stale state for input already committed), so this table keeps the future
of every changelog record it sends until `changelog_stored` has awaited it.
"""

from __future__ import annotations

import asyncio
from typing import Any

import faust


class StoryTable(faust.Table):  # type: ignore[misc]
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._unstored: list[asyncio.Future[Any]] = []

    def send_changelog(self, *args: Any, **kwargs: Any) -> Any:
        future = super().send_changelog(*args, **kwargs)
        self._unstored.append(future)
        return future

    async def changelog_stored(self) -> None:
        """Return once the broker has acknowledged every changelog record sent so far."""
        unstored, self._unstored = self._unstored, []
        if unstored:
            await asyncio.gather(*unstored)


def story_table(app: faust.App, partitions: int) -> StoryTable:
    """The `stories` table of `app`, registered as `app.Table` would."""
    table = StoryTable(
        app,
        name="stories",
        partitions=partitions,
        key_type=str,
        use_partitioner=True,
        beacon=app.tables.beacon,
    )
    return app.tables.add(table)  # type: ignore[no-any-return]
