"""Which ideas each juror scores: a balanced incomplete design.

Every idea should reach ``per_idea`` jurors, and every juror should carry about
the same load. Ideas are dealt out, those with the fewest eligible jurors first
(so that they are not left short), each to the eligible jurors who carry the
least so far; ties go to a juror picked by a fixed rotation, so the same inputs
always give the same queues. Scores already begun stay with their juror.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence


def assign(
    ideas: Sequence[int],
    jurors: Sequence[int],
    per_idea: int,
    *,
    ineligible: Mapping[int, Iterable[int]],
    begun: Mapping[int, Iterable[int]],
) -> dict[int, set[int]]:
    """Each juror's ideas. ``ineligible``: idea → jurors who may not score it;
    ``begun``: idea → jurors who already scored it (draft or submitted)."""
    queues: dict[int, set[int]] = {juror: set() for juror in jurors}
    barred = {idea: set(ineligible.get(idea, ())) for idea in ideas}
    for idea in ideas:
        for juror in begun.get(idea, ()):
            if juror in queues and juror not in barred[idea]:
                queues[juror].add(idea)
    order = sorted(ideas, key=lambda i: (len(jurors) - len(barred[i]), i))
    for idea in order:
        have = {j for j in jurors if idea in queues[j]}
        free = [j for j in jurors if j not in barred[idea] and j not in have]
        need = max(per_idea - len(have), 0)
        free.sort(key=lambda j: (len(queues[j]), (j + idea) % max(len(jurors), 1), j))
        for juror in free[:need]:
            queues[juror].add(idea)
    return queues
