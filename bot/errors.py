"""Errors the person caused and should read about, in their own language."""

from __future__ import annotations


class UserError(Exception):
    """Bad input, a wrong role or an unknown id: answered with the text ``key``, nothing changed."""

    def __init__(self, key: str, /, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params
