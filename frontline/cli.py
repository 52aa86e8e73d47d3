"""The `frontline` command: what an operator runs, without needing to know Django.

frontline serve        web process (uvicorn, ASGI)
frontline worker       background task worker (Huey)
frontline demo         migrate, load the demo company, run web + worker, print the logins
frontline migrate | createsuperuser | check | reindex | <any manage.py command>
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence


def _django(argv: Sequence[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "frontline.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["frontline", *argv])


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "frontline.settings")
    uvicorn.run(
        "frontline.asgi:application",
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level=os.environ.get("FRONTLINE_ACCESS_LOG_LEVEL", "warning"),
        access_log=os.environ.get("FRONTLINE_ACCESS_LOG", "") == "1",
        proxy_headers=True,
        lifespan="off",
        # Websocket frames here are small JSON (chat lines, live updates): compressing each one
        # costs more CPU than the bytes it saves.
        ws_per_message_deflate=False,
    )
    return 0


class Supervisor:
    """`frontline demo`'s two processes: the web server is what people use, so it keeps serving when
    the worker dies; the worker is started again after a pause that doubles (up to a minute) while it
    keeps dying. When the web server stops, everything stops."""

    MAX_PAUSE = 60.0
    #: A worker that ran this long is healthy again: the next pause starts short.
    HEALTHY_AFTER = 60.0

    def __init__(
        self,
        web: Sequence[str],
        worker: Sequence[str],
        *,
        clock: Callable[[], float] = time.monotonic,
        say: Callable[[str], None] = lambda text: print(text, file=sys.stderr, flush=True),
    ) -> None:
        self.web_command, self.worker_command = list(web), list(worker)
        self.clock, self.say = clock, say
        self.pause = 1.0
        self.restart_at: float | None = None
        self.worker_started_at = 0.0
        self.worker_starts = 0
        self.web: subprocess.Popen[bytes] | None = None
        self.worker: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.web = subprocess.Popen(self.web_command)
        self._start_worker()

    def _start_worker(self) -> None:
        self.worker = subprocess.Popen(self.worker_command)
        self.worker_started_at = self.clock()
        self.worker_starts += 1
        self.restart_at = None

    def step(self) -> bool:
        """Look once; False when the web server has stopped (then stop everything)."""
        if self.web is None or self.worker is None:
            raise RuntimeError("start() the processes first")
        if self.web.poll() is not None:
            return False
        now = self.clock()
        code = self.worker.poll()
        if code is None:
            if now - self.worker_started_at >= self.HEALTHY_AFTER:
                self.pause = 1.0
            return True
        if self.restart_at is None:
            self.say(
                f"The worker stopped (exit status {code}); the web server keeps serving. "
                f"Starting the worker again in {self.pause:.0f} s (background tasks wait until then)."
            )
            self.restart_at = now + self.pause
            self.pause = min(self.pause * 2, self.MAX_PAUSE)
        elif now >= self.restart_at:
            self._start_worker()
        return True

    def stop(self) -> None:
        for process in (self.web, self.worker):
            if process is not None and process.poll() is None:
                process.terminate()
        for process in (self.web, self.worker):
            if process is not None:
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


def _demo(args: argparse.Namespace) -> int:
    os.environ["FRONTLINE_HOST"], os.environ["FRONTLINE_PORT"] = args.host, str(args.port)
    _django(["migrate", "--no-input", "-v", "0"])
    _django(["demo_load"])
    if args.no_serve:
        return 0
    command = [sys.executable, "-m", "frontline.cli"]
    supervisor = Supervisor(
        web=[*command, "serve", "--host", args.host, "--port", str(args.port)], worker=[*command, "worker"]
    )
    supervisor.start()
    print(
        f"\nFrontline is running: http://{args.host}:{args.port}/admin/  "
        f"API docs: http://{args.host}:{args.port}/api/v1/docs  (Ctrl-C stops)",
        flush=True,
    )

    def interrupt(*_: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)
    try:
        while supervisor.step():
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    supervisor.stop()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(
        prog="frontline", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command")
    serve = sub.add_parser("serve", help="run the web process")
    serve.add_argument("--host", default=os.environ.get("FRONTLINE_HOST", "127.0.0.1"))
    serve.add_argument("--port", type=int, default=int(os.environ.get("FRONTLINE_PORT", "8000")))
    serve.add_argument(
        "--workers",
        type=int,
        default=int(os.environ.get("FRONTLINE_WEB_WORKERS", "1")),
        help="web processes (default FRONTLINE_WEB_WORKERS or 1)",
    )
    sub.add_parser("worker", help="run the background task worker")
    demo = sub.add_parser("demo", help="load the demo company and run it")
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=int, default=int(os.environ.get("FRONTLINE_PORT", "8000")))
    demo.add_argument("--no-serve", action="store_true", help="only migrate and load the data")
    if not argv or argv[0] in ("-h", "--help"):
        parser.print_help()
        return 0 if argv else 2
    if argv[0] not in ("serve", "worker", "demo"):
        _django(argv)  # migrate, createsuperuser, check, reindex, shell, …
        return 0
    args = parser.parse_args(argv)
    if args.command == "serve":
        return _serve(args)
    if args.command == "worker":
        _django(["run_huey"])
        return 0
    return _demo(args)


if __name__ == "__main__":
    sys.exit(main())
