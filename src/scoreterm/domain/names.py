"""Names as providers spell them, reduced to a form that compares: teams and players.

Pure. ``normalize_name`` folds case, accents and punctuation (``Raúl Jiménez`` ->
``raul jimenez``); ``normalize_team`` also drops club noise words and resolves the alias table, so
``Manchester United`` and ``Man United`` are one team whichever provider reports them.
"""

from __future__ import annotations

import re
import unicodedata

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


def normalize_name(name: str) -> str:
    """Lower-case, accent-free, punctuation-free, single-spaced (``Raúl Jiménez`` -> ``raul jimenez``)."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    text = re.sub(r"[^a-z0-9 ]+", " ", text.replace("&", " and "))
    return " ".join(text.split())


def normalize_team(name: str) -> str:
    """Lower-case, accent-free, punctuation-free, alias-resolved team name."""
    text = normalize_name(name)
    if text in ALIASES:
        return ALIASES[text]
    stripped = " ".join(_NOISE.sub(" ", text).split())
    return ALIASES.get(stripped, stripped or text)
