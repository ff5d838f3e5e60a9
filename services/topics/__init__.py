"""Topics people follow: the query language, the FTS5 index and the in-memory window.

May import storage, text and clock."""
