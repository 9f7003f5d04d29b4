"""Each document's related questions, as a generation holds them: computed at index time
(`indexer/related.py`) for corpora up to AT_INDEX_TIME documents, read by `Searcher.document`.

One JSON file per generation, `related.json`: {"per_document": K, "related": {docnum:
[[docnum, score], ...]}}, the closest K other documents of each, best first. Document
numbers are the generation's own, so the file is exact for it and needs no ids.
"""

from __future__ import annotations

import functools
import json
import math
from pathlib import Path

FILE = "related.json"
PER_DOCUMENT = 5  # kept for each document; a reader asking for more computes them
AT_INDEX_TIME = 1_000  # documents: larger corpora compute related questions when shown

Related = dict[int, list[tuple[int, float]]]


def write(generation: Path, related: Related) -> None:
    """Save the related documents of every document into `generation` (still being built)."""
    data = {"per_document": PER_DOCUMENT, "related": {str(d): [[o, round(s, 4)] for o, s in found] for d, found in related.items()}}
    (generation / FILE).write_text(json.dumps(data, separators=(",", ":")), encoding="utf-8")


@functools.lru_cache(maxsize=8)  # a generation never changes once written: read it once
def read(generation: Path, documents: int) -> tuple[int, Related] | None:
    """(how many were kept per document, the table), or None when the generation has none
    (a large corpus) or it cannot be read (then they are computed when shown). Entries that
    name no document of the generation's `documents` (a damaged or edited file) are left out."""
    try:
        data = json.loads((generation / FILE).read_text(encoding="utf-8"))
        kept = data["per_document"]
        if type(kept) is not int or not 0 < kept <= 1000:
            return None
        table: Related = {}
        for key, found in data["related"].items():
            docnum = int(key)
            if 0 <= docnum < documents and isinstance(found, list):
                table[docnum] = [
                    (int(o), float(s)) for o, s in found
                    if type(o) is int and 0 <= o < documents and o != docnum and isinstance(s, (int, float)) and math.isfinite(s)
                ]
        return kept, table
    except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
        return None
