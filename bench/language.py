"""Benchmark (not a test): how well and how fast plain English is read (issue 23).

1. Accuracy: every message of `tests/language/train.tsv` and `heldout.tsv` through the router as
   its sender, on the demo partnership loaded as of Friday 1 December 2023 09:00, marked by the
   corpus judge (`tests/language/judge.py`): the share read as the command it means.
2. Speed: `bot.language.interpret` alone, once per corpus message (after one warm-up pass), each
   in its own session as the router does it, on the demo directory (20 people, 6 groups) and on
   a generated directory of 2,000 people and 300 groups (the demo plus generated schools, staff
   and groups, with clashing first names as a real city has). Goal: p95 under 5 ms.

Run: `.venv/bin/python bench/language.py [--repeat 3]` (SQLite files in a temporary folder);
`--accuracy` measures only the accuracy and lists every training miss (what to look at when
adding phrases; docs/language.md; the held-out file's misses are never shown); `--file F [--quiet]` measures another corpus file the same way
(a fresh set, once, before anyone studies it).
Ends with lines a script can read:

    language: train <n>/<N> (<p>%), held-out <n>/<N> (<p>%)
    language: interpret demo p50 <ms> ms p95 <ms> ms (cpu p50 <ms> ms p95 <ms> ms) (<n> people, ...)
    language: interpret large p50 <ms> ms p95 <ms> ms (cpu ...) (2000 people, 300 groups)
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot import language  # noqa: E402
from bot.app import BotContext, build_context  # noqa: E402
from bot.clock import FixedClock  # noqa: E402
from bot.demo import load_demo  # noqa: E402
from bot.language import intents  # noqa: E402
from bot.settings import Settings  # noqa: E402
from storage import directory as repo  # noqa: E402
from storage.directory import Person, person_by_email  # noqa: E402
from tests.language.evaluate import accuracy, evaluate, misses  # noqa: E402
from tests.language.judge import HELDOUT, TRAIN, Case, load  # noqa: E402

NOW = datetime(2023, 12, 1, 9, 0, tzinfo=ZoneInfo("Europe/London"))
FIRST = [
    "Jo",
    "Sam",
    "Priya",
    "Omar",
    "Helen",
    "Grace",
    "Tom",
    "Ben",
    "Lucy",
    "Mark",
    "Kate",
    "Rachel",
    "Dan",
    "Nadia",
    "Amy",
    "Chris",
    "Alex",
    "Evie",
    "Fiona",
    "Stella",
    "Aisha",
    "Callum",
    "Chloe",
    "David",
    "Emma",
    "Faisal",
    "Hannah",
    "Imran",
    "Jack",
    "Leah",
    "Mohammed",
    "Niamh",
    "Olivia",
    "Paul",
    "Rosie",
    "Sarah",
    "Tariq",
    "Usman",
    "Victoria",
    "Will",
    "Yasmin",
    "Zara",
]
LAST = [
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Williams",
    "Wilson",
    "Johnson",
    "Davies",
    "Robinson",
    "Wright",
    "Thompson",
    "Evans",
    "Walker",
    "White",
    "Roberts",
    "Green",
    "Hall",
    "Wood",
    "Jackson",
    "Clarke",
    "Patel",
    "Khan",
    "Hussain",
    "Ali",
    "Begum",
    "Shaw",
    "Fletcher",
    "Barker",
    "Marsh",
    "Hodgson",
    "Sykes",
    "Bramall",
    "Crookes",
    "Hillsborough",
    "Walkley",
]
AREAS = [
    "north",
    "south",
    "east",
    "west",
    "central",
    "city-centre",
    "hillsborough",
    "darnall",
    "manor",
    "gleadless",
]


async def context(path: Path) -> BotContext:
    settings = Settings(_env_file=None, database_url=f"sqlite:///{path}")  # type: ignore[call-arg]
    ctx = build_context(settings, clock=FixedClock(NOW), senders=[])
    await ctx.db.upgrade()
    await load_demo(ctx.router, now=NOW)
    return ctx


async def grow(ctx: BotContext, people: int, groups: int) -> tuple[int, int]:
    """Add generated schools, people and groups until the directory has this many."""
    rng = random.Random(2000)
    async with ctx.db.session() as session:
        have_people = len(await repo.all_people(session))
        have_groups = len(await repo.all_groups(session))
        orgs = []
        for i in range(120 if people > have_people else 0):
            orgs.append(
                await repo.upsert_organisation(
                    session,
                    name=f"{rng.choice(AREAS).title()} {rng.choice(LAST)} School {i}",
                    kind="school",
                    phase=rng.choice(["primary", "secondary", "special", "nursery"]),
                    subscriber=rng.random() < 0.6,
                    category=rng.choice(["green", "yellow", "amber", "red"]),
                    maintained=rng.random() < 0.5,
                )
            )
        made = []
        for i in range(people - have_people):
            first, last = rng.choice(FIRST), rng.choice(LAST)
            made.append(
                await repo.upsert_person(
                    session,
                    email=f"{first.lower()}.{last.lower()}{i}@school{i % 120}.sch.uk",
                    name=f"{first} {last}",
                    role=rng.choice(["head", "head", "member", "member", "staff"]),
                    organisation=orgs[i % len(orgs)],
                )
            )
        for i in range(groups - have_groups):
            area = rng.choice(AREAS)
            group = await repo.upsert_group(
                session,
                name=f"{area}-{i}",
                title=f"{area.title()} {rng.choice(['primary', 'secondary', 'SEND'])} cluster {i}",
                kind=rng.choice(["sub-group", "working group", "network"]),
                description="Generated for the benchmark.",
            )
            for person in rng.sample(made, 12):
                await repo.set_membership(session, group=group, person=person, role="member")
        total_people = len(await repo.all_people(session))
        total_groups = len(await repo.all_groups(session))
    return total_people, total_groups


async def timings(
    ctx: BotContext, cases: list[Case], repeat: int
) -> tuple[list[float], list[float]]:
    """Milliseconds per `interpret` call, wall clock and CPU (this process, all threads: the
    steadier figure on a shared machine), each message in its own session like the router."""
    actors: dict[str, int] = {}
    async with ctx.db.session() as session:
        for case in cases:
            if case.sender not in actors:
                person = await person_by_email(session, case.sender)
                assert person is not None
                actors[case.sender] = person.id
    out: list[float] = []
    cpu: list[float] = []
    for round_ in range(repeat + 1):
        for case in cases:
            async with ctx.db.session() as session:
                actor = await session.get(Person, actors[case.sender])
                assert actor is not None
                services = ctx.router.services(session)
                start, start_cpu = time.perf_counter(), time.process_time()
                await language.interpret(case.message, actor=actor, services=services)
                elapsed = (time.perf_counter() - start) * 1000
                used = (time.process_time() - start_cpu) * 1000
            if round_:  # the first pass warms imports and caches
                out.append(elapsed)
                cpu.append(used)
    return out, cpu


def stale_model_warning() -> str | None:
    """A warning when the shipped intent model was trained from another version of train.tsv
    (others append lines all the time: retrain with scripts/train_intents.py before landing)."""
    source = intents.model().source
    now = intents.describe(TRAIN, ROOT)
    if not source:
        return "language: warning: no intent model (bot/language/intents.json); run scripts/train_intents.py"
    if source[0].get("sha256") != now["sha256"]:
        return (
            f"language: warning: intent model trained on {source[0].get('lines')} lines, "
            f"train.tsv has {now['lines']}: retrain with scripts/train_intents.py"
        )
    return None


async def cross_validated(ctx: BotContext, cases: list[Case], folds: int) -> list:  # type: ignore[type-arg]
    """Every training message read with an intent model that was not trained on it (K folds,
    the same split as `scripts/train_intents.py --cv`): the honest figure for the model's part,
    since the shipped model has seen every line of train.tsv."""
    sys.path.insert(0, str(ROOT / "scripts"))
    from train_intents import label_of

    from bot.language.text import normalise

    labelled = [(normalise(c.message), label_of(c.expected[0], ctx.router.registry)) for c in cases]
    order = list(range(len(cases)))
    random.Random(23).shuffle(order)
    results = []
    try:
        for k in range(folds):
            test = set(order[k::folds])
            intents.use(
                intents.train(
                    (w, label) for i, (w, label) in enumerate(labelled) if i not in test and label
                )
            )
            results += await evaluate(ctx, [cases[i] for i in sorted(test)])
    finally:
        intents.use(None)
    return results


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="timed passes over the corpus")
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--groups", type=int, default=300)
    parser.add_argument(
        "--accuracy", action="store_true", help="accuracy only, listing every miss (no timing)"
    )
    parser.add_argument(
        "--file",
        type=Path,
        action="append",
        help="measure only this corpus file (repeatable), e.g. a fresh set before any tuning; "
        "prints its score and its misses unless --quiet",
    )
    parser.add_argument("--quiet", action="store_true", help="with --file: the score only")
    parser.add_argument(
        "--cv",
        type=int,
        metavar="K",
        help="train.tsv read with K intent models, each not trained on the lines it reads "
        "(lists the misses, then the score)",
    )
    args = parser.parse_args()
    warning = stale_model_warning()
    if warning:
        print(warning)
    if args.cv:
        with tempfile.TemporaryDirectory() as tmp:
            ctx = await context(Path(tmp) / "cv.db")
            scored = await cross_validated(ctx, load(TRAIN), args.cv)
            await ctx.db.dispose()
        if not args.quiet:
            print(misses(scored, limit=1000))
        right = sum(r.correct for r in scored)
        print(
            f"language: train {right}/{len(scored)} ({accuracy(scored):.1%}), "
            f"{args.cv}-fold cross-validated intent model"
        )
        return
    if args.file:
        with tempfile.TemporaryDirectory() as tmp:
            ctx = await context(Path(tmp) / "file.db")
            for path in args.file:
                scored = await evaluate(ctx, load(path))
                if not args.quiet and path.resolve() != HELDOUT.resolve():  # sealed: score only
                    print(misses(scored, limit=1000))
                right = sum(r.correct for r in scored)
                print(f"language: {path.name} {right}/{len(scored)} ({accuracy(scored):.1%})")
            await ctx.db.dispose()
        return
    train, heldout = load(TRAIN), load(HELDOUT)

    def share(results: list) -> str:  # type: ignore[type-arg]
        right = sum(r.correct for r in results)
        return f"{right}/{len(results)} ({accuracy(results):.1%})"

    with tempfile.TemporaryDirectory() as tmp:
        ctx = await context(Path(tmp) / "demo.db")
        scored_train = await evaluate(ctx, train)
        scored_heldout = await evaluate(ctx, heldout)
        await ctx.db.dispose()
        if args.accuracy:
            # the held-out file is sealed: its score is shown, never its misses
            print(misses(scored_train, limit=1000))
            print(f"language: train {share(scored_train)}, held-out {share(scored_heldout)}")
            return

        ctx = await context(Path(tmp) / "timing.db")
        small = await grow(ctx, 0, 0)
        demo = await timings(ctx, train + heldout, args.repeat)
        await ctx.db.dispose()

        ctx = await context(Path(tmp) / "large.db")
        people, groups = await grow(ctx, args.people, args.groups)
        large = await timings(ctx, train + heldout, args.repeat)
        await ctx.db.dispose()

    def speed(values: tuple[list[float], list[float]]) -> str:
        wall, cpu = values
        return (
            f"p50 {statistics.median(wall):.2f} ms p95 {percentile(wall, 95):.2f} ms "
            f"(cpu p50 {statistics.median(cpu):.2f} ms p95 {percentile(cpu, 95):.2f} ms)"
        )

    loadavg = " ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"language: load average {loadavg} on {os.cpu_count()} CPUs")
    print(f"language: train {share(scored_train)}, held-out {share(scored_heldout)}")
    print(f"language: interpret demo {speed(demo)} ({small[0]} people, {small[1]} groups)")
    print(f"language: interpret large {speed(large)} ({people} people, {groups} groups)")


if __name__ == "__main__":
    asyncio.run(main())
