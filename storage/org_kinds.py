"""What kind of partner an organisation is, and its phase, as the directory stores them.

The kinds are DESIGN.md's fixed list (every partner in seed 000's membership). People write them
many ways ("LA", "voluntary", "Early-Years", "MAT"), so every path that takes a kind (the
organisations import today, any chat or admin form later) goes through `normalise_org_kind`.
"""

from __future__ import annotations

import re

from bot.errors import UserError

ORG_KINDS = (
    "school",
    "trust",
    "local authority",
    "learn sheffield",
    "college",
    "university",
    "early years",
    "diocese",
    "health",
    "combined authority",
    "dfe",
    "voluntary sector",
    "other",
)

# Other spellings -> the stored kind. Keys are written as `_key` leaves them (lower case, single
# spaces, no dots or hyphens). "partnership" is the partnership's own people (the independent
# chair), which the fixed list files under other.
KIND_ALIASES = {
    "schools": "school",
    "academy": "school",
    "maintained school": "school",
    "trusts": "trust",
    "mat": "trust",
    "multi academy trust": "trust",
    "academy trust": "trust",
    "la": "local authority",
    "lea": "local authority",
    "council": "local authority",
    "city council": "local authority",
    "learnsheffield": "learn sheffield",
    "colleges": "college",
    "fe college": "college",
    "further education": "college",
    "universities": "university",
    "uni": "university",
    "higher education": "university",
    "ey": "early years",
    "eyfs": "early years",
    "early years setting": "early years",
    "dioceses": "diocese",
    "church": "diocese",
    "nhs": "health",
    "icb": "health",
    "ca": "combined authority",
    "mca": "combined authority",
    "mayoral combined authority": "combined authority",
    "department for education": "dfe",
    "voluntary": "voluntary sector",
    "vcs": "voluntary sector",
    "vcse": "voluntary sector",
    "charity": "voluntary sector",
    "third sector": "voluntary sector",
    "voluntary and community sector": "voluntary sector",
    "partnership": "other",
}

ORG_KINDS_EXAMPLE = "Sheffield Hallam University,university,,no,,"


def _key(raw: str) -> str:
    """`" Early-Years "` -> `"early years"`; `"D.f.E"` -> `"dfe"`."""
    return re.sub(r"[\s_\-]+", " ", raw.replace(".", "").strip().lower()).strip()


def normalise_org_kind(raw: str) -> str:
    """One of ORG_KINDS for a kind as written (case, hyphens, dots and the spellings in
    KIND_ALIASES are forgiven); an empty cell is a school. Raises UserError naming every kind."""
    key = _key(raw) or "school"
    if key in ORG_KINDS:
        return key
    if key in KIND_ALIASES:
        return KIND_ALIASES[key]
    raise UserError(
        f"kind {raw!r} is not a kind of organisation. Kinds: {', '.join(ORG_KINDS)}.",
        example=ORG_KINDS_EXAMPLE,
    )


# "all" is an organisation spanning every phase (a trust, the LA, a diocese):
# storage.directory.phases_counted_as counts it as each of them.
PHASE_ALIASES = {
    "all phases": "all",
    "all phase": "all",
    "cross phase": "all",
    "all through": "all-through",
    "through": "all-through",
    "post 16": "post-16",
    "sixth form": "post-16",
}


def normalise_org_phase(raw: str, phases: tuple[str, ...]) -> str | None:
    """One of `phases` (or None for an empty cell) for a phase as written. Raises UserError."""
    key = _key(raw)
    if not key:
        return None
    for phase in phases:
        if key == _key(phase):
            return phase
    if key in PHASE_ALIASES:
        return PHASE_ALIASES[key]
    raise UserError(f"phase {raw!r} is not one of {', '.join(phases)}.", example=ORG_KINDS_EXAMPLE)
