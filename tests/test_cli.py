"""`frontline demo` keeps the web server up when the worker dies, and starts the worker again."""

from __future__ import annotations

import sys
import time

from frontline.cli import Supervisor

SERVE = [sys.executable, "-c", "import time; time.sleep(60)"]
CRASH = [sys.executable, "-c", "import sys; sys.exit(3)"]


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _until_exited(process) -> None:
    deadline = time.monotonic() + 20
    while process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)


def test_a_dying_worker_is_started_again_while_the_web_server_keeps_serving():
    clock, said = Clock(), []
    supervisor = Supervisor(SERVE, CRASH, clock=clock, say=said.append)
    supervisor.start()
    try:
        _until_exited(supervisor.worker)
        assert supervisor.step()  # the web server is up: keep going
        assert said == [
            "The worker stopped (exit status 3); the web server keeps serving. "
            "Starting the worker again in 1 s (background tasks wait until then)."
        ]
        assert supervisor.worker_starts == 1
        clock.now = 1.0
        assert supervisor.step()
        assert supervisor.worker_starts == 2

        _until_exited(supervisor.worker)  # it dies again: the pause doubles
        assert supervisor.step()
        assert said[-1].endswith("Starting the worker again in 2 s (background tasks wait until then).")
        assert supervisor.web.poll() is None  # served all along
    finally:
        supervisor.stop()
    assert supervisor.web.poll() is not None


def test_when_the_web_server_stops_everything_stops():
    supervisor = Supervisor(CRASH, SERVE, say=lambda text: None)
    supervisor.start()
    try:
        _until_exited(supervisor.web)
        assert not supervisor.step()
    finally:
        supervisor.stop()
    assert supervisor.worker.poll() is not None
