"""ESPN status -> Phase (state, period, label) and clock text. Pure functions on plain values.

The state decides first (``pre``/``in``/``post``): ESPN reports ``STATUS_IN_PROGRESS`` in place
of the halves in some snapshots, and ``state == "in"`` is live whatever the name. The type name
then refines it: postponed (whose state is ``post``), cancelled/abandoned, suspended/delayed, and
half-time or end-of-period breaks.
"""

from __future__ import annotations

from scoreterm.domain.model import Phase, PhaseState, Sport

_S = PhaseState
_STATES = {"pre": _S.SCHEDULED, "in": _S.LIVE, "post": _S.FINAL}
KNOWN_STATES = frozenset(_STATES)
# Periods in regulation and the label prefix, for the sports with a game clock.
_PERIODS: dict[Sport, tuple[int, str]] = {
    Sport.BASKETBALL: (4, "Q"),
    Sport.FOOTBALL: (4, "Q"),
    Sport.HOCKEY: (3, "P"),
}
# What a soccer break is called after each period (END_PERIOD-style statuses name no half).
_SOCCER_BREAKS = {1: "HT", 2: "FT", 3: "ET-HT", 4: "AET"}


def phase_for(
    state: str,
    name: str,
    period: int,
    short_detail: str,
    sport: Sport | None,
    *,
    completed: bool = False,
    shootout: bool = False,
) -> Phase:
    """Map ESPN status fields onto a Phase.

    Soccer labels: ``1H``/``2H`` (from the period when the name is ``STATUS_IN_PROGRESS``),
    ``HT``, ``ET`` (periods 3-4), ``PEN`` (shoot-out, period 5), ``FT``, ``AET``; a final
    after penalties is ``PEN`` too. Basketball and football: ``Q1``..``Q4``, ``OT``, ``2OT``;
    hockey ``P1``..``P3``, ``OT``, ``SO``; baseball takes ESPN's inning text (``Top 5th``); other
    finals ``Final`` (or ``Final/OT`` as ESPN says). Postponed ``PPD``, cancelled ``CANC``,
    abandoned ``ABD``, suspended ``SUSP``, delayed ``DELAY``; scheduled has no label.

    Args:
        state: ``status.type.state`` (``pre``, ``in``, ``post``).
        name: ``status.type.name`` (``STATUS_HALFTIME``...).
        period: ``status.period`` (0 when absent).
        short_detail: ``status.type.shortDetail`` (``HT``, ``Top 5th``, ``Final/OT``).
        sport: the league's sport; None gets generic ``P<n>`` labels.
        completed: ``status.type.completed``, used only when the state is unknown.
        shootout: the match has a shoot-out score.
    """
    name = name.upper()
    base = _STATES.get(state.lower(), _S.FINAL if completed else _S.SCHEDULED)
    phase_state = _refine(base, name, short_detail, sport)
    label = _label(phase_state, name, period, short_detail, sport, shootout)
    return Phase(state=phase_state, period=period, label=label)


def clock_for(phase: Phase, display_clock: str, short_detail: str, sport: Sport | None) -> str:
    """Return the clock text to show for a match in ``phase``.

    Live: ESPN's ``displayClock`` (``45'+2'``, ``5:32``), except baseball, which has no game
    clock (its label carries the inning). Breaks and finals: ``shortDetail`` (``HT``, ``FT``,
    ``AET``, ``FT-Pens``, ``Final``), because at half-time ``displayClock`` still reads ``45'+6'``.
    Anything else (scheduled, postponed...): empty.
    """
    if sport is Sport.BASEBALL and phase.is_active:
        return ""
    if phase.state is _S.LIVE:
        return display_clock
    if phase.state in (_S.BREAK, _S.FINAL):
        return short_detail or phase.label
    return ""


def _refine(state: PhaseState, name: str, short_detail: str, sport: Sport | None) -> PhaseState:
    if "POSTPONED" in name or "RESCHEDULED" in name:
        return _S.POSTPONED
    if "CANCEL" in name or "ABANDON" in name:
        return _S.CANCELLED
    if "SUSPENDED" in name or "DELAY" in name:
        return _S.SUSPENDED
    if state is _S.LIVE:
        if "HALFTIME" in name or "END_PERIOD" in name or "END_OF" in name:
            return _S.BREAK
        # MLB reports between innings as STATUS_IN_PROGRESS with "Mid 1st" / "End 3rd".
        if sport is Sport.BASEBALL and short_detail.lower().startswith(("mid", "end")):
            return _S.BREAK
    return state


def _label(
    state: PhaseState, name: str, period: int, short_detail: str, sport: Sport | None, shootout: bool
) -> str:
    if state is _S.SCHEDULED:
        return ""
    if state is _S.POSTPONED:
        return "PPD"
    if state is _S.CANCELLED:
        return "ABD" if "ABANDON" in name else "CANC"
    if state is _S.SUSPENDED:
        return "DELAY" if "DELAY" in name else "SUSP"
    if sport is Sport.SOCCER:
        return _soccer_label(state, name, period, shootout)
    if state is _S.FINAL:
        return short_detail if short_detail.lower().startswith("final") else "Final"
    if sport is Sport.BASEBALL:
        return short_detail or f"Inn {max(period, 1)}"
    label = _period_label(sport, period, name)
    if state is _S.BREAK:
        return "HT" if "HALFTIME" in name else f"End {label}"
    return label


def _soccer_label(state: PhaseState, name: str, period: int, shootout: bool) -> str:
    parts = set(name.split("_"))
    if state is _S.FINAL:
        # "PEN", not ESPN's "FT-Pens": TheSportsDB's provider says "PEN", and a match that fails
        # over between providers should keep its label. The clock keeps ESPN's "FT-Pens".
        if "PEN" in parts or shootout:
            return "PEN"
        return "AET" if "AET" in parts else "FT"
    if state is _S.BREAK:
        if "HALFTIME" in parts:
            return "ET-HT" if "ET" in parts or period >= 3 else "HT"
        return _SOCCER_BREAKS.get(period, "HT" if period < 1 else "AET")
    if "SHOOTOUT" in parts or period >= 5:
        return "PEN"
    if "OVERTIME" in parts or "EXTRA" in parts or period in (3, 4):
        return "ET"
    if "SECOND" in parts or period == 2:
        return "2H"
    return "1H"


def _period_label(sport: Sport | None, period: int, name: str) -> str:
    number = max(period, 1)
    if sport is None or sport not in _PERIODS:
        return f"P{number}"
    if sport is Sport.HOCKEY and "SHOOTOUT" in name:
        return "SO"
    regulation, prefix = _PERIODS[sport]
    if number <= regulation:
        return f"{prefix}{number}"
    extra = number - regulation
    return "OT" if extra == 1 else f"{extra}OT"
