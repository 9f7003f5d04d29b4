"""Real-world HTML: is the article indexed, and the page furniture left out?

    python -m benchmarks.html_extraction [--data ../shared/data/html_pages] [--verbose]

On the pages with judged snippets (trafilatura's evaluation set: sentences that belong to
the article, "with", and furniture that does not, "without"), it reports the share of
"with" snippets found in the text faqsearch indexes for the page (recall) and the share of
"without" snippets found there (leak). On every page: whether it failed, yielded no
document, or let script or style text through, and the median time per page.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from pathlib import Path

from bs4 import BeautifulSoup

from faqindex.scan import scan
from indexer.sources import read_file

ROOT = Path(__file__).resolve().parent.parent
_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "\u00a0": " "})


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text.translate(_QUOTES)).strip().casefold()


def indexed_text(page: Path) -> tuple[str, int]:
    """The text faqsearch indexes for one page (questions, answers, section names), and its document count."""
    entry = next(e for e in scan(page))
    result = read_file(entry)
    parts = [part for doc in result.documents for part in (*doc.questions, doc.section, doc.answer)]
    return normalise("\n".join(parts)), len(result.documents)


def script_snippets(page: Path) -> list[str]:
    """Runs of script and style text long enough to recognise if they leak."""
    soup = BeautifulSoup(page.read_bytes(), "html.parser")
    found = []
    for tag in soup.find_all(["script", "style"]):
        for line in (tag.string or "").splitlines():
            line = normalise(line)
            if len(line) >= 40 and re.search(r"[{};=()]", line):
                found.append(line[:60])
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "html_pages")
    parser.add_argument("--verbose", action="store_true", help="list each page, and the snippets missed or leaked")
    args = parser.parse_args(argv)
    if not (args.data / "manifest.json").is_file():
        print(f"skipped: no pages at {args.data}")
        return 0
    manifest = json.loads((args.data / "manifest.json").read_text(encoding="utf-8"))
    kept = wanted = leaked = unwanted = 0
    failures, empty, script_leaks, seconds = [], [], [], []
    for entry in manifest:
        page = args.data / "pages" / entry["file"]
        started = time.perf_counter()
        try:
            text, documents = indexed_text(page)
        except Exception as exc:  # noqa: BLE001 - a benchmark reports every failure rather than stopping
            failures.append(f"{entry['file']}: {type(exc).__name__}: {exc}")
            continue
        seconds.append(time.perf_counter() - started)
        if not documents:
            empty.append(entry["file"])
        leaks = [s for s in script_snippets(page) if s in text]
        if leaks:
            script_leaks.append(f"{entry['file']}: {leaks[0]!r}")
        truth = [g for g in entry.get("ground_truth", []) if g.startswith("trafilatura__") and g.endswith(".json")]
        if not truth:
            continue
        judged = json.loads((args.data / "ground_truth" / truth[0]).read_text(encoding="utf-8"))
        with_found = [normalise(s) in text for s in judged.get("with", [])]
        without_found = [normalise(s) in text for s in judged.get("without", [])]
        kept += sum(with_found)
        wanted += len(with_found)
        leaked += sum(without_found)
        unwanted += len(without_found)
        if args.verbose:
            print(
                f"{entry['file']}: {documents} documents, with {sum(with_found)}/{len(with_found)}, "
                f"without {sum(without_found)}/{len(without_found)}"
            )
            for snippet, ok in zip(judged.get("with", []), with_found):
                if not ok:
                    print(f"   missed: {snippet[:90]!r}")
            for snippet, bad in zip(judged.get("without", []), without_found):
                if bad:
                    print(f"   leaked: {snippet[:90]!r}")
    print(f"judged pages: recall {kept}/{wanted} = {kept / max(wanted, 1):.1%}, leak {leaked}/{unwanted} = {leaked / max(unwanted, 1):.1%}")
    print(
        f"all {len(manifest)} pages: {len(failures)} failed, {len(empty)} without documents, {len(script_leaks)} with script or style text"
    )
    print(f"median time per page: {statistics.median(seconds) * 1000:.0f} ms")
    for line in failures + [f"no documents: {e}" for e in empty] + [f"script text: {s}" for s in script_leaks]:
        print("  " + line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
