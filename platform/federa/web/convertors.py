"""The `int` path convertor, bounded to what an id column holds (registered when federa.web loads)."""

from __future__ import annotations

from starlette.convertors import IntegerConvertor, register_url_convertor

# 0 … 2147483647 (ids are 32-bit integer columns), leading zeros allowed as before. A larger number
# names nothing: the route does not match (404) instead of PostgreSQL refusing the query (a 500).
_INT32 = ("0*(?:[0-9]{1,9}|1[0-9]{9}|20[0-9]{8}|21[0-3][0-9]{7}|214[0-6][0-9]{6}|2147[0-3][0-9]{5}"
          "|21474[0-7][0-9]{4}|214748[0-2][0-9]{3}|2147483[0-5][0-9]{2}|21474836[0-3][0-9]|214748364[0-7])")


class IdConvertor(IntegerConvertor):
    regex = _INT32


def register() -> None:
    """Replace starlette's `int` before any route is built (routes compile their pattern when made)."""
    register_url_convertor("int", IdConvertor())
