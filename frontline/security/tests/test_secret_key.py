"""No production start on a known key: a random key in the data directory, and a deploy check."""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from frontline.core import secret_key
from frontline.core.secret_key import FORMER_DEVELOPMENT_KEY
from frontline.security import checks

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize(
    ("key", "problem"),
    [
        ("", "it is missing"),
        (FORMER_DEVELOPMENT_KEY, "it is a publicly known key"),
        ("django-insecure-" + "k3y" * 20, "it is a publicly known key"),
        ("Zx9!" * 10, "it is shorter than 50 characters"),
        ("a" * 60, "it has too little entropy (too few different characters, or repeated ones)"),
        ("ab" * 40, "it has too little entropy (too few different characters, or repeated ones)"),
    ],
)
def test_weak_keys_are_named_with_the_reason(key, problem):
    assert secret_key.weakness(key) == problem


@given(st.data())
def test_every_generated_key_is_good_and_new(data):
    first, second = secret_key.generate(), secret_key.generate()
    assert secret_key.weakness(first) is None
    assert first != second


@given(st.text(alphabet="abcdefghi", min_size=50, max_size=400))
def test_keys_of_few_different_characters_are_too_weak_however_long(key):
    assert secret_key.weakness(key) is not None


def test_the_first_start_writes_a_key_only_its_owner_reads_and_later_starts_reuse_it(tmp_path):
    path = tmp_path / "data" / "secret_key"

    key = secret_key.load_or_create(path)

    assert secret_key.weakness(key) is None
    assert path.stat().st_mode & 0o777 == 0o600
    assert secret_key.load_or_create(path) == key
    assert path.read_text().strip() == key


def test_processes_starting_together_share_one_key(tmp_path):
    path = tmp_path / "secret_key"
    with ProcessPoolExecutor(max_workers=4) as pool:
        keys = set(pool.map(secret_key.load_or_create, [path] * 8))
    assert keys == {path.read_text().strip()}
    assert [p.name for p in tmp_path.iterdir()] == ["secret_key"]  # no temporary files left


def test_a_data_directory_that_cannot_hold_the_key_is_a_clear_error(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    with pytest.raises(secret_key.SecretKeyFileError, match="set FRONTLINE_SECRET_KEY"):
        secret_key.load_or_create(blocker / "secret_key")


def test_a_damaged_key_file_is_refused_not_used(tmp_path):
    path = tmp_path / "secret_key"
    path.write_text("short\n")
    with pytest.raises(secret_key.SecretKeyFileError, match="shorter than 50"):
        secret_key.load_or_create(path)


def _settings_key(data_dir: Path, **env: str) -> str:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("FRONTLINE_SECRET_KEY")}
    environment.update(FRONTLINE_DATA_DIR=str(data_dir), FRONTLINE_DEBUG="0", **env)
    code = "from frontline import settings; print(settings.SECRET_KEY)"
    result = subprocess.run(
        [sys.executable, "-c", code], env=environment, cwd=ROOT, capture_output=True, text=True, check=True
    )
    return result.stdout.strip()


def test_settings_without_a_key_use_the_data_directorys_own_never_the_public_one(tmp_path):
    first = _settings_key(tmp_path)

    assert first != FORMER_DEVELOPMENT_KEY
    assert first == (tmp_path / "secret_key").read_text().strip()
    assert _settings_key(tmp_path) == first  # the worker, or the next start, signs with the same key
    assert _settings_key(tmp_path, FRONTLINE_SECRET_KEY="from-the-environment-" + "q7" * 20).startswith(
        "from-the-environment-"
    )


def _ids(messages):
    return [message.id for message in messages]


def test_the_deploy_check_refuses_a_weak_or_known_key(settings):
    settings.FRONTLINE_SECRET_KEY_FILE = ""
    for key in (FORMER_DEVELOPMENT_KEY, "short", "x" * 64):
        settings.SECRET_KEY = key
        assert _ids(checks.secret_key_check()) == ["frontline.E001"], key


def test_the_deploy_check_accepts_a_random_key_from_the_environment(settings):
    settings.SECRET_KEY = secret_key.generate()
    settings.FRONTLINE_SECRET_KEY_FILE = ""
    settings.SECRET_KEY_FALLBACKS = []
    assert checks.secret_key_check() == []


def test_the_deploy_check_refuses_a_weak_fallback_and_an_exposed_key_file(settings, tmp_path):
    path = tmp_path / "secret_key"
    settings.SECRET_KEY = secret_key.load_or_create(path)
    settings.FRONTLINE_SECRET_KEY_FILE = str(path)
    settings.SECRET_KEY_FALLBACKS = [FORMER_DEVELOPMENT_KEY]
    assert _ids(checks.secret_key_check()) == ["frontline.E002", "frontline.I001"]

    settings.SECRET_KEY_FALLBACKS = []
    path.chmod(0o644)
    assert _ids(checks.secret_key_check()) == ["frontline.E003", "frontline.I001"]


def test_the_deploy_check_refuses_debug(settings):
    settings.DEBUG = True
    assert _ids(checks.debug_check()) == ["frontline.E004"]
    settings.DEBUG = False
    assert checks.debug_check() == []


def test_frontline_check_deploy_fails_on_the_former_public_key(tmp_path):
    environment = {
        **os.environ,
        "FRONTLINE_SECRET_KEY": FORMER_DEVELOPMENT_KEY,
        "FRONTLINE_DATA_DIR": str(tmp_path),
        "FRONTLINE_DEBUG": "0",
    }
    result = subprocess.run(
        [sys.executable, "-m", "frontline.cli", "check", "--deploy"],
        env=environment,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert "(frontline.E001) The secret key cannot be used in production: it is a publicly known key." in (
        result.stderr
    )
