"""Messages the feed worker posts to the app ("messages up").

Each carries the feed it came from: after a replay jump, what the old feed posted before it was
closed may still be queued, and must not land on the new feed's board.
"""

from __future__ import annotations

from textual.message import Message

from scoreterm.domain.model import DeltaUpdate, StatusUpdate, Update


class FeedUpdate(Message):
    """One update from the feed.

    A newer status replaces a pending status, and a newer state of a match replaces a pending
    older state of the same match (it carries the whole match), so bursts coalesce.
    """

    def __init__(self, update: Update, feed: object) -> None:
        super().__init__()
        self.update = update
        self.feed = feed

    def can_replace(self, message: Message) -> bool:
        """True when ``message`` is an older, superseded version of this one."""
        if not isinstance(message, FeedUpdate) or message.feed is not self.feed:
            return False
        mine, theirs = self.update, message.update
        if isinstance(mine, StatusUpdate):
            return isinstance(theirs, StatusUpdate) and theirs.channel == mine.channel
        return (
            isinstance(mine, DeltaUpdate)
            and isinstance(theirs, DeltaUpdate)
            and theirs.match_id == mine.match_id
        )


class FeedEnded(Message):
    """The feed has nothing more (a tape played to its end)."""

    def __init__(self, feed: object) -> None:
        super().__init__()
        self.feed = feed


class FeedFailed(Message):
    """The feed stopped with an error; the last good data stays on screen."""

    def __init__(self, error: BaseException, feed: object) -> None:
        super().__init__()
        self.error = error
        self.feed = feed
