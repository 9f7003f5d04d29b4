"""The corpus shipped with faqsearch.

`ARTICLES` is the directory of source articles indexed by default (the health article
"Iron Deposits in the Brain May Be Early Indicator of MS"). It ships inside the installed
package so that `faqsearch search iron` works from any directory.
"""

from pathlib import Path

ARTICLES: Path = Path(__file__).resolve().parent / "articles"
SYNONYMS: Path = Path(__file__).resolve().parent / "synonyms.txt"
"""Words and phrases that mean the same thing (British/American spellings, lay terms); editable."""

__all__ = ["ARTICLES", "SYNONYMS"]
