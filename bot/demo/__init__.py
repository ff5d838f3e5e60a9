"""The offline demo and the local stand-ins it runs: a strict fake Bot API server and a news site.

Product code, shipped in the wheel and the image; the tests run against the same fakes.
"""
