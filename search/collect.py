"""Collecting the best matches: Whoosh's top-N collector, keeping ties at the cut, and a
deadline for the whole search.

Whoosh keeps the N best documents and, among documents with equal scores, the ones with
the lowest internal numbers. Those numbers depend on how the index was built (whole, in
parallel, or updated file by file), and results must not. So every document tied with the
N-th is kept too, and the searcher orders ties by source and position.
"""

from __future__ import annotations

from heapq import heappush, heapreplace
from math import inf, nextafter

from whoosh.collectors import TimeLimit, TopCollector, WrappingCollector

from .budget import Budget


class TopWithTies(TopCollector):
    """The `limit` best documents, plus every document scoring the same as the last of them."""

    def prepare(self, top_searcher, q, context):
        super().prepare(top_searcher, q, context)
        self.tied: list[tuple[float, int]] = []  # (score, -docnum) out of the heap, equal to its lowest

    def _collect(self, global_docnum: int, score: float) -> float:
        items = self.items
        self.total += 1
        if len(items) < self.limit:
            heappush(items, (score, -global_docnum))
            if len(items) == self.limit:
                self._raise_bar()
            return -score
        lowest = items[0][0]
        if score > lowest:
            dropped = heapreplace(items, (score, -global_docnum))
            if items[0][0] > lowest:
                self.tied = []
            else:
                self.tied.append(dropped)
            self._raise_bar()
            return -score
        if score == lowest:
            self.tied.append((score, -global_docnum))
        return 0

    def _raise_bar(self) -> None:
        # Whoosh skips blocks that cannot score above `minscore`; just below the lowest kept
        # score, blocks that can tie with it are read too.
        self.minscore = nextafter(self.items[0][0], -inf)

    def complete(self) -> bool:
        """Was every matching document kept?"""
        return len(self.items) < self.limit

    def results(self):
        self.items = self.items + self.tied
        self.tied = []
        return super().results()


class Deadline(WrappingCollector):
    """Stops collecting when the search's budget runs out, by raising Whoosh's TimeLimit.

    The time is read every 64 documents. Whoosh's own TimeLimitCollector starts a timer
    thread for every search (a measurable share of a search on the article) or uses SIGALRM, which a
    library may not (it can run in any thread).
    """

    EVERY = 64

    def __init__(self, child, budget: Budget) -> None:
        super().__init__(child)
        self.budget = budget

    def collect_matches(self) -> None:
        child, budget, every = self.child, self.budget, self.EVERY
        for n, sub_docnum in enumerate(child.matches()):
            if not n % every and budget.expired():
                raise TimeLimit
            child.collect(sub_docnum)
