"""Messages the feed worker posts to the app ("messages up")."""

from __future__ import annotations

from textual.message import Message

from scoreterm.domain.model import DeltaUpdate, StatusUpdate, Update


class FeedUpdate(Message):
    """One update from the feed.

    A newer status replaces a pending status, and a newer state of a match replaces a pending
    older state of the same match (it carries the whole match), so bursts coalesce.
    """

    def __init__(self, update: Update) -> None:
        super().__init__()
        self.update = update

    def can_replace(self, message: Message) -> bool:
        """True when ``message`` is an older, superseded version of this one."""
        if not isinstance(message, FeedUpdate):
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


class FeedFailed(Message):
    """The feed stopped with an error; the last good data stays on screen."""

    def __init__(self, error: BaseException) -> None:
        super().__init__()
        self.error = error
