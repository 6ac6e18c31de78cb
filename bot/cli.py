"""`partnership-bot`: run the bot, ask it things, tick the clock, import data."""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import logging
import os
import signal
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING

from bot.clock import FixedClock, parse_instant
from bot.errors import UserError
from bot.settings import Settings, SettingsError, load_settings

if TYPE_CHECKING:
    from bot.csvfile import CsvFile
    from storage.db import Database

USER_ERROR = 2


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="partnership-bot", description=__doc__)
    sub = p.add_subparsers(dest="cmd", required=True)
    run = sub.add_parser("run", help="one process: web chat and platform doors, plus the clock")
    run.add_argument("--no-demo", action="store_true", help="do not load demo data when empty")
    sub.add_parser("web", help="serve /slack/events, /api/messages, / and /healthz")
    sub.add_parser("clock", help="run the scheduler and dispatcher")
    demo = sub.add_parser("demo", help="load demo data (idempotent)")
    demo.add_argument("--now", help="ISO 8601 instant the demo's dates are relative to")
    db = sub.add_parser("db", help="database tasks")
    db.add_argument("action", choices=["upgrade"])
    ask = sub.add_parser("ask", help="run one command (or a file of them) and print the reply")
    ask.add_argument("--as", dest="as_email", required=True, metavar="EMAIL")
    ask.add_argument("--now", help="ISO 8601 instant to run as if at")
    ask.add_argument(
        "--batch", type=Path, metavar="FILE", help="run each non-empty line of FILE, in order"
    )
    ask.add_argument("text", nargs="*")
    tick = sub.add_parser("tick", help="one scheduler pass: plan, dispatch, print what was sent")
    tick.add_argument("--now", help="ISO 8601 instant to run as if at")
    out = sub.add_parser("outbox", help="list outbox rows; retry or cancel them")
    out.add_argument("action", nargs="?", choices=["list", "retry", "cancel"], default="list")
    out.add_argument("ids", nargs="*", type=int, help="row ids for retry or cancel")
    out.add_argument("--all-failed", action="store_true", help="retry: every failed row")
    out.add_argument("--json", action="store_true")
    state = out.add_mutually_exclusive_group()
    state.add_argument("--failed", action="store_true")
    state.add_argument("--pending", action="store_true")
    imp = sub.add_parser("import", help="import a CSV")
    imp.add_argument("what", choices=["attendance", "people", "organisations", "terms"])
    imp.add_argument("path", type=Path)
    imp.add_argument("--source", help="attendance: the publication's name")
    sub.add_parser("config", help="print settings, secrets masked")
    pkg = sub.add_parser("teams-package", help="write the Microsoft Teams app zip")
    pkg.add_argument("--out", type=Path, default=Path("partnership-teams.zip"))
    pkg.add_argument("--bot-id", help="the Azure Bot's app id (default: the CLIENTID setting)")
    pkg.add_argument("--version", default="1.0.0", help="the app version Teams shows")
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(exc, file=sys.stderr)
        return USER_ERROR
    logging.basicConfig(
        level=getattr(logging, settings.log_level.upper(), logging.INFO),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    if args.cmd not in ("run", "web", "clock"):
        logging.getLogger().setLevel(logging.WARNING)
    handler: Callable[[argparse.Namespace, Settings], Awaitable[int]] = COMMANDS[args.cmd]
    if args.cmd in ("run", "web", "clock"):
        # until the loop's own handler is in place, SIGTERM stops start-up like Ctrl-C: exit 0
        signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        return asyncio.run(handler(args, settings))
    except UserError as exc:
        print(exc, file=sys.stderr)
        return USER_ERROR
    except KeyboardInterrupt:
        return 0
    except BrokenPipeError:  # the reader went away (`outbox | head`): nothing more to say
        _quiet_stdout()
        return 0


def _quiet_stdout() -> None:
    """Point stdout at /dev/null, so flushing it at exit does not complain a second time."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def run() -> None:
    """The console script and `python -m bot`: `main`, then exit with its status."""
    status = main()
    try:
        sys.stdout.flush()  # a closed pipe shows here when the output was short
    except BrokenPipeError:
        _quiet_stdout()
    # Exit next: the collector's passes at shutdown would walk every object start-up made
    # (about 0.15 s of CPU, a sixth of a short `ask`) and free nothing the exit does not.
    gc.freeze()
    sys.exit(status)


def _context(settings: Settings, now: str | None = None):  # type: ignore[no-untyped-def]
    from bot.app import build_context

    clock = FixedClock(parse_instant(now, settings.partnership_timezone)) if now else None
    return build_context(settings, clock=clock)


def _check_bind(settings: Settings) -> None:
    from bot.adapters.webchat import LOOPBACK

    if settings.host not in LOOPBACK and not settings.web_chat_token:
        raise SettingsError(
            f"Bad setting HOST: the web chat is bound to {settings.host}, so WEB_CHAT_TOKEN "
            "must be set (or use HOST=127.0.0.1)."
        )


async def _serve(settings: Settings, *, with_clock: bool, demo: bool) -> int:
    from aiohttp import web

    from bot.app import build_web_app, settle_heap
    from bot.appkeys import BACKGROUND_STARTERS, DOORS
    from scheduled.clock import GRACE_SECONDS, start_clock, stop_clock, stop_signal

    try:
        _check_bind(settings)
    except SettingsError as exc:
        print(exc, file=sys.stderr)
        return USER_ERROR
    stop = stop_signal()
    ctx = _context(settings)
    await ctx.db.upgrade()
    if demo:
        from bot.demo import load_demo_if_wanted

        for line in await load_demo_if_wanted(ctx.router, now=ctx.clock.now()):
            logging.getLogger("demo").info(line)
    app = build_web_app(ctx)
    # on SIGTERM requests in flight get this long to finish (hosts kill 30 s after SIGTERM)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=GRACE_SECONDS)
    await runner.setup()
    site = web.TCPSite(runner, settings.host, settings.port)
    await site.start()
    log = logging.getLogger("bot")
    log.info(
        "listening on http://%s:%s (doors: %s)",
        settings.host,
        settings.port,
        ", ".join(app[DOORS]),
    )
    scheduler = start_clock(ctx) if with_clock else None
    for start in app[BACKGROUND_STARTERS]:
        await start()
    settle_heap()
    try:
        await stop.wait()
    finally:
        log.info("stopping: finishing the work in hand")
        if scheduler:
            await stop_clock(ctx, scheduler)
        await runner.cleanup()  # stop listening, let requests in flight finish, close doors
        await _finish_background(GRACE_SECONDS)
        await ctx.db.dispose()
        log.info("stopped")
    return 0


async def _finish_background(grace: float) -> None:
    """Let work a door started after answering (Slack's after-ack listeners) finish."""
    current = asyncio.current_task()
    pending = [t for t in asyncio.all_tasks() if t is not current and not t.done()]
    if pending:
        _, late = await asyncio.wait(pending, timeout=grace)
        for task in late:
            task.cancel()


async def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    no_platform = not (settings.slack_enabled or settings.teams_credentials)
    return await _serve(settings, with_clock=True, demo=no_platform and not args.no_demo)


async def cmd_web(args: argparse.Namespace, settings: Settings) -> int:
    return await _serve(settings, with_clock=False, demo=False)


async def cmd_clock(args: argparse.Namespace, settings: Settings) -> int:
    from scheduled.clock import run_forever, stop_signal

    stop = stop_signal()
    ctx = _context(settings)
    await ctx.db.upgrade()
    logging.getLogger("bot").info("clock running every %s s", settings.clock_interval_seconds)
    await run_forever(ctx, stop=stop)
    return 0


async def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    from bot.demo import load_demo

    ctx = _context(settings, args.now)
    await ctx.db.upgrade()
    try:
        for line in await load_demo(ctx.router, now=ctx.clock.now()):
            print(line)
    finally:
        await ctx.db.dispose()
    return 0


async def cmd_db(args: argparse.Namespace, settings: Settings) -> int:
    from storage.db import Database, head_revision

    db = Database(settings.database_url)
    await db.upgrade()
    print(f"database at {await db.current_revision()} (head {head_revision()})")
    await db.dispose()
    return 0


def _messages(args: argparse.Namespace) -> list[str]:
    """The messages to run: the words given, or each non-empty line of --batch FILE."""
    if args.batch is None:
        if not args.text:
            raise UserError('Say what to ask, or give --batch FILE: ask --as EMAIL "meetings"')
        return [" ".join(args.text)]
    if args.text:
        raise UserError("Give either the text or --batch FILE, not both.")
    try:
        lines = args.batch.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"Can't read {args.batch}: {exc}") from exc
    return [line.strip() for line in lines if line.strip()]


async def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    from bot.render.text import render_text
    from storage.directory import person_by_email

    messages = _messages(args)
    ctx = _context(settings, args.now)
    try:
        await ctx.db.upgrade()
        async with ctx.db.session() as session:
            person = await person_by_email(session, args.as_email)
        if person is None:
            print(
                f"No one with the email {args.as_email} is in the directory. "
                "Load the demo (partnership-bot demo) or import people.",
                file=sys.stderr,
            )
            return USER_ERROR
        failed = False
        for text in messages:
            reply = await ctx.router.handle(
                text, actor_id=person.id, door="cli", now=ctx.clock.now()
            )
            if args.batch is not None:
                print(">>> " + text)
            print(render_text(reply), flush=True)
            # a form asks for the rest: nothing was done, and the CLI cannot fill it in
            asked = reply.form is not None and reply.read_as is None
            failed = failed or reply.error or asked
        return USER_ERROR if failed else 0
    finally:
        await ctx.db.dispose()


async def cmd_tick(args: argparse.Namespace, settings: Settings) -> int:
    from scheduled.tick import tick

    ctx = _context(settings, args.now)
    try:
        await ctx.db.upgrade()
        result = await tick(ctx.db, settings, now=ctx.clock.now(), dispatcher=ctx.dispatcher)
        sent = [r for r in result.handled if r.state == "sent"]
        for row in result.handled:
            first = (row.text or "").splitlines()[0] if row.text else ""
            print(f"{row.state:7} {row.key} -> {row.target} via {row.platform or '-'}: {first}")
            if row.error:
                print(f"        error: {row.error}")
        print(
            f"tick at {ctx.clock.now().isoformat()}: {len(sent)} sent, "
            f"{len(result.handled) - len(sent)} not sent"
        )
        return 0
    finally:
        await ctx.db.dispose()


async def cmd_outbox(args: argparse.Namespace, settings: Settings) -> int:
    from storage.db import Database
    from storage.outbox import listing

    db = Database(settings.database_url)
    try:
        await db.upgrade()
        if args.action in ("retry", "cancel"):
            from bot.clock import SystemClock
            from scheduled import dispatcher

            if not args.ids and not (args.action == "retry" and args.all_failed):
                raise UserError(
                    f"Which rows? Give their ids (outbox {args.action} 12 13)"
                    + (" or --all-failed." if args.action == "retry" else ".")
                )
            if args.action == "retry":
                n = await dispatcher.retry(
                    db, ids=args.ids, all_failed=args.all_failed, now=SystemClock().now()
                )
                print(f"{n} rows queued again")
            else:
                n = await dispatcher.cancel(db, ids=args.ids)
                print(f"{n} rows cancelled")
            return 0
        state = "failed" if args.failed else "pending" if args.pending else None
        async with db.session() as session:
            rows = [r.as_row() for r in await listing(session, state=state)]
        if args.json:
            print(json.dumps(rows, indent=2))
        else:
            for r in rows:
                first = (r["text"] or "").splitlines()[0] if r["text"] else ""
                print(
                    f"{r['id']:>5} {r['state']:9} {r['due_at'][:16]} {r['key']} -> "
                    f"{r['target']}: {first[:70]}" + (f"  [{r['error']}]" if r["error"] else "")
                )
            print(f"{len(rows)} rows")
        return 0
    finally:
        await db.dispose()


async def cmd_import(args: argparse.Namespace, settings: Settings) -> int:
    from bot import csvfile
    from storage.db import Database

    # read first, with the one reader every import uses: a missing or non-UTF-8 file is named
    # (and how to save CSV UTF-8 from Excel said) before any database is opened or created
    file = csvfile.read_file(
        args.path, example=f"partnership-bot import {args.what} ./{args.what}.csv"
    )
    db = Database(settings.database_url)
    try:
        await db.upgrade()
        return await _import_kind(args, db, file, settings)
    finally:
        await db.dispose()


async def _import_kind(
    args: argparse.Namespace, db: Database, file: CsvFile, settings: Settings | None = None
) -> int:
    """Run the importer for `args.what` on the file already read; print its report.
    `settings` names the triage and bulletin groups (default: their default names)."""
    if args.what == "attendance":
        from storage.attendance import import_file

        async with db.session() as session:
            report = await import_file(session, file, source=args.source)
    elif args.what == "terms":
        from handlers.terms import import_terms_file

        async with db.session() as session:
            report = await import_terms_file(session, file)
    else:
        from bot import importers

        async with db.session() as session:
            if args.what == "people":
                report = await importers.import_people(
                    session,
                    file,
                    channel_groups=(settings.triage_channel, settings.bulletin_channel)
                    if settings
                    else ("triage", "bulletin"),
                )
            else:
                report = await importers.import_organisations(session, file)
    print(f"{args.what}: {report}")
    return 0


async def cmd_config(args: argparse.Namespace, settings: Settings) -> int:
    for key, value in settings.masked().items():
        print(f"{key.upper()}={'' if value is None else value}")
    return 0


async def cmd_teams_package(args: argparse.Namespace, settings: Settings) -> int:
    from bot.router import build_registry
    from bot.teams_package import write_package

    manifest = write_package(
        settings, build_registry(), args.out, bot_id=args.bot_id, version=args.version
    )
    bot = manifest["bots"][0]
    print(
        f"wrote {args.out}: Teams app {manifest['id']} for bot {bot['botId']}, "
        f"{len(bot['commandLists'][0]['commands'])} suggested commands"
    )
    return 0


COMMANDS: dict[str, Callable[[argparse.Namespace, Settings], Awaitable[int]]] = {
    "run": cmd_run,
    "web": cmd_web,
    "clock": cmd_clock,
    "demo": cmd_demo,
    "db": cmd_db,
    "ask": cmd_ask,
    "tick": cmd_tick,
    "outbox": cmd_outbox,
    "import": cmd_import,
    "config": cmd_config,
    "teams-package": cmd_teams_package,
}
