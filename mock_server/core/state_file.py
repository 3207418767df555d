"""`--state-file`: the emulator's whole state in SQLite (WAL), saved before every answer.

The state is the same document as `GET /_mock/snapshot`, kept in tables: one row a task,
one row a source, template or migproject, one row a token, one row a temporary credential, one
row a name's password lock-out, and a key-value table for the rest
(format, clock, account, AK lock-outs, faults). After
each request the emulator saves what changed in one transaction, with `synchronous=FULL`, before
the answer leaves: an acknowledged write survives a kill -9.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import sqlite3
import threading
from pathlib import Path
from typing import Any

from sms_mock.contracts.snapshot import SNAPSHOT_FORMATS

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tasks (
    project_id TEXT NOT NULL, id TEXT NOT NULL, data TEXT NOT NULL, PRIMARY KEY (project_id, id)
);
CREATE TABLE IF NOT EXISTS tokens (id TEXT PRIMARY KEY, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS credentials (access TEXT PRIMARY KEY, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS faults (
    kind TEXT NOT NULL, id TEXT NOT NULL, data TEXT NOT NULL, PRIMARY KEY (kind, id)
);
CREATE TABLE IF NOT EXISTS lockouts (
    key TEXT PRIMARY KEY, failures INTEGER NOT NULL, locked_until INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS resources (
    kind TEXT NOT NULL, project_id TEXT NOT NULL, id TEXT NOT NULL, data TEXT NOT NULL,
    PRIMARY KEY (kind, project_id, id)
);
"""

# Keys of the snapshot kept whole in `meta`.
META_KEYS = ("format", "clock", "account", "lockouts", "last_int_id")
# The snapshot's fault lists, one row a fault in `faults` (files before 0.3 kept them in meta,
# and are moved out at open).
FAULT_KINDS = {"faults": "task", "http_faults": "http"}


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


# Tables a file that has a state must have: without one, it would start silently empty.
REQUIRED_TABLES = ("meta", "tasks", "tokens")
CURRENT_TABLES = (*REQUIRED_TABLES, "resources")  # a file of the current format's
# It holds passwords, SKs and live tokens in clear: readable by its owner only (hashing them
# would cost every token check its speed). SQLite gives its WAL and shm files the same mode.
PRIVATE_MODE = 0o600


class StateFileError(Exception):
    """A state file that cannot be used: the message says why, for one line of `serve`."""


class StateFileInUse(StateFileError):
    """Another emulator holds the file: two servers on one file would undo each other's writes."""


def _open_private(path: Path) -> int:
    """The database file, opened read-write: created owner-only when it is new, made
    owner-only when it is not. A directory, or a file that cannot be opened, is named."""
    if path.is_dir():
        raise StateFileError("is a directory, not a file")
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, PRIVATE_MODE)
    except OSError as exc:
        raise StateFileError(f"cannot be opened ({exc.strerror})") from exc
    with contextlib.suppress(PermissionError):  # not ours to change: leave it
        os.fchmod(fd, PRIVATE_MODE)
    return fd


def _hold_lock(path: Path) -> int:
    """The database file's descriptor, holding an exclusive lock for the life of the process
    (or until `close`). The lock is on the file itself, not on a name: a symlink, a hard link
    or another spelling of the path meets the same lock, and there is no lock file to delete.
    SQLite's own locks are POSIX record locks, which do not meet a `flock`."""
    fd = _open_private(path)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = _lock_holder(fd)
        os.close(fd)
        raise StateFileInUse(f"in use by another sms-mock (pid {holder})") from None
    return fd


def _lock_holder(fd: int) -> str:
    """The pid holding a `flock` on the file of `fd`, as the kernel lists it; "?" where it
    does not (no /proc)."""
    info = os.fstat(fd)
    inode = f"{os.major(info.st_dev):02x}:{os.minor(info.st_dev):02x}:{info.st_ino}"
    with contextlib.suppress(OSError):
        for line in Path("/proc/locks").read_text().splitlines():
            fields = line.split()
            # "1: FLOCK  ADVISORY  WRITE 1234 fe:00:2171862 0 EOF" (a waiter's line has "->")
            if len(fields) >= 6 and fields[1] == "FLOCK" and fields[5] == inode:
                return fields[4]
    return "?"


class StateFile:
    """One SQLite database; safe to use from the server's threads (one writer at a time).

    One emulator a file: the second to open it gets StateFileInUse.
    """

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._lock_fd = _hold_lock(self.path)
        try:
            self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            self._lock = threading.Lock()
            with self._lock:
                self._db.execute("PRAGMA journal_mode=WAL")
                self._db.execute("PRAGMA synchronous=FULL")
                self._check_tables()
                self._db.executescript(SCHEMA)
                self._move_faults_out_of_meta()
                self._move_password_lockouts_out_of_meta()
        except BaseException:
            # The database before the lock's descriptor: closing a descriptor of the file
            # drops this process's POSIX locks on it, SQLite's own among them.
            db = getattr(self, "_db", None)
            if db is not None:
                db.close()
            self._release()
            raise

    def _check_tables(self) -> None:
        tables = {name for (name,) in self._db.execute("SELECT name FROM sqlite_master")}
        if "meta" not in tables:
            return  # a new file
        row = self._db.execute("SELECT value FROM meta WHERE key = 'format'").fetchone()
        if row is None:
            return  # no state saved yet
        # Resources came with the format of /2: a file of /1 is read without them.
        required = REQUIRED_TABLES if row[0] == _dumps(SNAPSHOT_FORMATS[0]) else CURRENT_TABLES
        missing = [t for t in required if t not in tables]
        if missing:
            raise StateFileError(f"its {', '.join(missing)} table is missing")

    def _move_faults_out_of_meta(self) -> None:
        """Files before 0.3 kept the fault lists whole in meta: once, a row a fault."""
        rows = dict(
            self._db.execute(
                "SELECT key, value FROM meta WHERE key IN (?, ?)", tuple(FAULT_KINDS)
            ).fetchall()
        )
        if not rows:
            return
        try:
            listed = {key: json.loads(value) for key, value in rows.items()}
        except ValueError as exc:
            raise StateFileError(f"its meta table's faults are not JSON ({exc})") from exc
        with self._db:
            self._db.execute("BEGIN IMMEDIATE")
            for key, faults in listed.items():
                self._db.executemany(
                    "INSERT OR REPLACE INTO faults VALUES (?, ?, ?)",
                    [(FAULT_KINDS[key], f["id"], _dumps(f)) for f in faults],
                )
            self._db.execute("DELETE FROM meta WHERE key IN (?, ?)", tuple(FAULT_KINDS))

    def _move_password_lockouts_out_of_meta(self) -> None:
        """Files before 0.3 kept users' password lock-outs in meta's `lockouts`: once, a row a
        name (every name's is a row now, a user's or not)."""
        row = self._db.execute("SELECT value FROM meta WHERE key = 'lockouts'").fetchone()
        try:
            lockouts = json.loads(row[0]) if row else {}
        except ValueError as exc:
            raise StateFileError(f"its meta table's lockouts are not JSON ({exc})") from exc
        if not isinstance(lockouts, dict) or not set(PASSWORD_LOCKOUT_KEYS) & set(lockouts):
            return
        kept, rows = _split_lockouts(lockouts)
        with self._db:
            self._db.execute("BEGIN IMMEDIATE")
            self._db.executemany("INSERT OR REPLACE INTO lockouts VALUES (?, ?, ?)", rows)
            self._db.execute("UPDATE meta SET value = ? WHERE key = 'lockouts'", (_dumps(kept),))

    def _release(self) -> None:
        if self._lock_fd >= 0:
            os.close(self._lock_fd)  # closing the descriptor releases the lock
            self._lock_fd = -1

    def load(self) -> dict[str, Any] | None:
        """The saved snapshot, or None for a new file; StateFileError when a row is not JSON."""
        try:
            return self._load()
        except ValueError as exc:
            raise StateFileError(f"a row is not JSON ({exc})") from exc

    def _load(self) -> dict[str, Any] | None:
        with self._lock:
            meta = dict(self._db.execute("SELECT key, value FROM meta").fetchall())
            if "format" not in meta:
                return None
            tasks = [
                {"project_id": project_id, **json.loads(data)}
                for project_id, data in self._db.execute("SELECT project_id, data FROM tasks")
            ]
            tokens = [json.loads(data) for (data,) in self._db.execute("SELECT data FROM tokens")]
            credentials = [
                json.loads(data) for (data,) in self._db.execute("SELECT data FROM credentials")
            ]
            resources = [
                {"kind": kind, "project_id": project_id, "id": item_id, "doc": json.loads(data)}
                for kind, project_id, item_id, data in self._db.execute(
                    "SELECT kind, project_id, id, data FROM resources"
                )
            ]
            rows = self._db.execute("SELECT kind, data FROM faults").fetchall()
            lockout_rows = self._db.execute(
                "SELECT key, failures, locked_until FROM lockouts ORDER BY rowid"
            )
            lockouts = _join_lockouts(lockout_rows.fetchall())
        snapshot = {key: json.loads(meta[key]) for key in META_KEYS if key in meta}
        snapshot["lockouts"] = {**snapshot.get("lockouts", {}), **lockouts}
        for key, kind in FAULT_KINDS.items():
            snapshot[key] = [json.loads(data) for row_kind, data in rows if row_kind == kind]
        last_int_id = snapshot.pop("last_int_id", 0)
        snapshot["sms"] = {"last_int_id": last_int_id, "tasks": tasks, "resources": resources}
        snapshot["tokens"] = tokens
        snapshot["credentials"] = credentials
        return snapshot

    def save_all(self, snapshot: dict[str, Any]) -> None:
        """Replace everything with this snapshot."""
        sms = snapshot["sms"]
        with self._lock, self._db:
            self._db.execute("BEGIN IMMEDIATE")
            self._db.execute("DELETE FROM meta")
            self._db.execute("DELETE FROM tasks")
            self._db.execute("DELETE FROM tokens")
            self._db.execute("DELETE FROM credentials")
            self._db.execute("DELETE FROM faults")
            self._db.execute("DELETE FROM resources")
            self._db.execute("DELETE FROM lockouts")
            meta = {key: snapshot[key] for key in META_KEYS if key in snapshot}
            meta["last_int_id"] = sms["last_int_id"]
            meta["lockouts"], lockout_rows = _split_lockouts(snapshot["lockouts"])
            self._db.executemany("INSERT INTO lockouts VALUES (?, ?, ?)", lockout_rows)
            self._db.executemany(
                "INSERT INTO meta VALUES (?, ?)", [(k, _dumps(v)) for k, v in meta.items()]
            )
            self._db.executemany(
                "INSERT INTO tasks VALUES (?, ?, ?)",
                [(t["project_id"], t["id"], _task_row(t)) for t in sms["tasks"]],
            )
            self._db.executemany(
                "INSERT INTO tokens VALUES (?, ?)",
                [(t["id"], _dumps(t)) for t in snapshot["tokens"]],
            )
            self._db.executemany(
                "INSERT INTO credentials VALUES (?, ?)",
                [(c["access"], _dumps(c)) for c in snapshot.get("credentials", [])],
            )
            self._db.executemany(
                "INSERT INTO faults VALUES (?, ?, ?)",
                [
                    (kind, f["id"], _dumps(f))
                    for key, kind in FAULT_KINDS.items()
                    for f in snapshot.get(key, [])
                ],
            )
            self._db.executemany(
                "INSERT INTO resources VALUES (?, ?, ?, ?)",
                _resource_rows(sms.get("resources", [])),
            )

    def save_meta(self, meta: dict[str, Any]) -> None:
        with self._lock, self._db:
            self._db.execute("BEGIN IMMEDIATE")
            self._db.executemany(
                "INSERT OR REPLACE INTO meta VALUES (?, ?)",
                [(k, _dumps(v)) for k, v in meta.items()],
            )

    def save_changes(
        self,
        *,
        meta: dict[str, Any],
        changes: Any,  # sms.backend.Changes
        iam: Any,  # iam.backend.IamChanges
        faults: dict[str, Any],  # "task" and "http": core.fault_registry.FaultChanges
    ) -> None:
        """Save what changed since the last save, in one durable transaction."""
        with self._lock, self._db:
            self._db.execute("BEGIN IMMEDIATE")
            for kind, fault_changes in faults.items():
                if fault_changes.cleared:
                    self._db.execute("DELETE FROM faults WHERE kind = ?", (kind,))
                self._db.executemany(
                    "INSERT OR REPLACE INTO faults VALUES (?, ?, ?)",
                    [(kind, f["id"], _dumps(f)) for f in fault_changes.written],
                )
                self._db.executemany(
                    "DELETE FROM faults WHERE kind = ? AND id = ?",
                    [(kind, i) for i in fault_changes.deleted],
                )
            self._db.executemany(
                "INSERT OR REPLACE INTO meta VALUES (?, ?)",
                [(k, _dumps(v)) for k, v in meta.items()],
            )
            self._db.executemany(
                "INSERT OR REPLACE INTO tasks VALUES (?, ?, ?)",
                [(t["project_id"], t["id"], _task_row(t)) for t in changes.tasks],
            )
            self._db.executemany(
                "DELETE FROM tasks WHERE project_id = ? AND id = ?", changes.deleted_tasks
            )
            self._db.executemany(
                "INSERT OR REPLACE INTO resources VALUES (?, ?, ?, ?)",
                _resource_rows(changes.resources),
            )
            self._db.executemany(
                "DELETE FROM resources WHERE kind = ? AND project_id = ? AND id = ?",
                changes.deleted_resources,
            )
            self._db.executemany(
                "INSERT OR REPLACE INTO tokens VALUES (?, ?)",
                [(t["id"], _dumps(t)) for t in iam.tokens],
            )
            self._db.executemany(
                "DELETE FROM tokens WHERE id = ?", [(i,) for i in iam.dropped_tokens]
            )
            self._db.executemany(
                "INSERT OR REPLACE INTO credentials VALUES (?, ?)",
                [(c["access"], _dumps(c)) for c in iam.credentials],
            )
            self._db.executemany(
                "DELETE FROM credentials WHERE access = ?",
                [(a,) for a in iam.dropped_credentials],
            )
            lockouts = iam.password_lockouts  # iam.lockouts.LockoutChanges
            self._db.executemany(
                "INSERT OR REPLACE INTO lockouts VALUES (?, ?, ?)",
                [(key, *row) for key, row in lockouts.written.items()],
            )
            self._db.executemany(
                "DELETE FROM lockouts WHERE key = ?", [(key,) for key in lockouts.deleted]
            )

    def close(self) -> None:
        with self._lock:
            self._db.close()
        self._release()


def _resource_rows(rows: list[dict[str, Any]]) -> list[tuple[str, str, str, str]]:
    return [(r["kind"], r["project_id"], r["id"], _dumps(r["doc"])) for r in rows]


# The snapshot's password lock-outs, one row a name in `lockouts`; the AK lock-outs stay in meta.
PASSWORD_LOCKOUT_KEYS = ("failures", "locked_until")


def _split_lockouts(
    lockouts: dict[str, Any],
) -> tuple[dict[str, Any], list[tuple[str, int, int]]]:
    """A snapshot's `lockouts`: what meta keeps (the AK lock-outs), and a row a name."""
    kept = {key: value for key, value in lockouts.items() if key not in PASSWORD_LOCKOUT_KEYS}
    failures, locked_until = lockouts.get("failures", {}), lockouts.get("locked_until", {})
    rows = [(key, n, 0) for key, n in failures.items() if key not in locked_until]
    rows += [(key, 0, until) for key, until in locked_until.items()]
    return kept, rows


def _join_lockouts(rows: list[tuple[str, int, int]]) -> dict[str, dict[str, int]]:
    """The snapshot's password lock-outs from their rows."""
    return {
        "failures": {key: n for key, n, until in rows if not until},
        "locked_until": {key: until for key, n, until in rows if until},
    }


def _task_row(task: dict[str, Any]) -> str:
    return _dumps({key: value for key, value in task.items() if key != "project_id"})
