"""Areas as people write them: DfE's names made plain, forgiving lookups, reorganised councils.

"Bristol" finds `Bristol, City of`, "Hull" finds `Kingston Upon Hull, City of` and replies say
"Bristol" and "Kingston upon Hull". A guess is offered only when it is close ("Sheffeild" ->
Sheffield), never for a name like nothing held ("Atlantis").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.errors import NotFound

GUESS_FROM = 80  # rapidfuzz ratio (0-100) a name must reach to be offered as "did you mean"

# councils replaced by others: code -> (name, when, successors, first year of the successors)
REORGANISED = {
    "909": ("Cumbria", "April 2023", "Cumberland and Westmorland and Furness", "202324"),
    "928": (
        "Northamptonshire",
        "April 2021",
        "North Northamptonshire and West Northamptonshire",
        "202122",
    ),
}
SUCCESSORS = {"942": "909", "943": "909", "940": "928", "941": "928"}


@dataclass(frozen=True)
class Area:
    """An area as the data holds it: its code, its plain name, level and (for a council) region."""

    code: str
    name: str
    level: str  # national, regional, la
    region_code: str | None = None
    dfe_name: str = ""  # as DfE writes it, when that differs from the plain name

    @property
    def words(self) -> frozenset[str]:
        return frozenset(normalise(self.name).split()) | frozenset(normalise(self.dfe_name).split())


def normalise(name: str) -> str:
    """`Bristol, City of` and `Bristol City of` both -> `bristol city of`; `&` is `and`."""
    name = name.lower().replace("&", " and ").replace("st.", "st ")
    return " ".join(re.sub(r"[^a-z0-9 ]+", " ", name).split())


def plain_name(name: str) -> str:
    """DfE's `Bristol, City of` -> `Bristol`; `Kingston Upon Hull, City of` -> `Kingston upon Hull`."""
    plain = re.sub(r",?\s+(city|county) of$", "", name.strip(), flags=re.IGNORECASE)
    plain = re.sub(r"\bUpon\b", "upon", plain).replace("St. ", "St ")
    return plain or name


def resolve_area(name: str, known: list[Area], *, example: str) -> Area:
    """Exact name or code first, then the only area whose name holds every word given.

    NotFound when several match (naming them) or none does (with a close guess, if any).
    """
    wanted = normalise(name)
    if not wanted:
        raise NotFound("Which area? Name a local authority, a region or England.", example=example)
    for area in known:
        if wanted in (normalise(area.name), normalise(area.dfe_name), area.code.lower()):
            return area
    words = set(wanted.split())
    matches = [a for a in known if words <= a.words]
    if len(matches) == 1:
        return matches[0]
    if matches:
        names = ", ".join(sorted(a.name for a in matches)[:6])
        raise NotFound(f"{name!r} matches several areas: {names}.", example=example)
    from rapidfuzz import fuzz, process  # only for a name not found: keeps start-up light

    names = {normalise(a.name): a.name for a in known}
    near = process.extract(wanted, list(names), scorer=fuzz.ratio, score_cutoff=GUESS_FROM, limit=3)
    hint = "Did you mean " + " or ".join(names[n] for n, _, _ in near) + "?" if near else None
    raise NotFound(
        f"I have no attendance figures for an area called {name!r}.",
        hint=hint or "Use a local authority name, a region, or England.",
        example=example,
    )


def reorganisation(code: str, period: str) -> str | None:
    """Why a reorganised council has no figures for `period` (DfE's 201819 form), if it is one."""
    if code in REORGANISED:
        name, when, successors, first = REORGANISED[code]
        if period >= first:
            return f"{name} was replaced in {when} by {successors}; ask for one of them."
    if code in SUCCESSORS:
        name, when, successors, first = REORGANISED[SUCCESSORS[code]]
        if period < first:
            return (
                f"{successors} were created in {when} from {name}; ask for {name} for years "
                f"before {first[:4]}/{first[4:]}."
            )
    return None
