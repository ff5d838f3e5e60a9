"""SQLite storage: the connection, its migrations and one repository per table group."""

from services.storage.articles import ArticleRepository
from services.storage.database import Database, StorageError
from services.storage.deliveries import DeliveryRepository
from services.storage.sources import SourceRepository
from services.storage.subscribers import SubscriberRepository
from services.storage.topics import SubscriptionRepository, TopicRepository

__all__ = [
    "ArticleRepository",
    "Database",
    "DeliveryRepository",
    "SourceRepository",
    "StorageError",
    "SubscriberRepository",
    "SubscriptionRepository",
    "TopicRepository",
]
