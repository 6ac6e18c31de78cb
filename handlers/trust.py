"""Privacy, audit and access: the audit log for admins, UK GDPR access and erasure.

Who may use these is in bot/policy.py like every other command; the audit log itself is
written by the router (bot/router.py) for every successful write.
"""

from __future__ import annotations

import json
from datetime import datetime

from bot import forms
from bot.dates import format_when
from bot.errors import NotFound, UserError
from bot.parsing import yes_no
from bot.policy import Facts, Loaded
from bot.registry import CommandSet, Field, FormSpec
from bot.reply import Actions, Button, File, Reply, Section, Table
from bot.services import Request, Services
from storage import audit as repo
from storage import privacy
from storage.directory import Person, resolve_person

commands = CommandSet("trust", "Privacy, audit and access")
register = commands.register

AUDIT_EXAMPLE = "audit action 7"
ERASE_EXAMPLE = "privacy erase @jo confirm:yes"


async def _person_named(svc: Services, token: str) -> Person:
    """`@jo`, an email, or `#5` (an erased person keeps only their number)."""
    digits = token.lstrip("#")
    if digits.isascii() and digits.isdigit() and len(digits) <= 9:
        person = await svc.session.get(Person, int(digits))
        if person is None:
            raise NotFound(f"There is no person #{digits}.", example="privacy export @jo")
        return person
    return await resolve_person(svc.session, token, include_inactive=True)


def _is_person_number(word: str) -> bool:
    """`#7`: a person by number (an erased person has nothing else); `7` alone is ambiguous."""
    digits = word[1:]
    return word.startswith("#") and digits.isascii() and digits.isdigit() and len(digits) <= 9


@commands.command(
    "audit",
    summary="Who changed what, when and through which door (admins)",
    usage="audit [<kind> <id> | @person | #<person id>]",
    examples=["audit", AUDIT_EXAMPLE, "audit @jo"],
    options=(),
)
async def audit(req: Request, svc: Services) -> Reply:
    words = list(req.args.words)
    title = "Latest changes"
    person_ref = req.args.people[:1] or [w for w in words[:1] if _is_person_number(w)]
    if person_ref:
        person = await _person_named(svc, person_ref[0])
        found = await repo.entries(svc.session, person_id=person.id)
        title = f"Changes by or about {person.name} (person #{person.id})"
    elif words:
        kind = repo.kind_of(words[0])
        object_id = None
        if len(words) > 1:
            object_id = req.args.int_at(1, what=kind, example=AUDIT_EXAMPLE)
        elif kind.lstrip("#").isascii() and kind.lstrip("#").isdigit():
            raise UserError("Say what kind of thing it is.", example=AUDIT_EXAMPLE)
        found = await repo.entries(svc.session, object_kind=kind, object_id=object_id)
        plural = kind if kind.endswith("s") else kind + "s"
        title = (
            f"Changes to {kind} #{object_id}" if object_id is not None else f"Changes to {plural}"
        )
    else:
        found = await repo.entries(svc.session)
    if not found:
        return Reply(text=f"{title}: none recorded.")
    names = await _names(svc, {e.actor_id for e in found if e.actor_id is not None})
    rows = [
        [
            format_when(e.at, svc.tz),
            names.get(e.actor_id, "(nobody)") if e.actor_id is not None else "(nobody)",
            e.door,
            e.command,
            e.object,
        ]
        for e in found
    ]
    return Reply(text=f"{title} ({len(rows)}, newest first).").add(
        Table(columns=["when", "who", "door", "command", "object"], rows=rows)
    )


async def _names(svc: Services, ids: set[int]) -> dict[int, str]:
    out = {}
    for person_id in ids:
        person = await svc.session.get(Person, person_id)
        if person is not None:
            out[person_id] = person.name
    return out


async def load_export_subject(req: Request, svc: Services) -> Loaded:
    """`privacy export [@person]`: whose data (the asker's own when nobody is named)."""
    person = req.actor
    if req.args.people or req.args.words:
        person = await _person_named(svc, (req.args.people or req.args.words)[0])
    return Loaded(
        person,
        Facts(subject_id=person.id),
        refusal="You can export only your own data; an admin can export anyone's.",
        hint="Type `privacy export` for yours.",
    )


@commands.command(
    "privacy export",
    summary="Everything held about you (admins: about anyone), as a JSON file",
    usage="privacy export [@person]",
    examples=["privacy export", "privacy export @jo"],
    options=(),
    loads=load_export_subject,
)
async def privacy_export(req: Request, svc: Services) -> Reply:
    person: Person = req.item
    record = await privacy.export(svc.session, person)
    record["exported_at"] = req.now.isoformat()
    record["exported_by"] = f"person #{req.actor.id}"
    body = json.dumps(record, indent=2, ensure_ascii=False, sort_keys=True)
    held = record["held"]
    summary = ", ".join(f"{k}: {len(v)}" for k, v in held.items()) or "nothing beyond the person"
    return Reply(text=f"Everything held about person #{person.id} ({summary}).").add(
        File(
            name=f"privacy-export-person-{person.id}-{_stamp(req.now)}.json",
            content=body,
            mime="application/json",
        )
    )


def _stamp(now: datetime) -> str:
    return f"{now:%Y%m%d}"


@commands.command(
    "privacy erase",
    summary="Remove or anonymise everything about a person (admins; asks to confirm)",
    usage="privacy erase @person [confirm:yes]",
    examples=["privacy erase @jo", ERASE_EXAMPLE],
    options={"confirm"},
    writes=True,
    form=FormSpec(
        title="Erase a person's data",
        submit="Erase",
        intro="Everything about them is removed or anonymised; this cannot be undone.",
        fields=(
            Field(
                "person",
                "Whose data",
                required=True,
                positional=True,
                person=True,
                picker=forms.people,
            ),
            Field(
                "confirm",
                "Yes, erase it now (leave unticked to see what is held first)",
                kind="checkbox",
            ),
        ),
    ),
)
async def privacy_erase(req: Request, svc: Services) -> Reply:
    names = req.args.people or req.args.words
    if not names:
        raise UserError("Whose data should be erased?", example=ERASE_EXAMPLE, field="person")
    person = await _person_named(svc, names[0])
    if person.id == req.actor.id:
        raise UserError("You cannot erase yourself; ask another admin.", example="privacy export")
    if privacy.is_erased(person):
        return Reply(text=f"Person #{person.id} has already been erased; nothing more to do.")
    if not yes_no(req.args.opt("confirm"), field="confirm", default=False, example=ERASE_EXAMPLE):
        held = (await privacy.export(svc.session, person))["held"]
        lines = [f"{k}: {len(v)}" for k, v in held.items()] or ["nothing beyond the person"]
        return Reply(
            text=f"This will erase {person.name} (person #{person.id}) everywhere and cannot be "
            "undone. Their open and closed actions go to each group's chair with a note; their "
            "support requests lose their text but stay for counts; the audit log is kept.",
        ).add(
            Section(title="Held now", text="\n".join(lines)),
            Actions(
                [
                    Button(
                        "Erase",
                        f"privacy erase #{person.id} confirm:yes",
                        style="danger",
                    ),
                    Button("Export first", f"privacy export #{person.id}"),
                ]
            ),
        )
    counts = await privacy.erase(svc.session, person, by=req.actor, at=req.now)
    detail = ", ".join(f"{k}: {v}" for k, v in counts.items())
    return Reply(text=f"Erased person #{person.id}. {detail}.", subject=("person", person.id))
