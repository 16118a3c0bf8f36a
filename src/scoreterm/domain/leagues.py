"""The league catalog: ESPN slug, name, sport, country and each provider's id for the league."""

from __future__ import annotations

import difflib

from scoreterm.domain.model import League, Sport

ESPN = "espn"
THESPORTSDB = "thesportsdb"
FOOTBALLDATA = "footballdata"


def _league(
    slug: str,
    name: str,
    sport: Sport,
    country: str,
    *,
    thesportsdb: str | None = None,
    footballdata: str | None = None,
) -> League:
    ids = {ESPN: slug}
    if thesportsdb:
        ids[THESPORTSDB] = thesportsdb
    if footballdata:
        ids[FOOTBALLDATA] = footballdata
    return League(slug=slug, name=name, sport=sport, country=country, provider_ids=ids)


_S = Sport.SOCCER

CATALOG: tuple[League, ...] = (
    _league("eng.1", "English Premier League", _S, "England", thesportsdb="4328", footballdata="PL"),
    _league("eng.2", "English Championship", _S, "England", thesportsdb="4329", footballdata="ELC"),
    _league("esp.1", "Spanish LaLiga", _S, "Spain", thesportsdb="4335", footballdata="PD"),
    _league("ger.1", "German Bundesliga", _S, "Germany", thesportsdb="4331", footballdata="BL1"),
    _league("ita.1", "Italian Serie A", _S, "Italy", thesportsdb="4332", footballdata="SA"),
    _league("fra.1", "French Ligue 1", _S, "France", thesportsdb="4334", footballdata="FL1"),
    _league("ned.1", "Dutch Eredivisie", _S, "Netherlands", thesportsdb="4337", footballdata="DED"),
    _league("por.1", "Portuguese Primeira Liga", _S, "Portugal", thesportsdb="4344", footballdata="PPL"),
    _league("bra.1", "Brazilian Serie A", _S, "Brazil", thesportsdb="4351", footballdata="BSA"),
    _league("usa.1", "MLS", _S, "USA", thesportsdb="4346"),
    _league("mex.1", "Mexican Liga MX", _S, "Mexico", thesportsdb="4350"),
    _league("uefa.champions", "UEFA Champions League", _S, "Europe", thesportsdb="4480", footballdata="CL"),
    _league("uefa.europa", "UEFA Europa League", _S, "Europe", thesportsdb="4481"),
    _league("uefa.euro", "UEFA European Championship", _S, "Europe", thesportsdb="4502", footballdata="EC"),
    _league("fifa.world", "FIFA World Cup", _S, "World", thesportsdb="4429", footballdata="WC"),
    _league("nba", "NBA", Sport.BASKETBALL, "USA", thesportsdb="4387"),
    _league("nfl", "NFL", Sport.FOOTBALL, "USA", thesportsdb="4391"),
    _league("nhl", "NHL", Sport.HOCKEY, "USA", thesportsdb="4380"),
    _league("mlb", "MLB", Sport.BASEBALL, "USA", thesportsdb="4424"),
)

_BY_SLUG = {league.slug: league for league in CATALOG}


class UnknownLeague(LookupError):
    """Raised for a slug that is not in the catalog; carries the closest real slugs."""

    def __init__(self, slug: str, suggestions: list[str]) -> None:
        self.slug = slug
        self.suggestions = suggestions
        hint = f" (did you mean {', '.join(suggestions)}?)" if suggestions else ""
        super().__init__(f"unknown league {slug!r}{hint}; `scoreterm leagues` lists them all")


def get_league(slug: str) -> League:
    """Return the league for ``slug`` or raise :class:`UnknownLeague` with suggestions."""
    league = _BY_SLUG.get(slug.strip().lower())
    if league is None:
        raise UnknownLeague(slug, suggest(slug))
    return league


def suggest(slug: str, limit: int = 3) -> list[str]:
    """Return up to ``limit`` catalog slugs closest to ``slug``."""
    text = slug.strip().lower()
    close = difflib.get_close_matches(text, list(_BY_SLUG), n=limit, cutoff=0.4)
    if close:
        return close
    prefix = text.split(".")[0]
    return [s for s in _BY_SLUG if s.startswith(prefix)][:limit]


def league_by_provider_id(provider: str, provider_id: str) -> League | None:
    """Return the league that ``provider`` calls ``provider_id``, if the catalog has it."""
    for league in CATALOG:
        if league.provider_ids.get(provider) == provider_id:
            return league
    return None


# -- Tie-breaks: how each league orders teams level on points (applied by domain.tiebreak) --

TIEBREAK_GOAL_DIFFERENCE = "goal_difference"
"""Points, then goal difference, then goals scored (Premier League, Bundesliga, Ligue 1...)."""
TIEBREAK_WINS = "wins"
"""Points, then wins, then goal difference, then goals scored (MLS, Brasileirão)."""
TIEBREAK_HEAD_TO_HEAD = "head_to_head"
"""Points, then points and goal difference in the games between the tied teams (both legs played),
then overall goal difference, then goals scored (LaLiga, Serie A, Liga Portugal)."""
TIEBREAK_HEAD_TO_HEAD_GROUP = "head_to_head_group"
"""Tournament groups (one game per pair): points, then head-to-head points, goal difference and goals
scored, then overall goal difference and goals scored (UEFA Euro; FIFA World Cup from 2026)."""
TIEBREAK_OFFICIAL = "official"
"""US leagues: seeding rules (division winners, tie-break chains) are not computed here, so the
official order is kept and only the records move."""
DEFAULT_TIEBREAK = TIEBREAK_GOAL_DIFFERENCE

TIEBREAKS: dict[str, str] = {
    "eng.1": TIEBREAK_GOAL_DIFFERENCE,
    "eng.2": TIEBREAK_GOAL_DIFFERENCE,
    "ger.1": TIEBREAK_GOAL_DIFFERENCE,
    "fra.1": TIEBREAK_GOAL_DIFFERENCE,
    "ned.1": TIEBREAK_GOAL_DIFFERENCE,
    "mex.1": TIEBREAK_GOAL_DIFFERENCE,
    "uefa.champions": TIEBREAK_GOAL_DIFFERENCE,
    "uefa.europa": TIEBREAK_GOAL_DIFFERENCE,
    "esp.1": TIEBREAK_HEAD_TO_HEAD,
    "ita.1": TIEBREAK_HEAD_TO_HEAD,
    "por.1": TIEBREAK_HEAD_TO_HEAD,
    "usa.1": TIEBREAK_WINS,
    "bra.1": TIEBREAK_WINS,
    "uefa.euro": TIEBREAK_HEAD_TO_HEAD_GROUP,
    "fifa.world": TIEBREAK_HEAD_TO_HEAD_GROUP,
    "nba": TIEBREAK_OFFICIAL,
    "nfl": TIEBREAK_OFFICIAL,
    "nhl": TIEBREAK_OFFICIAL,
    "mlb": TIEBREAK_OFFICIAL,
}
"""The tie-break rule of each catalog league; :func:`tiebreak_for` gives the default to the others."""


def tiebreak_for(slug: str) -> str:
    """Return the tie-break rule of league ``slug`` (one of the ``TIEBREAK_*`` names).

    Leagues not listed in :data:`TIEBREAKS` get :data:`DEFAULT_TIEBREAK` (points, goal difference,
    goals scored), the most common rule in football.
    """
    return TIEBREAKS.get(slug.strip().lower(), DEFAULT_TIEBREAK)
