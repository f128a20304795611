"""Sharing: networks, share links and their anonymous counters, cards and photos."""
