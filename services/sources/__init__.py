"""Sources: admin, health, alerts to admins, the sources file and the admin stats.

May import ingest, delivery (its Sender protocol) and everything below them."""
