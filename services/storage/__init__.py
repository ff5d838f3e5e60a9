"""Storage: SQLite (the default) or PostgreSQL, their migrations and one repository per
table group; the repositories see only `Store` (services/storage/store.py)."""

from services.storage.articles import ArticleRepository
from services.storage.connect import (
    INTEGRITY_ERRORS,
    open_store,
    parse_database_url,
    sqlite_url,
)
from services.storage.database import Database, StorageError
from services.storage.deliveries import DeliveryRepository
from services.storage.postgres import PostgresDatabase
from services.storage.sources import SourceRepository
from services.storage.store import Store
from services.storage.subscribers import SubscriberRepository
from services.storage.topics import SubscriptionRepository, TopicRepository

__all__ = [
    "INTEGRITY_ERRORS",
    "ArticleRepository",
    "Database",
    "DeliveryRepository",
    "PostgresDatabase",
    "SourceRepository",
    "StorageError",
    "Store",
    "SubscriberRepository",
    "SubscriptionRepository",
    "TopicRepository",
    "open_store",
    "parse_database_url",
    "sqlite_url",
]
