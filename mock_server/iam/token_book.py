"""The tokens IAM has issued: by id, each user's at most TOKENS_PER_USER, all at most TOKENS_KEPT.

Tokens are dropped a day after they expire (ExpiringBook), but a client may ask for a thousand
a second with the default password, and on a manual clock none ever expires: so a user's tokens
beyond TOKENS_PER_USER drop its oldest, and tokens beyond TOKENS_KEPT drop the oldest of all. A
dropped token is unknown from then on, as one IAM revoked.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from sms_mock.mock_server.iam.expiring import ExpiringBook
from sms_mock.mock_server.iam.models import Token

# A client keeps one token a day (the SDK signs instead); a test suite may log in once a test
# against one server. A thousand tokens are about 0.8 MB of memory and 0.9 MB of state file.
TOKENS_PER_USER = 1_000
# An account of more than ten users, each at its limit: then the oldest token of all goes.
TOKENS_KEPT = 10 * TOKENS_PER_USER


class TokenBook:
    """Tokens by id, bounded by user and in all; not thread-safe (IamBackend locks around it)."""

    def __init__(
        self, keep_ms: int, per_user: int = TOKENS_PER_USER, total: int = TOKENS_KEPT
    ) -> None:
        self.per_user = per_user
        self.total = total
        self._book: ExpiringBook[Token] = ExpiringBook(keep_ms)
        self._by_user: dict[str, dict[str, None]] = {}  # a user's token ids, oldest first

    def __len__(self) -> int:
        return len(self._book)

    def __iter__(self) -> Iterator[Token]:
        return iter(self._book)

    def get(self, token_id: str) -> Token | None:
        return self._book.get(token_id)

    def held_by(self, user_id: str) -> int:
        return len(self._by_user.get(user_id, ()))

    def add(self, token: Token, now_ms: int) -> list[str]:
        """Add a token; answer the ids dropped: expired long enough ago, or over a limit."""
        swept = self._book.add(token.id, token, now_ms)
        for _, old in swept:
            self._unindex(old)
        dropped = [key for key, _ in swept]
        self._by_user.setdefault(token.user_id, {})[token.id] = None
        dropped.extend(self._trim(token.user_id))
        return dropped

    def replace_all(self, tokens: Iterable[Token], now_ms: int) -> None:
        """Hold these tokens (a snapshot's), within the limits: the oldest issued go first."""
        ordered = sorted(tokens, key=lambda t: t.issued_ms)
        self._book.replace_all(((t.id, t) for t in ordered), now_ms)
        self._by_user = {}
        for token in self._book:
            self._by_user.setdefault(token.user_id, {})[token.id] = None
        for user_id in list(self._by_user):
            self._trim(user_id)

    def _trim(self, user_id: str) -> list[str]:
        dropped: list[str] = []
        held = self._by_user.get(user_id, {})
        while len(held) > self.per_user:
            dropped.append(self._remove(next(iter(held))))
        while len(self._book) > self.total:
            oldest = self._book.oldest_key()
            assert oldest is not None
            dropped.append(self._remove(oldest))
        return dropped

    def _remove(self, token_id: str) -> str:
        token = self._book.remove(token_id)
        if token is not None:
            self._unindex(token)
        return token_id

    def _unindex(self, token: Token) -> None:
        held = self._by_user.get(token.user_id)
        if held is not None:
            held.pop(token.id, None)
            if not held:
                del self._by_user[token.user_id]
