"""What deleted documents still add to the index's statistics, so scores can leave it out.

Whoosh deletes a document by marking it: until a merge rewrites its segment, the document
still counts in the collection statistics that BM25 uses (the number of documents, each
term's document frequency, each field's total length). An index
updated file by file would then rank differently from a full rebuild. So after every
update the indexer works out what the deleted documents contribute, from their stored text
analyzed as at indexing, and writes it beside the index (`REMOVED`); scoring and typo
correction subtract it, and an updated index ranks exactly as a full rebuild.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from .errors import IndexCorruptError
from .schema import indexed_fields

REMOVED = "removed.json"


@dataclass
class Removed:
    """The deleted documents' share of the statistics: a count, field lengths, term frequencies.

    `frequencies[field][term]` is how many deleted documents hold the term (a stem).
    """

    documents: int = 0
    lengths: dict[str, int] = field(default_factory=dict)
    frequencies: dict[str, dict[str, int]] = field(default_factory=dict)

    def document_frequency(self, fieldname: str, text: str) -> int:
        """How many deleted documents hold `text` in `fieldname`."""
        return self.frequencies.get(fieldname, {}).get(text, 0)

    def length(self, fieldname: str) -> int:
        """The deleted documents' total length of `fieldname`, in terms."""
        return self.lengths.get(fieldname, 0)

    @classmethod
    def of(cls, reader) -> Removed:
        """What the deleted documents of a Whoosh reader add to its statistics."""
        schema = reader.schema
        removed = cls()
        frequencies: dict[str, Counter[str]] = {}
        lengths: Counter[str] = Counter()
        for leaf, _offset in reader.leaf_readers():
            if not leaf.has_deletions():
                continue
            for docnum in (d for d in range(leaf.doc_count_all()) if leaf.is_deleted(d)):
                removed.documents += 1
                stored = leaf.stored_fields(docnum)
                values = indexed_fields(stored.get("question", ""), stored.get("answer", ""))
                for fieldname, value in values.items():
                    fieldobj = schema[fieldname]
                    terms = frequencies.setdefault(fieldname, Counter())
                    # The same calls Whoosh's writer makes for the document (writing.add_document).
                    for btext, freq, _weight, _value in fieldobj.index(value):
                        terms[btext.decode("utf-8")] += 1
                        if fieldobj.scorable:
                            lengths[fieldname] += freq
        removed.lengths = dict(lengths)
        removed.frequencies = {name: dict(terms) for name, terms in frequencies.items() if terms}
        return removed

    def write(self, generation: Path) -> None:
        """Save beside the index of `generation` (nothing when no document is deleted)."""
        if self.documents:
            data = {"documents": self.documents, "lengths": self.lengths, "frequencies": self.frequencies}
            (generation / REMOVED).write_text(json.dumps(data, separators=(",", ":")), encoding="utf-8")

    @classmethod
    def read(cls, generation: Path) -> Removed:
        """What `write` saved for `generation`; nothing deleted when there is no file."""
        path = generation / REMOVED
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls(int(data["documents"]), dict(data["lengths"]), dict(data["frequencies"]))
        except FileNotFoundError:
            return cls()
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise IndexCorruptError(f"index statistics {path} are damaged ({type(exc).__name__})") from None


NOTHING_REMOVED = Removed()
