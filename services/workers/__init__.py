"""Worker pools that run CPU-heavy batch work (extraction, summarising) off the event loop,
and the tasks that run beside a block of work (heartbeats, renewals, watchers).

Bottom of the services: imports only the standard library. The stage that owns the work
gives the pool its warm-up, so nothing here reaches up into ingest or summary."""
