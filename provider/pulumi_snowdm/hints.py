"""`Input`, the type of a resource argument: pulumi.Input's own definition, without its forward reference.

pulumi.Input is `Union[T, Awaitable[T], "Output[T]"]`: the string is evaluated in the module of whatever signature
uses it, so `typing.get_type_hints` fails on every class written with it (NameError: Output, then T), and so do the
editors and checkers that read hints that way. This alias is the same union with Output itself: type checkers see the
same type, and the hints of the resources' signatures resolve.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TypeVar, Union

from pulumi import Output

T = TypeVar("T")

Input = Union[T, Awaitable[T], Output[T]]  # noqa: UP007 (a generic alias needs Union: `|` cannot take a TypeVar'd str)
