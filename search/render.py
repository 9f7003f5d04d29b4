"""Text for people: results and build summaries as terminal lines.

Everything printed passes through `safe()`, so document text can never carry escape
sequences to the terminal, even from an index written by something else.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import click

from faqindex.controls import BIDI, CONTROL

from .documents import place
from .highlight import marked_parts
from .results import Hit, Results

if TYPE_CHECKING:
    from faqindex.building import BuildStats

    from .documents import Document
    from .evaluate import Evaluation
    from .status import IndexStatus

_UNSAFE = re.compile(f"{CONTROL}|{BIDI}")
# In JSON they are written as \uXXXX escapes instead (with the line and paragraph
# separators, which end lines in some readers): the text stays exact, and inert.
_JSON_ESCAPED = re.compile(rf"[\x7f-\x9f\u2028\u2029]|{BIDI}")
_LINE_BREAKS = str.maketrans({"\n": "\\n", "\r": "\\r", "\t": "\\t"})


def safe(text: str) -> str:
    """Remove control characters and bidirectional overrides, keeping newline and tab."""
    return _UNSAFE.sub("", text)


def name(text: str) -> str:
    """A file name or path on one line: safe, with its line breaks and tabs written as \\n, \\t."""
    return safe(text.translate(_LINE_BREAKS))


def json_text(data: Any, *, indent: int | None = 2) -> str:
    """`data` as JSON (indented, or on one line with `indent=None`), with characters that
    could act on a terminal escaped."""
    text = json.dumps(_finite(data), ensure_ascii=False, indent=indent, allow_nan=False)
    return _JSON_ESCAPED.sub(lambda m: f"\\u{ord(m[0]):04x}", text)


def _finite(data: Any) -> Any:
    """`data` with every NaN or infinity as null: JSON has neither."""
    if isinstance(data, float):
        return data if math.isfinite(data) else None
    if isinstance(data, dict):
        return {key: _finite(value) for key, value in data.items()}
    if isinstance(data, (list, tuple)):
        return [_finite(value) for value in data]
    return data


def results_lines(results: Results, *, color: bool, explain: bool = False, width: int | None = None) -> Iterator[str]:
    """The terminal form of a search: a count, then each hit (answers wrapped to `width`)."""
    shown = len(results.hits)
    more = f"; showing the top {shown}" if shown < results.total else ""
    yield _style(safe(results.count_text()) + more, color, dim=True)
    if results.missing:
        yield missing_line(results)
    if results.weak:
        yield "No answer fits this well; the closest ones follow."
    if explain and results.expansions:
        also = ", ".join(f"{safe(a)} → {safe(b)}" for a, b in results.expansions)
        yield _style(f"also searched: {also}", color, dim=True)
    if explain and results.fit is not None and results.hits:
        yield _style(fit_line(results), color, dim=True)
    if explain and results.hits:
        yield _style(f"ranked by meaning with: {safe(_model_name(results.ranked_by))}", color, dim=True)
    for hit in results.hits:
        yield ""
        yield from hit_lines(hit, color=color, width=width)
        if explain and hit.explanation is not None:
            yield from explanation_lines(hit, color=color)


def _model_name(ranked_by: str) -> str:
    return {"static": "the shipped static model", "words": "nothing (the words alone)"}.get(ranked_by, f"{ranked_by} (sentence model)")


def fit_line(results: Results) -> str:
    """What the weak-match judgement saw: the best hit's share of the query's words and its
    closeness in meaning."""
    closeness = "" if results.closeness is None else f", closeness in meaning {results.closeness:.2f}"
    return f"best hit: holds {results.fit:.0%} of the query's words{closeness}"


def missing_line(results: Results) -> str:
    """"No answer mentions: …" for the words typed that no document holds."""
    return "No answer mentions: " + ", ".join(safe(word) for word in results.missing)


def correction_line(results: Results, *, color: bool) -> str:
    """"Showing results for …; search instead for …" after a typo was corrected."""
    fixed = _style(safe(results.corrected_query or ""), color, bold=True)
    return f"Showing results for “{fixed}”; search instead for “{safe(results.query)}” with --exact"


def explanation_lines(hit: Hit, *, color: bool) -> Iterator[str]:
    """Each matched part of the query on its own line: field, words, score."""
    for part in hit.explanation or []:
        yield _style(f"   {part.score:8.4f}  {part.field}: {safe(part.terms)}", color, dim=True)


def acronym_lines(acronyms: dict[str, list[str]]) -> Iterator[str]:
    """One acronym a line: "MS  multiple sclerosis"."""
    if not acronyms:
        yield "No acronyms are defined in the corpus."
        return
    width = max(len(a) for a in acronyms)
    for acronym, forms in acronyms.items():
        yield f"{safe(acronym):<{width}}  {safe('; '.join(forms))}"


def hit_lines(hit: Hit, *, color: bool, width: int | None = None) -> Iterator[str]:
    """One hit: rank, question and score, other phrasings, highlighted fragments, source.

    With a `width`, fragments wrap to it under their indent (a hanging indent)."""
    head = _style(f"{hit.rank}. {safe(hit.question)}", color, bold=True)
    yield f"{head}  {_style(f'score {hit.score:.2f}', color, dim=True)}"
    for other in hit.alternates:
        yield f"   also asked: {safe(other)}"
    if hit.duplicates:
        yield f"   also in: {', '.join(name(d) for d in hit.duplicates)}"
    for fragment in hit.highlights:
        for line in fragment.split("\n"):
            if line.strip():
                yield from _wrapped(marked(line, color=color), "   ", width)
    where = name(place(hit.source, hit.section, hit.position)) + f"  [{safe(hit.id)}]"  # what `show` takes
    if hit.url:
        where += f"  {safe(hit.url)}"
    yield _style(f"   {where}", color, dim=True)


def _wrapped(text: str, indent: str, width: int | None) -> Iterator[str]:
    """`text` after `indent`, cut at spaces into lines no wider than `width` (colour codes
    take no room), each under the same indent."""
    if width is None or len(indent) + len(click.unstyle(text)) <= width:
        yield indent + text
        return
    room = max(width - len(indent), 20)
    line, used = [], 0
    for word in text.split(" "):
        size = len(click.unstyle(word))
        if line and used + 1 + size > room:
            yield indent + " ".join(line)
            line, used = [], 0
        used += size + (1 if line else 0)
        line.append(word)
    if line:
        yield indent + " ".join(line)


def marked(fragment: str, *, color: bool) -> str:
    """Turn an HTML-escaped fragment with <mark> tags into terminal text: matched words in
    bold colour, or between asterisks without colour (*ferritin*), so they still show."""
    out = []
    for text, inside in marked_parts(fragment):
        text = safe(text)
        if inside:
            text = _style(text, color, bold=True, fg="yellow") if color else f"*{text}*"
        out.append(text)
    return "".join(out)


def build_lines(stats: BuildStats, *, verbose: bool = True) -> Iterator[str]:
    """Summary of an index build: totals, each file's outcome, where the index is."""
    files = len(stats.indexed_files)
    for note in getattr(stats, "notes", []):
        yield f"Note: {safe(note)}"
    if stats.unchanged or stats.removed:
        yield (
            f"Updated the index in {stats.seconds:.2f} s: read {files} changed file{'s' if files != 1 else ''}, "
            f"kept {stats.unchanged} unchanged, removed {len(stats.removed)}; {stats.documents} "
            f"document{'s' if stats.documents != 1 else ''} in all"
            + (f"; skipped {len(stats.skipped_files)}" if stats.skipped_files else "")
        )
    else:
        yield (
            f"Indexed {files} file{'s' if files != 1 else ''} into {stats.documents} "
            f"document{'s' if stats.documents != 1 else ''} in {stats.seconds:.2f} s"
            + (f"; skipped {len(stats.skipped_files)}" if stats.skipped_files else "")
        )
    for result in stats.files:
        if verbose or result.skipped or result.notes:
            yield f"  {name(result.name)}: {safe(result.summary)}"
    if verbose and stats.acronyms:
        shown = ", ".join(f"{safe(a)} ({safe(f[0])})" for a, f in list(stats.acronyms.items())[:8])
        more = f" and {len(stats.acronyms) - 8} more (faqsearch acronyms)" if len(stats.acronyms) > 8 else ""
        yield f"Acronyms: {shown}{more}"
    if stats.model:
        kept = stats.documents - stats.embedded
        yield (
            f"Meaning: {safe(stats.model)} embedded {stats.embedded} answer{'s' if stats.embedded != 1 else ''}"
            + (f", kept the vectors of {kept}" if kept > 0 else "")
        )
    yield f"Index: {name(str(stats.index_dir))}"


def status_lines(status: IndexStatus) -> Iterator[str]:
    """The index and its corpus, one fact a line."""
    if status.stale is None:
        freshness = "the corpus is gone; searches read the index as it is"
    else:
        freshness = "stale: the corpus changed since (the next search updates it)" if status.stale else "up to date"
    acronyms = ", ".join(f"{safe(a)} ({safe(f[0])})" for a, f in status.acronyms.items()) or "none"
    yield f"Index:     {name(status.index_dir)} ({name(status.generation)}, {status.size_bytes / 2**20:.1f} MiB)"
    yield f"Built:     {status.built_at}, {freshness}"
    yield f"Corpus:    {name(status.corpus)}"
    documents, files = status.documents, status.files
    yield f"Holds:     {documents} document{'s' if documents != 1 else ''} from {files} file{'s' if files != 1 else ''}"
    yield f"Acronyms:  {acronyms}"
    yield f"Synonyms:  {status.synonym_rules} group{'s' if status.synonym_rules != 1 else ''} from {name(status.synonyms or '')}"
    yield f"Meaning:   {safe(status.meaning)}"


def document_list_lines(documents: list[Document]) -> Iterator[str]:
    """One document a line: id, source and position, question."""
    for document in documents:
        where = name(document.source) + (f" § {safe(document.section)}" if document.section else f":{document.position}")
        yield f"{safe(document.id)}  {where}  {safe(document.question)}"


def document_lines(document: Document, *, color: bool, width: int | None = None) -> Iterator[str]:
    """One document whole: question, other phrasings, the answer, where it comes from, and
    its related questions."""
    yield _style(safe(document.question), color, bold=True)
    for other in document.alternates:
        yield f"also asked: {safe(other)}"
    yield ""
    for paragraph in document.answer.split("\n"):
        if paragraph.strip():
            yield from _wrapped(safe(paragraph), "", width)
    yield ""
    where = name(place(document.source, document.section, document.position))
    yield _style(f"Source: {where}", color, dim=True)
    if document.title:
        yield _style(f"Title: {safe(document.title)}", color, dim=True)
    if document.url:
        yield _style(f"URL: {safe(document.url)}", color, dim=True)
    yield _style(f"Id: {safe(document.id)}", color, dim=True)
    if document.related:
        yield ""
        yield "See also:"
        for related in document.related:
            yield f"  {safe(related.question)}  {_style(f'(faqsearch show {safe(related.id)})', color, dim=True)}"


def serving_lines(host: str, port: int, documents: int) -> Iterator[str]:
    """What `faqsearch serve` says once it listens."""
    shown = f"[{host}]" if ":" in host else host
    yield f"Serving {documents} document{'s' if documents != 1 else ''} on http://{shown}:{port}/ (Ctrl-C stops)"
    if host not in ("127.0.0.1", "localhost", "::1"):
        yield f"Note: {safe(host)} is not loopback; anyone who can reach it can search this index."


def evaluation_lines(evaluation: Evaluation) -> Iterator[str]:
    """A table of measures: one row for all queries, then one per query category."""
    names = list(evaluation.measures)
    yield f"{safe(evaluation.collection)} ({evaluation.split}): {evaluation.queries} judged queries"
    yield f"{'':<14}{'queries':>8}" + "".join(f"{name:>9}" for name in names)
    yield f"{'all':<14}{evaluation.queries:>8}" + "".join(f"{evaluation.measures[n]:>9.4f}" for n in names)
    for category, row in evaluation.by_category.items():
        yield f"{safe(category)[:14]:<14}{int(row['queries']):>8}" + "".join(f"{row[n]:>9.4f}" for n in names)
    if evaluation.failed:
        yield f"{len(evaluation.failed)} queries could not be parsed (counted as finding nothing): {', '.join(evaluation.failed[:5])}"


def _style(text: str, color: bool, **styles: Any) -> str:
    return click.style(text, **styles) if color else text
