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
from collections.abc import Sequence


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


def _demo(args: argparse.Namespace) -> int:
    os.environ["FRONTLINE_HOST"], os.environ["FRONTLINE_PORT"] = args.host, str(args.port)
    _django(["migrate", "--no-input", "-v", "0"])
    _django(["demo_load"])
    if args.no_serve:
        return 0
    command = [sys.executable, "-m", "frontline.cli"]
    processes = [
        subprocess.Popen([*command, "serve", "--host", args.host, "--port", str(args.port)]),
        subprocess.Popen([*command, "worker"]),
    ]
    print(
        f"\nFrontline is running: http://{args.host}:{args.port}/admin/  "
        f"API docs: http://{args.host}:{args.port}/api/v1/docs  (Ctrl-C stops)",
        flush=True,
    )

    def stop(*_: object) -> None:
        for process in processes:
            if process.poll() is None:
                process.terminate()

    signal.signal(signal.SIGTERM, stop)
    try:
        while all(process.poll() is None for process in processes):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    stop()
    for process in processes:
        process.wait(timeout=20)
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
