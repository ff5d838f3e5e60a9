"""Same-event grouping: articles told by several outlets become one story.

May import storage, text and clock."""
