"""The index both sides share: what the indexer writes and the search side reads.

`schema` (the fields) and `analysis` (how text becomes terms), `store` (the index
directory: generations, manifest, CURRENT), `scan` (which files make up a corpus),
`statistics` (collection statistics for scoring), `embedding` (the shipped static model
and each generation's document vectors), `config` (where things are when not told),
`controls` (characters never kept), `errors`, `related` (each document's related
questions as a generation holds them), `whoosh_internals` (every reach into
Whoosh's internals, with why), and `building` (who builds: the indexer,
found when needed). It imports neither `search` nor `indexer`.
"""
