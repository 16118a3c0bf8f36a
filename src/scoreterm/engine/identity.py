"""One match, whatever provider reports it: canonical ids by league, kickoff and team names.

The first provider to report a match gives it its canonical id. When another provider reports a
match of the same league whose kickoff is within the window and whose normalized team names
match (through the alias table), it gets the same canonical id, so a failover never duplicates or
resets a match.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import timedelta

import msgspec

from scoreterm.domain.model import Match

KICKOFF_WINDOW = timedelta(hours=3)

# Names that providers spell differently for the same team, after normalization.
ALIASES: dict[str, str] = {
    "manchester united": "man utd",
    "manchester utd": "man utd",
    "man united": "man utd",
    "manchester city": "man city",
    "tottenham hotspur": "tottenham",
    "spurs": "tottenham",
    "wolverhampton wanderers": "wolves",
    "wolverhampton": "wolves",
    "brighton and hove albion": "brighton",
    "brighton hove albion": "brighton",
    "newcastle united": "newcastle",
    "west ham united": "west ham",
    "nottingham forest": "nottm forest",
    "nott m forest": "nottm forest",
    "sheffield united": "sheffield utd",
    "leeds united": "leeds",
    "leicester city": "leicester",
    "ipswich town": "ipswich",
    "afc bournemouth": "bournemouth",
    "atletico madrid": "atletico",
    "atletico de madrid": "atletico",
    "club atletico de madrid": "atletico",
    "athletic club": "athletic bilbao",
    "fc barcelona": "barcelona",
    "real madrid cf": "real madrid",
    "bayern munchen": "bayern",
    "bayern munich": "bayern",
    "fc bayern munchen": "bayern",
    "borussia dortmund": "dortmund",
    "paris saint germain": "psg",
    "paris sg": "psg",
    "internazionale": "inter",
    "inter milan": "inter",
    "fc internazionale milano": "inter",
    "ac milan": "milan",
    "usa": "united states",
    "korea republic": "south korea",
    "turkiye": "turkey",
}
_NOISE = re.compile(r"\b(fc|cf|afc|sc|ac|ssc|sv|vfb|club|de|the)\b")


def normalize_team(name: str) -> str:
    """Lower-case, accent-free, punctuation-free, alias-resolved team name."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    text = re.sub(r"[^a-z0-9 ]+", " ", text.replace("&", " and "))
    text = " ".join(text.split())
    if text in ALIASES:
        return ALIASES[text]
    stripped = " ".join(_NOISE.sub(" ", text).split())
    return ALIASES.get(stripped, stripped or text)


def _same_team(a: str, b: str) -> bool:
    return a == b or (len(a) >= 4 and len(b) >= 4 and (a.startswith(b) or b.startswith(a)))


@dataclass
class IdentityMap:
    """Assigns canonical ids to provider matches and remembers every provider id of a match."""

    _by_provider_id: dict[str, str] = field(default_factory=dict)
    _known: dict[str, Match] = field(default_factory=dict)

    def canonical(self, match: Match) -> Match:
        """Return ``match`` with its canonical id (and accumulated provider ids)."""
        canonical_id = self._by_provider_id.get(match.id) or self._find(match) or match.id
        self._by_provider_id[match.id] = canonical_id
        known = self._known.get(canonical_id)
        provider_ids = {**(known.provider_ids if known else {}), **match.provider_ids}
        resolved = msgspec.structs.replace(match, id=canonical_id, provider_ids=provider_ids)
        self._known[canonical_id] = resolved
        return resolved

    def provider_id(self, canonical_id: str, provider: str) -> str | None:
        """The id ``provider`` uses for the canonical match, if we have seen it there."""
        known = self._known.get(canonical_id)
        return known.provider_ids.get(provider) if known else None

    def _find(self, match: Match) -> str | None:
        home, away = normalize_team(match.home.name), normalize_team(match.away.name)
        for canonical_id, known in self._known.items():
            if known.league != match.league or known.provider == match.provider:
                continue
            if abs(known.kickoff - match.kickoff) > KICKOFF_WINDOW:
                continue
            known_home, known_away = normalize_team(known.home.name), normalize_team(known.away.name)
            if _same_team(home, known_home) and _same_team(away, known_away):
                return canonical_id
        return None
