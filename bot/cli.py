"""`mle-coach`: run the app (HTTP, Socket Mode, sandbox), migrate the database."""

from __future__ import annotations

import argparse
import asyncio
import errno
import os
import sys
from datetime import UTC, datetime
from urllib.parse import unquote, urlsplit

from bot.config import ConfigError, LogFormat, Settings, load_settings
from bot.redact import configure_logging
from storage.errors import Unavailable
from storage.open import is_sqlite, sqlite_path

SANDBOX_DB = "mle-coach-sandbox.db"
# The sandbox's starting time when `--now` is not given (tests set it: no test depends on
# today's date).
SANDBOX_NOW = "MLE_SANDBOX_NOW"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mle-coach", description="MLE Coach for Slack")
    sub = parser.add_subparsers(dest="verb", required=True, metavar="COMMAND")
    sub.add_parser(
        "run",
        help="Socket Mode with SLACK_APP_TOKEN, else HTTP with "
        "SLACK_SIGNING_SECRET, else the local sandbox",
    )
    serve = sub.add_parser("serve", help="HTTP mode: POST /slack/events, GET /healthz")
    serve.add_argument("--host", default=None, help="address to listen on (default: HOST)")
    serve.add_argument("--port", type=int, default=None, help="port (default: PORT)")
    sub.add_parser("socket", help="Socket Mode (needs SLACK_APP_TOKEN)")
    sandbox = sub.add_parser(
        "sandbox", help="the app against a local Slack emulator, chatted with in this terminal"
    )
    sandbox.add_argument("--db", default=SANDBOX_DB, help=f"database file (default {SANDBOX_DB})")
    sandbox.add_argument(
        "--now",
        type=_moment,
        default=None,
        help=f"start the sandbox's clock at this ISO-8601 time (default: {SANDBOX_NOW} if set, "
        "else the real time); a sandbox whose saved clock is later keeps it",
    )
    sub.add_parser("migrate", help="create or upgrade the database schema")
    backup = sub.add_parser("backup", help="a consistent copy of the (running) database")
    backup.add_argument("path", help="the new file to write")
    copy = sub.add_parser(
        "copy-db", help="copy a SQLite installation into an empty PostgreSQL database"
    )
    copy.add_argument("--from", dest="source", required=True, help="sqlite:///<path>")
    copy.add_argument("--to", dest="target", required=True, help="postgresql://…")
    tick = sub.add_parser("tick", help="one scheduler pass: post what is due, print it, exit")
    tick.add_argument(
        "--at",
        type=_moment,
        default=None,
        help="act as if it were this ISO-8601 time (no offset means UTC)",
    )
    tick.add_argument(
        "--dry-run", action="store_true", help="print what would be posted; change and post nothing"
    )
    sync = sub.add_parser(
        "mlflow-sync", help="one sync with the MLflow Model Registry: print what it saw and did"
    )
    sync.add_argument(
        "--dry-run", action="store_true", help="print what it would do; change and post nothing"
    )
    return parser


async def _mlflow_sync(settings: Settings, dry_run: bool) -> int:
    from bot.runtime import close_services, open_services

    settings.require("MLFLOW_TRACKING_URI", mode="the registry sync")
    if not dry_run:
        settings.require("SLACK_BOT_TOKEN", mode="posting (or use --dry-run)")
    moment = datetime.now(UTC)
    services = await open_services(settings, clock=lambda: moment)
    try:
        report = await services.registry.run(moment, dry_run=dry_run)
        if not dry_run:
            await services.activity.idle(60)  # the posts the sync started, and tag writes
            await services.ticker.tick(moment)  # post what the sync said in the threads
            await services.activity.idle(60)
    finally:
        await close_services(services)
    print(f"mlflow sync at {report.ran_at}{' (dry run)' if dry_run else ''}")
    if report.error:
        print(f"  error: {report.error}")
    for _, model, project, version in report.matched:
        print(f"  matched: {model} {version} -> {project}")
    for _, model, why in report.unmatched:
        print(f"  unmatched: {model}: {why}")
    for change in report.changes:
        print(f"  {'would: ' if dry_run else ''}{change}")
    for _, problem in report.problems:
        print(f"  problem: {problem}")
    return 1 if report.error else 0


def _moment(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an ISO-8601 time, e.g. 2026-11-30T10:00:00+01:00"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


async def _tick(settings: Settings, at: datetime | None, dry_run: bool) -> None:
    from bot.runtime import close_services, open_services

    if not dry_run:
        settings.require("SLACK_BOT_TOKEN", mode="posting (or use --dry-run)")
    moment = at or datetime.now(UTC)
    services = await open_services(settings, clock=lambda: moment)
    try:
        lines = await services.scheduler_pass(moment, dry_run=dry_run)
        await services.registry.settle()  # the pass's sync, within its deadline
    finally:
        await close_services(services)
    print(f"tick at {moment.isoformat()}{' (dry run)' if dry_run else ''}: {len(lines)} item(s)")
    for line in lines:
        print(f"  {line}")


def _secrets(settings: Settings) -> list[str]:
    values = (
        settings.SLACK_BOT_TOKEN,
        settings.SLACK_SIGNING_SECRET,
        settings.SLACK_APP_TOKEN,
        settings.MLFLOW_TRACKING_TOKEN,
        settings.MLFLOW_TRACKING_PASSWORD,
    )
    found = [v.get_secret_value() for v in values if v is not None]
    password = urlsplit(settings.DATABASE_URL).password if settings.postgres else None
    if password:
        found += [password, unquote(password)]  # as in the URL, and decoded
    return [value for value in found if len(value) >= 4]


async def _serve(settings: Settings, host: str, port: int) -> None:
    from bot.runtime import Runtime, stop_signals

    settings.require("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", mode="HTTP mode")
    stop = stop_signals()
    runtime = await Runtime.create(settings)
    try:
        bound = await runtime.start_http(host, port)
        runtime.start_scheduler()
        print(f"MLE Coach listening on http://{host}:{bound}/slack/events", flush=True)
        await stop.wait()
    finally:
        await runtime.close()


async def _socket(settings: Settings) -> None:
    from bot.runtime import Runtime, stop_signals

    settings.require("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", mode="Socket Mode")
    stop = stop_signals()
    runtime = await Runtime.create(settings, socket_mode=True)
    metrics_site = None
    ready = "MLE Coach connected in Socket Mode"
    try:
        # metrics first: while Slack cannot be reached is when an operator looks at them
        if settings.METRICS_PORT is not None:
            from bot.http_site import start_site
            from bot.metrics_http import make_metrics_app

            metrics_site, bound = await start_site(
                make_metrics_app(runtime.services), settings.HOST, settings.METRICS_PORT
            )
            ready += f"; metrics on http://{settings.HOST}:{bound}/metrics"
        # connecting retries while Slack cannot be reached: SIGTERM or SIGINT still stops it
        connecting = asyncio.create_task(runtime.start_socket())
        stopping = asyncio.create_task(stop.wait())
        await asyncio.wait({connecting, stopping}, return_when=asyncio.FIRST_COMPLETED)
        if not connecting.done():
            connecting.cancel()
            await asyncio.gather(connecting, return_exceptions=True)
            return
        stopping.cancel()
        connecting.result()
        runtime.start_scheduler()
        print(ready, flush=True)
        await stop.wait()
    finally:
        if metrics_site is not None:
            await metrics_site.cleanup()
        await runtime.close()


async def _migrate(settings: Settings) -> None:
    from storage.open import describe, open_store

    store = await open_store(
        settings.DATABASE_URL, pool_size=settings.DATABASE_POOL_SIZE, migrate_schema=False
    )
    try:
        applied = await store.migrate()
        version = await store.schema_version()
    finally:
        await store.close()
    done = ", ".join(applied) if applied else "nothing to do"
    print(f"database {describe(settings.DATABASE_URL)} at schema version {version} ({done})")


def _copy_db(source: str, target: str) -> int:
    from storage.copy import CopyRefused, copy_database
    from storage.open import describe

    try:
        copied = copy_database(source, target)
    except CopyRefused as exc:
        print(f"mle-coach: copy-db refused: {exc}", file=sys.stderr)
        return 1
    for table, count in copied.tables.items():
        print(f"  {table:<18} {count:>9,} rows")
    print(
        f"copied {copied.rows:,} rows from {describe(source)} to {describe(target)}, "
        "each verified; point DATABASE_URL at the new database"
    )
    return 0


def _sandbox_file() -> str:
    """`run` without Slack credentials: a SQLite DATABASE_URL set in the environment is the
    sandbox's file, else the sandbox's own."""
    url = os.environ.get("DATABASE_URL", "")
    return sqlite_path(url) if url and is_sqlite(url) else SANDBOX_DB


def _sandbox_start(given: datetime | None) -> datetime | None:
    """`--now`, else MLE_SANDBOX_NOW, else None (the real time). Raises ValueError naming
    the variable when it is not an ISO-8601 time."""
    if given is not None:
        return given
    text = os.environ.get(SANDBOX_NOW, "").strip()
    if not text:
        return None
    try:
        return _moment(text)
    except argparse.ArgumentTypeError as exc:
        raise ValueError(f"{SANDBOX_NOW}: {exc}") from None


async def _sandbox(db: str, start: datetime | None) -> None:
    from sandbox.session import run_sandbox

    await run_sandbox(db, start)


def _cannot_listen(exc: OSError, where: str) -> int:
    """A port that cannot be listened on: one line, not a traceback; other errors go on."""
    reasons = {
        errno.EADDRINUSE: "the address is already in use (another process listens there)",
        errno.EACCES: "permission denied (ports below 1024 need privileges)",
        errno.EADDRNOTAVAIL: "no such address on this machine",
    }
    if exc.errno not in reasons:
        raise exc
    print(f"mle-coach: cannot listen on {where}: {reasons[exc.errno]}", file=sys.stderr)
    return 2


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
        verb = args.verb
        if verb == "run":
            if settings.SLACK_APP_TOKEN is not None:
                verb = "socket"
            elif settings.SLACK_SIGNING_SECRET is not None:
                verb = "serve"
            elif settings.SLACK_BOT_TOKEN is not None:
                print(
                    "mle-coach: SLACK_BOT_TOKEN is set, but neither SLACK_APP_TOKEN (Socket Mode) "
                    "nor SLACK_SIGNING_SECRET (HTTP mode). Set one of them, or unset the token "
                    "to use the local sandbox.",
                    file=sys.stderr,
                )
                return 2
            else:
                verb = "sandbox"
        # the sandbox is a chat in the terminal: only problems are logged there
        configure_logging(
            "WARNING" if verb == "sandbox" else settings.LOG_LEVEL.value,
            _secrets(settings),
            json_lines=settings.LOG_FORMAT is LogFormat.JSON and verb != "sandbox",
        )
        if verb == "serve":
            host = args.host if getattr(args, "host", None) is not None else settings.HOST
            port = args.port if getattr(args, "port", None) is not None else settings.PORT
            try:
                asyncio.run(_serve(settings, host, port))
            except OSError as exc:
                return _cannot_listen(exc, f"{host}:{port}")
        elif verb == "socket":
            try:
                asyncio.run(_socket(settings))
            except OSError as exc:
                return _cannot_listen(
                    exc, f"{settings.HOST}:{settings.METRICS_PORT} (METRICS_PORT)"
                )
        elif verb == "sandbox":
            try:
                start = _sandbox_start(getattr(args, "now", None))
            except ValueError as exc:
                print(f"mle-coach: {exc}", file=sys.stderr)
                return 2
            asyncio.run(_sandbox(getattr(args, "db", None) or _sandbox_file(), start))
        elif verb == "migrate":
            asyncio.run(_migrate(settings))
        elif verb == "backup":
            from storage.sqlite.backup import BackupRefused, backup

            if settings.postgres:
                print(
                    "mle-coach: backup copies a SQLite file; for PostgreSQL use pg_dump "
                    "(e.g. pg_dump --format=custom --file=<file> <database>)",
                    file=sys.stderr,
                )
                return 1

            try:
                size = backup(settings.sqlite_path, args.path)
            except BackupRefused as exc:
                print(f"mle-coach: backup refused: {exc}", file=sys.stderr)
                return 2
            except (FileExistsError, FileNotFoundError, OSError) as exc:
                print(f"mle-coach: backup failed: {exc}", file=sys.stderr)
                return 1
            print(
                f"backed up {settings.sqlite_path} to {args.path} ({size:,} bytes); "
                f"restore by pointing DATABASE_URL at sqlite:///{args.path}"
            )
        elif verb == "copy-db":
            return _copy_db(args.source, args.target)
        elif verb == "tick":
            asyncio.run(_tick(settings, args.at, args.dry_run))
        elif verb == "mlflow-sync":
            return asyncio.run(_mlflow_sync(settings, args.dry_run))
    except ConfigError as exc:
        print(f"mle-coach: {exc}", file=sys.stderr)
        return 2
    except Unavailable as exc:
        print(f"mle-coach: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
