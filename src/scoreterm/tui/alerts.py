"""What the dashboard does with a notice (a goal, a red card...): a calm toast, a desktop
notification, a flash of the row, the bell.

Toasts are shown at once and a burst gives way to one summary (:mod:`scoreterm.tui.toasts`);
notifications go through the :class:`~scoreterm.tui.notify.Notifier` when the user asked for them
(:func:`~scoreterm.tui.notify.wants_notification`). Neither fires for a hidden match.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING

from textual.notifications import Notification, SeverityLevel

from scoreterm.tui.board import Notice, ToastKind
from scoreterm.tui.notify import NotificationGate, Notifier, wants_notification
from scoreterm.tui.toasts import BURST_WINDOW_S, Show, ToastCalmer

if TYPE_CHECKING:
    from scoreterm.tui.app import ScoretermApp

FLASH_S = 3.0
TOAST_S = 8.0
_WARNING = (ToastKind.GOAL_DISALLOWED, ToastKind.RED_CARD)


class Alerts:
    """Toasts and notifications for one app."""

    def __init__(self, app: ScoretermApp) -> None:
        self.app = app
        self.toasted: deque[Notice] = deque(maxlen=200)
        """Every notice toasted, alone or in a summary (newest last), for tests and the curious."""
        self.toast_log: deque[tuple[str, str]] = deque(maxlen=200)
        """Every toast put on screen as (title, message): summaries as one."""
        self.calmer = ToastCalmer()
        self.gate: NotificationGate | None = None
        self._burst: list[Notification] = []
        # Matches whose full time was already said: a replay wound back (a fresh board) reaches
        # it again, and a flapping feed may too, but the match ended once.
        self._full_time_said: set[str] = set()

    def notify_with(self, notifier: Notifier | None) -> None:
        """Send desktop notifications through ``notifier`` (None: none)."""
        self.gate = NotificationGate(notifier) if notifier is not None else None

    def take(self, notice: Notice, now: float) -> None:
        """Toast and notify ``notice`` as the settings say (``now``: monotonic seconds); a
        match's full time only once."""
        if notice.kind is ToastKind.FULL_TIME:
            if notice.match_id in self._full_time_said:
                return
            self._full_time_said.add(notice.match_id)
        app = self.app
        settings = app.options.settings
        hidden = app.is_hidden(notice.match_id)
        match = app.board.matches.get(notice.match_id)
        if self.gate is not None and wants_notification(
            notice, match, settings, app.favourites, hidden=hidden
        ):
            self.gate.offer(notice, now)
            app.set_timer(BURST_WINDOW_S + 0.1, self.gate.flush)
        if notice.kind.value not in settings.toasts or hidden:
            return
        app.flash_until[notice.match_id] = now + FLASH_S
        self.toasted.append(notice)
        # Nothing else may change for a while: end the flash on time.
        app.set_timer(FLASH_S + 0.05, app.bump)
        decision = self.calmer.offer(notice, now)
        if isinstance(decision, Show):
            if self.calmer.burst_length == 1:
                self._burst = []
            severity: SeverityLevel = "warning" if notice.kind in _WARNING else "information"
            self._burst.append(self._show(notice.title, notice.message, severity))
            if settings.bell:
                app.bell()
            return
        # A burst: its toasts so far give way to one summary, updated as the burst goes on.
        for shown in self._burst:
            app._unnotify(shown, refresh=False)
        self._burst = [self._show(decision.title, decision.message, "information")]
        if settings.bell and len(decision.notices) == self.calmer.size:
            app.bell()

    def _show(self, title: str, message: str, severity: SeverityLevel) -> Notification:
        """Put a toast on screen at once, not through a message: a burst that follows within the
        same frame must be able to take it back before it is ever drawn."""
        notification = Notification(message, title, severity, TOAST_S)
        self.app._notifications.add(notification)
        self.app._refresh_notifications()
        self.toast_log.append((title, message))
        return notification
