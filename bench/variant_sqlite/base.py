"""SQLite backend for the `flock-writes` experiment: writers queue on a file lock, not on polling.

Django's SQLite backend with `transaction_mode: IMMEDIATE` takes SQLite's write lock at BEGIN;
a process that finds it taken waits in SQLite's busy handler, which sleeps 1, 2, 5, 10, 15, 20,
25, 25, 25, 50, 50, 100 ms between tries. Here each write transaction first takes an exclusive
`flock` on `<database>.writelock`, which the kernel hands to the next waiter the moment it is
released, then BEGIN IMMEDIATE finds SQLite's lock free. Used by `run.py --variant flock-writes`.
"""

from __future__ import annotations

import fcntl
from typing import IO, Any

from django.db.backends.sqlite3 import base


class DatabaseWrapper(base.DatabaseWrapper):
    _lock_file: IO[bytes] | None = None
    _lock_held = False

    def _acquire(self) -> None:
        if self._lock_file is None:
            self._lock_file = open(f"{self.settings_dict['NAME']}.writelock", "a+b")  # noqa: SIM115
        fcntl.flock(self._lock_file, fcntl.LOCK_EX)
        self._lock_held = True

    def _release(self) -> None:
        if self._lock_held and self._lock_file is not None:
            fcntl.flock(self._lock_file, fcntl.LOCK_UN)
            self._lock_held = False

    def _start_transaction_under_autocommit(self) -> None:
        self._acquire()
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._release()
            raise

    def _commit(self) -> None:
        try:
            super()._commit()
        finally:
            self._release()

    def _rollback(self) -> None:
        try:
            super()._rollback()
        finally:
            self._release()

    def _close(self) -> None:
        try:
            super()._close()
        finally:
            self._release()

    def __getstate__(self) -> Any:  # pragma: no cover - not pickled in practice
        state = super().__getstate__()
        state.pop("_lock_file", None)
        return state
