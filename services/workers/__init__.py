"""Worker pools that run CPU-heavy batch work (extraction, summarising) off the event loop.

Bottom of the services: imports only the standard library (and the modules it warms up)."""
