"""Delivery: the exactly-once service, the pacer for everything sent and the Sender protocol.

May import digest and everything below it."""
