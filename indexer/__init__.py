"""faqsearch indexer: corpus files → question documents → a Whoosh index.

    from indexer import build_index
    stats = build_index("corpus/articles", "/tmp/faq-index")
    print(stats.documents)
"""

from .build import BuildStats, build_index
from .document import Document
from .sources import FileResult

__all__ = ["BuildStats", "Document", "FileResult", "build_index"]
