"""Local stand-ins for the outside world (Telegram, news sites) that tests, `demo` and benchmarks run against."""
