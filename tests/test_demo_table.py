"""``replay --demo`` shows the World Cup group table: the tape's summaries carry the group as it
stood before the match (every record at zero), and the engine's live table applies Mexico v South
Africa to it goal by goal, ending with Mexico's three points."""

from __future__ import annotations

import math
from datetime import UTC

from scoreterm.domain.model import TableUpdate
from scoreterm.domain.table import LiveTable
from scoreterm.replay.tape import demo_tape
from scoreterm.session import replay_session


async def test_the_demo_group_table_moves_with_the_match_and_ends_with_mexicos_win() -> None:
    session = replay_session(demo_tape(), UTC, name="demo", speed=math.inf)
    await session.feed.start()
    tables: list[LiveTable] = []
    try:
        async for update in session.feed:
            if isinstance(update, TableUpdate):
                tables.append(update.table)
    finally:
        await session.aclose()
    assert tables
    final = tables[-1]
    (group,) = final.groups
    rows = {row.entry.team.name: row.entry for row in group.entries}
    assert (rows["Mexico"].rank, rows["Mexico"].played, rows["Mexico"].points) == (1, 1, 3)
    assert (
        rows["South Africa"].played,
        rows["South Africa"].points,
        rows["South Africa"].goal_difference,
    ) == (1, 0, -2)
    assert rows["South Korea"].played == rows["Czechia"].played == 0
    # It moved with the goals: some table had Mexico one goal up before the second.
    assert any(
        row.live is not None and (row.live.goals_for, row.live.goals_against) == (1, 0)
        for table in tables
        for row in table.groups[0].entries
        if row.entry.team.name == "Mexico"
    )
