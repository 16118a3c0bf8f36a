"""One match, whatever provider reports it: canonical ids by league, kickoff and team names.

The first provider to report a match gives it its canonical id. When another provider reports a
match of the same league whose kickoff is within the window and whose normalized team names
match (through the alias table), it gets the same canonical id, so a failover never duplicates or
resets a match.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import msgspec

from scoreterm.domain.model import Match
from scoreterm.domain.names import normalize_team

KICKOFF_WINDOW = timedelta(hours=3)


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
