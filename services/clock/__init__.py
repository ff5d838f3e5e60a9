"""The one clock (injectable, so time-dependent behaviour is tested without sleeping) and time zones.

Bottom of the services: imports only the standard library."""
