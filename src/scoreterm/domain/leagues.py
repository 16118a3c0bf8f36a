"""The league catalog: ESPN slug, name, sport, country and each provider's id for the league.

Slugs are ESPN's (``eng.1``); :data:`ALIASES` adds the names people type (``epl``, ``laliga``,
``ucl``), accepted wherever a slug is, and "did you mean" draws on slugs, aliases and names alike.
"""

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

ALIASES: dict[str, str] = {
    "epl": "eng.1",
    "premier-league": "eng.1",
    "premierleague": "eng.1",
    "pl": "eng.1",
    "championship": "eng.2",
    "efl-championship": "eng.2",
    "laliga": "esp.1",
    "la-liga": "esp.1",
    "bundesliga": "ger.1",
    "seriea": "ita.1",
    "serie-a": "ita.1",
    "ligue1": "fra.1",
    "ligue-1": "fra.1",
    "eredivisie": "ned.1",
    "primeira-liga": "por.1",
    "liga-portugal": "por.1",
    "brasileirao": "bra.1",
    "mls": "usa.1",
    "ligamx": "mex.1",
    "liga-mx": "mex.1",
    "ucl": "uefa.champions",
    "champions-league": "uefa.champions",
    "uel": "uefa.europa",
    "europa-league": "uefa.europa",
    "euro": "uefa.euro",
    "euros": "uefa.euro",
    "worldcup": "fifa.world",
    "world-cup": "fifa.world",
    "wc": "fifa.world",
}
"""Names people type -> catalog slug (lower case; spaces and underscores read as hyphens)."""

_BY_NAME = {"-".join(league.name.lower().split()): league.slug for league in CATALOG}

# Every spelling "did you mean" compares against, with the slug it stands for: slugs, aliases and
# league names ("premier" is close to "premier-league"; "english premier league" to a name).
_SPELLINGS: dict[str, str] = {
    **{slug: slug for slug in _BY_SLUG},
    **ALIASES,
    **{league.name.lower(): league.slug for league in CATALOG},
}


class UnknownLeague(LookupError):
    """Raised for a slug that is not in the catalog; carries the closest real slugs."""

    def __init__(self, slug: str, suggestions: list[str]) -> None:
        self.slug = slug
        self.suggestions = suggestions
        hint = did_you_mean(suggestions)
        super().__init__(f"unknown league {slug!r}{hint}; `scoreterm leagues` lists them all")


def did_you_mean(suggestions: list[str]) -> str:
    """`` (did you mean eng.1 (English Premier League)?)`` for ``["eng.1"]``; empty for none."""
    if not suggestions:
        return ""
    named = [f"{s} ({_BY_SLUG[s].name})" if s in _BY_SLUG else s for s in suggestions]
    return f" (did you mean {', '.join(named)}?)"


def _key(text: str) -> str:
    return "-".join(text.strip().lower().replace("_", " ").split())


def resolve_slug(text: str) -> str | None:
    """The catalog slug ``text`` names (a slug, an alias or the league's name, any case), or None."""
    key = _key(text)
    if key in _BY_SLUG:
        return key
    return ALIASES.get(key) or _BY_NAME.get(key)


def get_league(slug: str) -> League:
    """Return the league for ``slug`` (or one of its :data:`ALIASES`).

    Raises:
        UnknownLeague: with the closest slugs as suggestions.
    """
    found = resolve_slug(slug)
    if found is None:
        raise UnknownLeague(slug, suggest(slug))
    return _BY_SLUG[found]


# "Did you mean" offers only close spellings (difflib ratio), and of those only the ones about as
# close as the best: "laliga2" is LaLiga, not also Liga MX (0.62 to "ligamx").
CLOSE_RATIO = 0.6
CLOSE_MARGIN = 0.1
# A typed word that starts a spelling ("bundes", "premier") is as good as a near miss.
_PREFIX_SCORE = 0.85
_WORD_PREFIX_SCORE = 0.75


def _ratio(typed: str, spelling: str) -> float:
    matcher = difflib.SequenceMatcher(None, typed, spelling)
    # The cheap upper bounds first (as difflib.get_close_matches does): a long paste costs nothing.
    if matcher.real_quick_ratio() < CLOSE_RATIO or matcher.quick_ratio() < CLOSE_RATIO:
        return 0.0
    return matcher.ratio()


def _closeness(typed: str, spelling: str) -> float:
    spaced = typed.replace("-", " ")
    score = max(_ratio(typed, spelling), _ratio(spaced, spelling))
    if len(typed) >= 3 and (spelling.startswith(typed) or spelling.startswith(spaced)):
        score = max(score, _PREFIX_SCORE)
    elif len(spaced) >= 4 and f" {spaced}" in f" {spelling}":
        score = max(score, _WORD_PREFIX_SCORE)
    return score


def suggest(slug: str, limit: int = 3) -> list[str]:
    """Return up to ``limit`` catalog slugs close to ``slug``, by slug, alias or league name.

    Close means a difflib ratio of at least :data:`CLOSE_RATIO` (or the start of an alias or a
    name), within :data:`CLOSE_MARGIN` of the closest; nothing close gives an empty list.
    """
    text = _key(slug)
    best: dict[str, float] = {}
    for spelling, target in _SPELLINGS.items():
        score = _closeness(text, spelling)
        if score >= CLOSE_RATIO and score > best.get(target, 0.0):
            best[target] = score
    if not best:
        return []
    top = max(best.values())
    order = {league.slug: index for index, league in enumerate(CATALOG)}
    ranked = sorted(best, key=lambda target: (-best[target], order[target]))
    return [target for target in ranked if best[target] >= top - CLOSE_MARGIN][:limit]


def aliases_of(slug: str) -> list[str]:
    """The :data:`ALIASES` of catalog league ``slug``, in catalog order (empty for none)."""
    return [alias for alias, target in ALIASES.items() if target == slug]


def known_names() -> list[str]:
    """Every slug and alias, for shell completion."""
    return [*_BY_SLUG, *ALIASES]


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
TIEBREAK_TEXT: dict[str, str] = {
    TIEBREAK_GOAL_DIFFERENCE: "Level on points: goal difference, then goals scored.",
    TIEBREAK_WINS: "Level on points: wins, then goal difference, then goals scored.",
    TIEBREAK_HEAD_TO_HEAD: "Level on points: head-to-head (both legs), then goal difference, then goals.",
    TIEBREAK_HEAD_TO_HEAD_GROUP: "Level on points: head-to-head points, goal difference, goals; overall.",
    TIEBREAK_OFFICIAL: "Order as published (seeding is not computed); records move live.",
}
"""Each tie-break rule in one line (under 80 characters), as tables print it."""

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
