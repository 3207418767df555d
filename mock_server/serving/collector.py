"""A serving process's start with the cyclic garbage collector held off (README, "Performance").

A start makes a hundred thousand objects that live as long as the process (modules, schemas,
routes, the fixtures) and frees almost none, while the collector, run every few hundred new
objects, walks those it holds again and again: about a tenth of `sms-mock serve`'s start. The
command line holds it off from its first import (`hold`); `serve` ends the hold once its
server is made (`release(freeze=True)`): what the start made is frozen first (`gc.freeze`), so
that no later collection walks it, and the collector is on again as it was. Any other command
ends it before it runs, with nothing frozen.
"""

from __future__ import annotations

import gc

# Whether the collector was on when the hold in force began: empty when none is.
_held: list[bool] = []


def hold() -> None:
    """Hold the collector off until `release` (a hold in force already is kept as it is)."""
    if not _held:
        _held.append(gc.isenabled())
        gc.disable()


def release(freeze: bool = False) -> bool:
    """End the hold, if one is in force: with `freeze`, every object the process holds now is
    left out of later collections first (a few thousand of them may be garbage already: they
    are kept, once a start). The collector is then on again if it was. Whether it froze."""
    if not _held:
        return False
    was_on = _held.pop()
    if freeze:
        gc.freeze()
    if was_on:
        gc.enable()
    return freeze


def thaw() -> None:
    """What `release(freeze=True)` froze is collected as any other object again."""
    gc.unfreeze()
