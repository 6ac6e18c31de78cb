"""One reader for every CSV file a person imports: people, organisations, attendance, terms.

The files people actually have: Excel's "CSV UTF-8" (a byte-order mark and Windows line
endings), plain UTF-8 from anything else, and Excel's plain "CSV (Comma delimited)", which is in
the Windows code page (cp1252). That one is refused, with how to save it again, rather than
guessed at: a wrong guess turns "Zoë" into "ZoÃ«" in the directory without a word. Dates in a
file are UK order (05/01/2027 is 5 January 2027) or ISO (2027-01-05). Every problem is a
UserError that names the file (and the line), never a traceback.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from bot.errors import UserError

SAVE_AS_UTF8 = (
    "In Excel: File > Save As (or Save a Copy), choose the file type "
    "'CSV UTF-8 (Comma delimited) (*.csv)', and import that file."
)
UTF16 = "UTF-16 (what Excel's 'Unicode Text' writes)"
WINDOWS = "Windows-1252, what Excel's plain 'CSV (Comma delimited)' writes"
DATE_FORMATS = ("%d/%m/%Y", "%d/%m/%y", "%Y-%m-%d")  # UK order first; ISO as written by machines
DATE_EXAMPLE = "05/01/2027 (5 January 2027) or 2027-01-05"


@dataclass(frozen=True)
class CsvFile:
    """A CSV file read and decoded: its name as given, its bytes, its text (BOM dropped,
    line endings made `\\n`)."""

    name: str
    data: bytes
    text: str


def read_file(path: Path | str, *, example: str) -> CsvFile:
    """Read and decode the CSV at `path`; UserError for a missing, unreadable or non-UTF-8 file.

    `example` is the command that imports such a file, shown with the error.
    """
    where = str(path)[:200]
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise UserError(f"No file at {where}: check the path.", example=example) from None
    except IsADirectoryError:
        raise UserError(f"{where} is a folder, not a CSV file.", example=example) from None
    except PermissionError:
        raise UserError(f"Cannot read {where}: permission denied.", example=example) from None
    except (OSError, ValueError) as exc:  # a name too long, a NUL in the name, a device
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else "not a file path"
        raise UserError(f"Cannot read {where}: {why}.", example=example) from None
    return from_bytes(data, name=Path(where).name or where, example=example)


def from_bytes(data: bytes, *, name: str, example: str) -> CsvFile:
    """Decode a CSV's bytes as UTF-8 (with or without a BOM); UserError for anything else."""
    if data.startswith(b"PK\x03\x04"):
        raise UserError(
            f"{name} is an Excel workbook (.xlsx), not a CSV file. {SAVE_AS_UTF8}",
            example=example,
        )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UserError(
            f"{name} is saved as {UTF16}, not UTF-8. {SAVE_AS_UTF8}",
            example=example,
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise UserError(
            f"{name} is not UTF-8 text: line {line} has a character saved in another encoding"
            + (f" (probably {WINDOWS})" if _windows(data) else "")
            + f". {SAVE_AS_UTF8}",
            example=example,
        ) from None
    if "\x00" in text:
        raise UserError(f"{name} is not a text file (it holds NUL bytes).", example=example)
    return CsvFile(name=name, data=data, text=text.replace("\r\n", "\n").replace("\r", "\n"))


def _windows(data: bytes) -> bool:
    """Could this be Windows-1252? (Five byte values are unused there; the rest all decode.)"""
    try:
        data.decode("cp1252")
    except UnicodeDecodeError:
        return False
    return True


def header(file: CsvFile) -> list[str]:
    """The first row's column names, trimmed and lower-cased."""
    first = next(csv.reader(io.StringIO(file.text)), [])
    return [c.strip().lower() for c in first]


def rows(
    file: CsvFile, *, required: Sequence[str], example: str
) -> list[tuple[int, dict[str, str]]]:
    """(line number, row) for each non-empty row, keyed by lower-cased column name, cells trimmed.

    UserError when the header lacks a `required` column or a row has more cells than the header
    (usually a comma in a value that is not in double quotes).
    """
    reader = csv.reader(io.StringIO(file.text))
    try:
        names = [c.strip().lower() for c in next(reader, [])]
        missing = [c for c in required if c not in names]
        if missing:
            raise UserError(
                f"{file.name}: the header is missing {', '.join(missing)} "
                f"(it has {', '.join(n for n in names if n) or 'nothing'}).",
                hint="The first line names the columns, separated by commas.",
                example=example,
            )
        out = []
        for cells in reader:
            line = reader.line_num
            if not any(c.strip() for c in cells):
                continue
            if len(cells) > len(names):
                raise UserError(
                    f"{file.name}, line {line}: {len(cells)} cells but the header names "
                    f"{len(names)}. Put a value that has a comma in double quotes "
                    '("Bloggs, Jo").',
                    example=example,
                )
            cells += [""] * (len(names) - len(cells))
            out.append((line, {n: c.strip() for n, c in zip(names, cells, strict=True) if n}))
    except csv.Error as exc:
        raise UserError(f"{file.name}, line {reader.line_num}: {exc}.", example=example) from None
    return out


def day(value: str, *, line: int, column: str, example: str) -> date:
    """A date cell: UK order `05/01/2027` (5 January) or ISO `2027-01-05`; UserError naming the
    line and column otherwise (a US-order `01/25/2027` has no month 25)."""
    text = value.strip()
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise UserError(
        f"Line {line}: {column} {text[:40]!r} is not a date. Dates are day/month/year, "
        f"like {DATE_EXAMPLE}.",
        example=example,
    )
