"""Opaque page tokens: base64 of the list's scope and the position to resume after.

Positions are keys (creation sequence numbers or list indexes), not offsets into a snapshot, so paginators walk a
list without repeats or gaps even while tasks are added. Tokens use only base64 characters, matching the model's
NextToken pattern `[a-zA-Z0-9+/=]*`.
"""

from __future__ import annotations

import base64
import binascii

from pulumi_snowdm.emulator.errors import ValidationException


def encode_token(scope: str, position: int) -> str:
    return base64.b64encode(f"{scope}\n{position}".encode()).decode("ascii")


def decode_token(token: str | None, scope: str) -> int | None:
    """The position a token resumes after, or None for the first page; 400 for a token not issued for `scope`."""
    if token is None:
        return None
    try:
        token_scope, _, position = base64.b64decode(token, validate=True).decode().partition("\n")
        if token_scope == scope:
            return int(position)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        pass
    raise ValidationException(
        "nextToken: is not a token this list issued; pass the nextToken of the previous page unchanged, "
        "with the same filters"
    )
