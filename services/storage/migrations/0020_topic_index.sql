-- The topic index gets a fourth column. title, lead and body hold each article's lemmas
-- and are ranked by BM25 (weighted 3 : 2 : 1); focus holds what the article is about (the
-- lemmas of title and lead, and body lemmas mentioned at least twice) and is only matched,
-- never ranked. Rows are rebuilt from the articles by the indexer (TopicIndex.index_pending),
-- which finds every article without a row here.
DROP TABLE IF EXISTS articles_fts;

CREATE VIRTUAL TABLE articles_fts USING fts5 (
    title, lead, body, focus,
    tokenize = 'unicode61 remove_diacritics 0'
);
