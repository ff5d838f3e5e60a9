-- Ingestion asks, for every feed entry of every pass, whether its link is already stored
-- (ArticleRepository.exists by url, canonical URL or content hash). Without an index on
-- url that OR is a scan of the whole table; with it, three index lookups.
CREATE INDEX IF NOT EXISTS articles_url ON articles (url);
