"""Opportunities' shared rules: reading phases, links, closing dates and who an opportunity is
for from what staff typed, and the fields every view of one shows. Used by the opportunity
command modules; imports none of them.
"""

from __future__ import annotations

from datetime import date
from urllib.parse import urlparse

from bot.dates import format_date, parse_date
from bot.errors import UserError, about
from bot.parsing import split_list, yes_no
from bot.registry import DATE_HINT, Field
from bot.services import Request, Services
from storage import opportunities as repo
from storage.directory import Person

# the help topic of every command module in the package
TOPIC = ("opportunities", "Opportunities and the bulletin")

ADD_EXAMPLE = (
    'opp add "Funded NPQ places" closes:31/01/2024 phase:primary,secondary tags:training '
    "link:https://example.org/npq"
)
LENGTH_EXAMPLES = {
    "title": "Funded NPQ places",
    "summary": "Fully funded places for 2024 cohorts",
    "provider": "Learn Sheffield",
}
ADD_OPTIONS = {"closes", "phase", "tags", "link", "subscribers", "summary", "provider"}
PHASE_ALIASES = {"all-through": ["primary", "secondary"], "post16": ["post-16"]}


def parse_phases(value: str) -> list[str]:
    """`primary,secondary` -> a checked list; `all` alone stands for every phase."""
    phases: list[str] = []
    for raw in split_list(value.lower()):
        for phase in PHASE_ALIASES.get(raw, [raw]):
            if phase not in repo.PHASES:
                raise UserError(
                    f"{raw!r} is not a phase. Phases: {', '.join(repo.PHASES)}.",
                    example="phase:primary,secondary (or phase:all)",
                    field="phase",
                )
            if phase not in phases:
                phases.append(phase)
    if not phases:
        raise UserError(f"Give a phase: {', '.join(repo.PHASES)}.", example="phase:all")
    return ["all"] if "all" in phases else phases


def parse_link(value: str) -> str:
    parsed = urlparse(value.strip())
    host = parsed.hostname or ""
    if parsed.scheme not in ("http", "https") or "." not in host or " " in value.strip():
        raise UserError(
            f"{value!r} is not a web link. Give the full address, starting https://",
            example="link:https://example.org/npq",
            field="link",
        )
    return value.strip()


async def parse_closes(value: str, req: Request, svc: Services) -> date | None:
    if value.strip().lower() in ("none", "never", "-"):
        return None
    with about("closes"):
        day = parse_date(value, now=req.now, tz=svc.tz, terms=await svc.terms())
    today = req.now.astimezone(svc.tz).date()
    if day < today:
        raise UserError(
            f"The closing date {day:%d/%m/%Y} is in the past (today is {today:%d/%m/%Y}).",
            example="closes:31/01/2024",
            field="closes",
        )
    return day


def parse_subscribers(value: str) -> bool:
    """`subscribers:only` (or any yes word) -> True; `subscribers:all`/`everyone`/no -> False."""
    return yes_no(
        value,
        field="subscribers",
        yes=("only",),
        no=("all", "everyone"),
        example='opp add "Leadership network" phase:all subscribers:only',
    )


async def apply_options(opp: repo.Opportunity, req: Request, svc: Services) -> list[str]:
    """Set the fields given as key:value; returns what changed, for the reply."""
    opts, changed = req.args.options, []
    if "closes" in opts:
        opp.closes_on = await parse_closes(opts["closes"], req, svc)
        changed.append("closing date")
    if "phase" in opts:
        opp.phases = parse_phases(opts["phase"])
        changed.append("phases")
    if "tags" in opts:
        opp.tags = [t.lower()[:40] for t in split_list(opts["tags"])][:10]
        changed.append("tags")
    if "link" in opts:
        opp.link = parse_link(opts["link"])
        changed.append("link")
    if "subscribers" in opts:
        opp.subscribers_only = parse_subscribers(opts["subscribers"])
        changed.append("who it is for")
    for name, limit in (("summary", 2000), ("provider", 200), ("title", 200)):
        if name in opts:
            if len(opts[name]) > limit:
                raise UserError(
                    f"{name} is too long (at most {limit} characters).",
                    example=f'{name}:"{LENGTH_EXAMPLES[name]}"',
                    hint="Put the full details behind the link." if name != "title" else None,
                    field=name,
                )
            value = opts[name].strip()
            setattr(opp, name, value if name == "title" else value or None)
            changed.append(name)
    return changed


def opp_form_fields(*, editing: bool) -> tuple[Field, ...]:
    """What `opp add` and `opp edit` ask (edit: the title as title:, yes/no for who)."""
    phases = ", ".join(repo.PHASES)
    title = Field(
        "title",
        "Title",
        required=not editing,
        positional=not editing,
        placeholder="Funded NPQ places",
    )
    return (
        title,
        Field("summary", "Summary", kind="textarea"),
        Field("link", "Link", placeholder="https://example.org/npq"),
        Field("provider", "Provider", placeholder="Learn Sheffield"),
        Field(
            "closes",
            "Closing date",
            kind="date",
            hint=DATE_HINT + (" (none: no closing date)" if editing else ""),
        ),
        Field(
            "phase",
            "Phases",
            value=None if editing else "all",
            placeholder="primary,secondary",
            hint=f"{phases}; several with commas",
        ),
        Field("tags", "Tags", placeholder="training,networks"),
        Field(
            "subscribers",
            "Subscribing organisations only",
            kind="select" if editing else "checkbox",
            options=("yes", "no") if editing else (),
        ),
    )


async def opp_choices(svc: Services, actor: Person) -> list[tuple[str, str]]:
    """The opportunity picker: open ones, closing soonest first."""
    found = await repo.open_opportunities(svc.session, today=svc.now().astimezone(svc.tz).date())
    return [(str(o.id), f"#{o.id} {o.title}") for o in found[:60]]


OPP = Field("opp", "Opportunity", required=True, positional=True, id=True, picker=opp_choices)


async def opp_now(svc: Services, values: dict[str, str]) -> dict[str, str]:
    """The present values of the opportunity `values` names, to edit."""
    if not values.get("opp"):
        return {}
    opp = await repo.get_opportunity(svc.session, int(values["opp"]))
    return {
        "title": opp.title,
        "summary": opp.summary or "",
        "link": opp.link or "",
        "provider": opp.provider or "",
        "closes": opp.closes_on.isoformat() if opp.closes_on else "",
        "phase": ",".join(opp.phases),
        "tags": ",".join(opp.tags),
        "subscribers": "yes" if opp.subscribers_only else "no",
    }


def today_of(req: Request, svc: Services) -> date:
    return req.now.astimezone(svc.tz).date()


def who_for(opp: repo.Opportunity) -> str:
    return "subscribing organisations only" if opp.subscribers_only else "everyone"


def opp_fields(opp: repo.Opportunity) -> list[tuple[str, str]]:
    fields = [
        ("Closes", format_date(opp.closes_on) if opp.closes_on else "no closing date"),
        ("Phases", ", ".join(opp.phases)),
        ("Tags", ", ".join(opp.tags) or "none"),
        ("For", who_for(opp)),
    ]
    if opp.provider:
        fields.append(("Provider", opp.provider))
    if opp.link:
        fields.append(("Link", opp.link))
    return fields
