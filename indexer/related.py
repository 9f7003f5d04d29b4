"""Related questions, computed when a generation is written: for each document, the other
documents closest to it by words and by meaning.

By words: BM25 of the document's question (its words, OR-ed) over the others' questions
and answers. By meaning: the cosine of the documents' vectors (`faqindex.embedding`). A
candidate from either scores best-BM25-scaled words + cosine, as a search ranks by words
and meaning. Documents with the very same answer (the same question asked twice) are not
related to each other: they are one answer.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from whoosh.query import Or, Term

from faqindex import related
from faqindex.analysis import text_analyzer
from faqindex.schema import CONTENT_FIELD
from faqindex.stored import StoredDocument, answer_of

CANDIDATES = 20  # from each of words and meaning


def write_related(generation: Path, ix, reader, vectors) -> int:
    """Compute and save every document's related documents (when the corpus is small
    enough: related.AT_INDEX_TIME) from the index and the documents' meaning `vectors` (one
    row per document number); returns how many documents got them."""
    if not reader.doc_count() or reader.doc_count() > related.AT_INDEX_TIME:
        return 0  # before reading any document: a large corpus's texts would fill memory
    documents = {docnum: fields for docnum, fields in reader.iter_docs()}
    rows = np.asarray(vectors, dtype=np.float32)
    cosines = rows @ rows.T
    analyzer = text_analyzer()
    table: related.Related = {}
    with ix.searcher() as searcher:
        for docnum, fields in documents.items():
            question = StoredDocument.from_fields(fields).question
            words = sorted({t.text for t in analyzer(question, mode="query")})
            by_words: dict[int, float] = {}
            if words:
                hits = searcher.search(Or([Term(CONTENT_FIELD, w) for w in words]), limit=CANDIDATES + 1)
                by_words = {hit.docnum: float(hit.score) for hit in hits if hit.docnum != docnum}
            best = max(by_words.values(), default=0.0) or 1.0
            nearest = [int(i) for i in np.argsort(-cosines[docnum], kind="stable")[: CANDIDATES + 1] if i != docnum]
            answer = answer_of(fields)
            scored = []
            for other in dict.fromkeys([*by_words, *nearest]):
                if other not in documents or answer_of(documents[other]) == answer:
                    continue
                scored.append((other, by_words.get(other, 0.0) / best + float(cosines[docnum, other])))
            scored.sort(key=lambda pair: (-round(pair[1], 9), pair[0]))
            table[docnum] = scored[: related.PER_DOCUMENT]
    related.write(generation, table)
    return len(table)
