"""marshmallow loaded without compiling its e-mail validator's patterns (README, "Performance").

`marshmallow.validate` compiles `Email.USER_REGEX` and `Email.DOMAIN_REGEX` as it loads:
case-insensitive classes over every Unicode letter, 30 to 40 ms, a tenth of `sms-mock serve`'s
start. No contract of the emulator checks an e-mail address. `import_marshmallow()`, called by
the command line before anything loads marshmallow, loads it with those patterns left to be
compiled the first time one is used: while it runs, a `re.compile` called from
`marshmallow.validate`'s own code (its class bodies, as it loads) returns a `DeferredPattern`;
every other caller, on any thread, gets `re.compile`'s own answer.
"""

from __future__ import annotations

import re
import sys
from typing import Any

DEFERRED_FROM = "marshmallow.validate"


class DeferredPattern:
    """A pattern compiled when first used: any attribute but a dunder (class creation asks
    for `__isabstractmethod__`, and must not compile it) is the compiled pattern's."""

    __slots__ = ("_compiled", "_flags", "_pattern")

    def __init__(self, pattern: str | bytes, flags: int) -> None:
        self._pattern = pattern
        self._flags = flags
        self._compiled: re.Pattern[Any] | None = None

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        compiled = self._compiled
        if compiled is None:  # two threads may both compile it: the same pattern either way
            compiled = self._compiled = re.compile(self._pattern, self._flags)
        return getattr(compiled, name)


def import_marshmallow() -> None:
    """Load marshmallow, its e-mail patterns deferred; nothing when it is loaded already."""
    if DEFERRED_FROM in sys.modules:
        return
    compile_now = re.compile

    def compile_or_defer(pattern: Any, flags: int = 0) -> Any:
        caller = sys._getframe(1).f_globals.get("__name__")
        if caller == DEFERRED_FROM and isinstance(pattern, str | bytes):
            return DeferredPattern(pattern, flags)
        return compile_now(pattern, flags)

    re.compile = compile_or_defer  # type: ignore[assignment]
    try:
        import marshmallow  # noqa: F401
    finally:
        re.compile = compile_now
