"""Delivery: planning suggestions into an outbox, the dispatcher, sending within limits, ending."""
