"""The secret key that signs sessions, reply addresses and links: judged, and kept in the data directory.

Without FRONTLINE_SECRET_KEY, the first process to start writes a random key into the data
directory (readable by its owner only) and every later process on that directory reads the same
one. Frontline never falls back to a key written in its source code: anyone could forge with it.
"""

from __future__ import annotations

import contextlib
import math
import os
import secrets
from collections import Counter
from pathlib import Path

#: Shorter keys are refused by `frontline check --deploy` (Django's own threshold).
MIN_LENGTH = 50
#: Fewer different characters than this is a pattern, not a random key (Django's own check asks for 5).
MIN_DISTINCT = 10
#: An estimate of the key's entropy (Shannon, from its own character frequencies) below this is weak.
MIN_ESTIMATED_BITS = 128
#: The key Frontline used when FRONTLINE_SECRET_KEY was unset, until it generated its own: public.
FORMER_DEVELOPMENT_KEY = "insecure-development-key-set-FRONTLINE_SECRET_KEY-in-production"
#: Keys that are public: written in Frontline's or Django's source or documentation at some time.
KNOWN_KEYS = frozenset(
    {
        FORMER_DEVELOPMENT_KEY,
        "change-me",
        "changeme",
        "secret",
        "your-secret-key",
    }
)
KNOWN_PREFIXES = ("django-insecure-",)
FILE_MODE = 0o600


class SecretKeyFileError(RuntimeError):
    """The key file cannot be read or written: the message says what to do."""


def estimated_bits(key: str) -> float:
    """Length times the Shannon entropy of the key's characters: an upper bound, enough to catch
    repeated or near-constant keys (a random 50-character key scores about 250)."""
    if not key:
        return 0.0
    counts = Counter(key)
    total = len(key)
    per_char = -sum(n / total * math.log2(n / total) for n in counts.values())
    return per_char * total


def weakness(key: str) -> str | None:
    """Why this key must not sign anything in production, or None if it is good enough."""
    if not key:
        return "it is missing"
    if key in KNOWN_KEYS or key.startswith(KNOWN_PREFIXES):
        return "it is a publicly known key"
    if len(key) < MIN_LENGTH:
        return f"it is shorter than {MIN_LENGTH} characters"
    if len(set(key)) < MIN_DISTINCT or estimated_bits(key) < MIN_ESTIMATED_BITS:
        return "it has too little entropy (too few different characters, or repeated ones)"
    return None


def generate() -> str:
    """A new random key (86 URL-safe characters, 512 bits)."""
    return secrets.token_urlsafe(64)


def _read(path: Path) -> str:
    try:
        key = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise SecretKeyFileError(
            f"cannot read the secret key file {path}: {exc}; set FRONTLINE_SECRET_KEY or fix the file"
        ) from exc
    problem = weakness(key)
    if problem:
        raise SecretKeyFileError(
            f"the secret key in {path} is not usable: {problem}; delete the file to get a new one "
            "(everyone is signed out) or set FRONTLINE_SECRET_KEY"
        )
    return key


def _write_exclusive(path: Path, text: str) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    with os.fdopen(descriptor, "w", encoding="ascii") as out:
        out.write(text)


def load_or_create(path: Path) -> str:
    """The key in `path`; the first caller creates it, atomically, so that every process on this data
    directory shares one key even when several start at the same moment."""
    if path.exists():
        return _read(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        try:
            _write_exclusive(temporary, generate() + "\n")
            # A hard link never replaces an existing file: the first process to link wins.
            try:
                os.link(temporary, path)
            except FileExistsError:
                pass
            except OSError:  # a file system without hard links: create the file itself exclusively
                with contextlib.suppress(FileExistsError):
                    _write_exclusive(path, temporary.read_text(encoding="ascii"))
        finally:
            temporary.unlink(missing_ok=True)
    except OSError as exc:
        raise SecretKeyFileError(
            f"cannot write a secret key into {path.parent}: {exc}; set FRONTLINE_SECRET_KEY or "
            "FRONTLINE_DATA_DIR to a writable folder"
        ) from exc
    return _read(path)


def file_mode_problem(path: Path) -> str | None:
    """Why the key file is exposed (readable or writable by others than its owner), or None."""
    try:
        mode = path.stat().st_mode & 0o777
    except OSError as exc:
        return f"cannot read its permissions: {exc}"
    if mode & 0o077:
        return f"its permissions are {mode:o}; only the owner may read it (chmod 600 {path})"
    return None
