"""The collection statistics BM25 uses, as a full build of the live documents would have them.

Two of Whoosh's own counts depend on how an index came to be:

- Deleted documents. Whoosh deletes a document by marking it; until a merge rewrites its
  segment, the document still counts in each term's document frequency.
- Field lengths. A segment's total length of a field is exact when Whoosh writes the
  documents, but the sum of the per-document lengths as stored (rounded, in one byte) when
  it merges segments; so a merged index has another average length than a fresh one.

An index updated file by file would then rank differently from a full rebuild. So every
build writes `STATISTICS` beside the index: how many documents are live, each scored
field's total length over them (the sum of the lengths as stored, which scoring uses for
each document anyway), and what deleted documents still add to term frequencies. Scoring
and typo correction use these, and a generation ranks the same however it was built.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from .errors import IndexCorruptError
from .schema import QUESTION_SEPARATOR, indexed_fields
from .stored import StoredDocument

STATISTICS = "statistics.json"


@dataclass
class Statistics:
    """Live documents, their total field lengths, and the deleted documents' term counts.

    `deleted[field][term]` is how many deleted documents hold the term (a stem).
    """

    documents: int = 0
    lengths: dict[str, int] = field(default_factory=dict)
    deleted_documents: int = 0
    deleted: dict[str, dict[str, int]] = field(default_factory=dict)

    def deleted_with(self, fieldname: str, text: str) -> int:
        """How many deleted documents hold `text` in `fieldname`."""
        return self.deleted.get(fieldname, {}).get(text, 0)

    def average_length(self, fieldname: str) -> float | None:
        """The live documents' average length of `fieldname`, or None when not known."""
        if not self.documents or fieldname not in self.lengths:
            return None
        return self.lengths[fieldname] / self.documents

    @classmethod
    def of(cls, reader) -> Statistics:
        """The statistics of the documents of a Whoosh reader."""
        schema = reader.schema
        scored = [name for name in schema.names() if schema[name].scorable]
        stats = cls()
        lengths: Counter[str] = Counter()
        deleted: dict[str, Counter[str]] = {}
        for leaf, _offset in reader.leaf_readers():
            has_deletions = leaf.has_deletions()
            for docnum in range(leaf.doc_count_all()):
                if has_deletions and leaf.is_deleted(docnum):
                    stats.deleted_documents += 1
                    stored = leaf.stored_fields(docnum)
                    kept = StoredDocument.from_fields(stored)
                    values = indexed_fields(QUESTION_SEPARATOR.join(kept.questions), kept.answer)
                    for fieldname, value in values.items():
                        terms = deleted.setdefault(fieldname, Counter())
                        # The same call Whoosh's writer makes for the document (writing.add_document).
                        for btext, _freq, _weight, _value in schema[fieldname].index(value):
                            terms[btext.decode("utf-8")] += 1
                    continue
                stats.documents += 1
                for fieldname in scored:
                    lengths[fieldname] += leaf.doc_field_length(docnum, fieldname) or 0
        stats.lengths = dict(lengths)
        stats.deleted = {name: dict(terms) for name, terms in deleted.items() if terms}
        return stats

    def write(self, generation: Path) -> None:
        """Save beside the index of `generation`."""
        data = {
            "documents": self.documents,
            "lengths": self.lengths,
            "deleted_documents": self.deleted_documents,
            "deleted": self.deleted,
        }
        (generation / STATISTICS).write_text(json.dumps(data, separators=(",", ":")), encoding="utf-8")

    @classmethod
    def read(cls, generation: Path) -> Statistics:
        """What `write` saved for `generation`."""
        path = generation / STATISTICS
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls(int(data["documents"]), dict(data["lengths"]), int(data["deleted_documents"]), dict(data["deleted"]))
        except FileNotFoundError:
            raise IndexCorruptError(f"index in {generation.parent} is damaged: {STATISTICS} is missing") from None
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise IndexCorruptError(f"index statistics {path} are damaged ({type(exc).__name__})") from None


UNKNOWN = Statistics()  # Whoosh's own counts are used
