"""Where each benchmark database lives and the environment that points Frontline at it.

A database is named after its engine and size (`sqlite-t100000-m500000`); its files (the SQLite
database, the task-queue file, the manifest the load generator reads) live under
`bench/results/data/<name>/`, which git ignores. PostgreSQL databases are called
`frontline_bench_t<tickets>_m<messages>` on the local server.
"""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
REPOSITORY = BENCH_DIR.parent
VENV_BIN = REPOSITORY / ".venv" / "bin"
PYTHON = VENV_BIN / "python"
FRONTLINE = VENV_BIN / "frontline"
RESULTS_DIR = BENCH_DIR / "results"
DATA_ROOT = RESULTS_DIR / "data"
DEFAULT_PG_SERVER = "postgres://postgres@127.0.0.1:5432"
VENDORS = ("sqlite", "postgres")


@dataclass(frozen=True)
class BenchDatabase:
    vendor: str  # "sqlite" or "postgres"
    tickets: int
    messages: int
    pg_server: str = DEFAULT_PG_SERVER

    @property
    def name(self) -> str:
        return f"{self.vendor}-t{self.tickets}-m{self.messages}"

    @property
    def directory(self) -> Path:
        return DATA_ROOT / self.name

    @property
    def sqlite_path(self) -> Path:
        return self.directory / "frontline.sqlite3"

    @property
    def pg_name(self) -> str:
        return f"frontline_bench_t{self.tickets}_m{self.messages}"

    @property
    def url(self) -> str:
        return f"{self.pg_server.rstrip('/')}/{self.pg_name}"

    @property
    def manifest_path(self) -> Path:
        return self.directory / "manifest.json"

    def environment(self) -> dict[str, str]:
        """The process environment for `frontline` commands against this database."""
        env = dict(os.environ)
        for name in ("DATABASE_URL", "FRONTLINE_SQLITE_PATH", "FRONTLINE_DEBUG", "DJANGO_SETTINGS_MODULE"):
            env.pop(name, None)
        env["FRONTLINE_DATA_DIR"] = str(self.directory)
        env["FRONTLINE_LOG_LEVEL"] = "WARNING"
        if self.vendor == "sqlite":
            env["FRONTLINE_SQLITE_PATH"] = str(self.sqlite_path)
        else:
            env["DATABASE_URL"] = self.url
        return env

    def migrate(self) -> None:
        """Apply migrations added since the database was built (the code moves on; the data stays)."""
        subprocess.run(
            [str(FRONTLINE), "migrate", "--no-input", "-v", "0"],
            cwd=REPOSITORY,
            env=self.environment(),
            check=True,
        )

    def read_manifest(self) -> dict[str, Any] | None:
        if not self.manifest_path.exists():
            return None
        manifest: dict[str, Any] = json.loads(self.manifest_path.read_text())
        return manifest

    def write_manifest(self, manifest: dict[str, Any]) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        self.manifest_path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
