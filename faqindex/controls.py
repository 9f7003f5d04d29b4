"""Characters that act on a terminal instead of showing: one definition for cleaning
documents, queries and everything printed.

Every C0 and C1 control character but tab and newline (an escape sequence starts with one;
U+009B is one on its own).
"""

CONTROL = r"[\x00-\x08\x0b-\x1f\x7f-\x9f]"
# The bidirectional overrides and isolates, which reorder what a terminal shows around them.
BIDI = r"[\u202a-\u202e\u2066-\u2069]"
