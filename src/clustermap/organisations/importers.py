"""Import and export of registry records as CSV or JSON, with validation, a dry run, and a report of every bad row.

Formats
-------
CSV
    UTF-8, a header line of field names (those of the record's ``*In`` schema: ``slug, name, level, …``); list
    fields hold their items separated by ``;`` (``ES21; ES22``); yes/no fields ``true``/``false`` (also
    ``yes``/``no``, ``1``/``0``); an empty cell is "no value". Line numbers count the header as line 1.
JSON
    An array of objects with the same field names (lists as arrays); line numbers are those where each object
    begins.

Rules
-----
* Every row is validated like an API request (schemas, known regions and categories, referenced programmes and
  organisations exist — in the registry or earlier in the same file — and no slug twice in one file). *Every*
  bad row is reported, with its line, the field and the reason.
* By default an import is all or nothing: one bad row and nothing is written. With ``partial=True`` the good
  rows are written and the bad ones reported.
* A row whose ``slug`` exists updates that record (audited like any change); other rows create records.
* ``dry_run=True`` does everything, inside a transaction that is rolled back, and reports what would happen.
* Exports write every record of a kind in the same format, so that export → import is a no-op.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

from pydantic import BaseModel, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from clustermap.csv_safety import neutralise_cell, restore
from clustermap.organisations import repository
from clustermap.organisations.errors import ConflictError, RegistryError, RegistryValidationError

__all__ = ["FORMATS", "ImportReport", "RowError", "export_records", "import_records", "read_rows"]

FORMATS = ("csv", "json")
_TRUE = {"true", "yes", "1", "y"}
_FALSE = {"false", "no", "0", "n"}
_MAX_ROWS = 100_000


@dataclass(frozen=True)
class RowError:
    """One problem: the line it is on, the field (``None`` for the whole row), the reason and the value."""

    line: int
    field: str | None
    message: str
    value: Any = None

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", field '{self.field}'" if self.field else "")
        return f"{where}: {self.message}" + (f" (value {self.value!r})" if self.value not in (None, "") else "")


@dataclass
class ImportReport:
    """What an import found and did."""

    kind: str
    format: str
    rows: int = 0
    valid: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False
    partial: bool = False
    applied: bool = False

    @property
    def bad_lines(self) -> list[int]:
        """The lines with at least one error."""
        return sorted({e.line for e in self.errors})

    def as_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data, with the bad lines and every error's text."""
        out = asdict(self)
        out["bad_lines"] = self.bad_lines
        out["errors"] = [{**asdict(e), "text": str(e)} for e in self.errors]
        return out

    def summary(self) -> str:
        """The report in one line: rows read, valid, bad, and what was written."""
        head = f"{self.rows} row(s) read, {self.valid} valid, {len(self.bad_lines)} bad"
        if self.applied:
            verb = "would be" if self.dry_run else "were"
            return f"{head}; {self.created} created, {self.updated} updated, {self.unchanged} unchanged {verb} written"
        verb = "would be" if self.dry_run else "was"
        return f"{head}; nothing {verb} written" + ("" if self.errors else " (no rows)")


# -------------------------------------------------------------------------------------------- reading


def _is_list(annotation: Any) -> bool:
    if get_origin(annotation) is list:
        return True
    return any(_is_list(a) for a in get_args(annotation))


def _is_bool(annotation: Any) -> bool:
    return annotation is bool or any(a is bool for a in get_args(annotation))


def _csv_value(raw: str, annotation: Any) -> Any:
    text = raw.strip()
    if _is_list(annotation):
        return [item.strip() for item in text.split(";") if item.strip()]
    if text == "":
        return None
    if _is_bool(annotation):
        if text.lower() in _TRUE:
            return True
        if text.lower() in _FALSE:
            return False
    return text


def read_rows(
    source: str | bytes | Path, fmt: str, schema: type[BaseModel]
) -> tuple[list[tuple[int, dict[str, Any]]], list[RowError]]:
    """Parse CSV or JSON into ``(line, record)`` pairs for ``schema``; problems of the file itself (not of one
    row's values) come back as errors (line 1 for a bad header)."""
    if isinstance(source, Path):
        from clustermap.sources.guard import read_input_bytes

        source = read_input_bytes(source)  # a regular file within the size limits, else a typed InputError
    if isinstance(source, bytes):
        try:
            text = source.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            return [], [RowError(1, None, f"not UTF-8 text ({exc.reason} at byte {exc.start})")]
    else:
        text = source
    if "\x00" in text:
        return [], [RowError(text.count("\n", 0, text.index("\x00")) + 1, None, "NUL character in the file")]
    if fmt == "csv":
        return _read_csv(text, schema)
    if fmt == "json":
        return _read_json(text)
    return [], [RowError(1, None, f"unknown format {fmt!r}; formats: {', '.join(FORMATS)}")]


def _read_csv(text: str, schema: type[BaseModel]) -> tuple[list[tuple[int, dict[str, Any]]], list[RowError]]:
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration:
        return [], [RowError(1, None, "empty file: no header line")]
    except csv.Error as exc:
        return [], [RowError(1, None, f"unreadable CSV: {exc}")]
    header = [h.strip() for h in header]
    fields = schema.model_fields
    errors = [RowError(1, h or None, f"unknown column {h!r}") for h in header if h not in fields]
    seen: set[str] = set()
    for h in header:
        if h in seen:
            errors.append(RowError(1, h, "column appears twice"))
        seen.add(h)
    required = [name for name, info in fields.items() if info.is_required()]
    errors += [RowError(1, name, "required column is missing") for name in required if name not in header]
    if errors:
        return [], errors
    rows: list[tuple[int, dict[str, Any]]] = []
    line = 1
    try:
        for values in reader:
            start = line + 1
            line = reader.line_num
            if not any(v.strip() for v in values):
                continue
            if len(values) != len(header):
                errors.append(RowError(start, None, f"{len(values)} cells, the header has {len(header)}"))
                continue
            record = {h: _csv_value(restore(v), fields[h].annotation) for h, v in zip(header, values, strict=True)}
            rows.append((start, {k: v for k, v in record.items() if v is not None}))
            if len(rows) > _MAX_ROWS:
                errors.append(RowError(start, None, f"more than {_MAX_ROWS} rows"))
                break
    except csv.Error as exc:
        errors.append(RowError(line + 1, None, f"unreadable CSV: {exc}"))
    return rows, errors


def _read_json(text: str) -> tuple[list[tuple[int, dict[str, Any]]], list[RowError]]:
    decoder = json.JSONDecoder()
    pos = len(text) - len(text.lstrip())
    if pos >= len(text) or text[pos] != "[":
        return [], [RowError(text.count("\n", 0, pos) + 1, None, "a JSON import is an array of objects [ {...}, ... ]")]
    from clustermap.settings import get_settings
    from clustermap.sources.guard import json_depth_exceeds

    depth = get_settings().max_json_depth
    if json_depth_exceeds(text.encode("utf-8", "surrogatepass"), depth):
        return [], [RowError(1, None, f"the JSON nests deeper than {depth} levels (setting CLUSTERMAP_MAX_JSON_DEPTH)")]
    pos += 1
    rows: list[tuple[int, dict[str, Any]]] = []
    errors: list[RowError] = []
    while True:
        while pos < len(text) and text[pos] in " \t\r\n,":
            pos += 1
        if pos >= len(text):
            errors.append(RowError(text.count("\n") + 1, None, "the array is not closed with ]"))
            break
        if text[pos] == "]":
            break
        line = text.count("\n", 0, pos) + 1
        try:
            value, pos = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            errors.append(RowError(exc.lineno, None, f"invalid JSON: {exc.msg}"))
            break
        if not isinstance(value, dict):
            errors.append(RowError(line, None, "each record must be a JSON object"))
            continue
        rows.append((line, value))
        if len(rows) > _MAX_ROWS:
            errors.append(RowError(line, None, f"more than {_MAX_ROWS} rows"))
            break
    return rows, errors


# -------------------------------------------------------------------------------------------- importing


def _row_errors(line: int, exc: ValidationError, record: dict[str, Any]) -> list[RowError]:
    out = []
    for e in exc.errors(include_url=False):
        loc = [str(p) for p in e["loc"]]
        name = loc[0] if loc else None
        value = record.get(name) if name else None
        if len(loc) > 1 and isinstance(value, list) and loc[1].isdigit() and int(loc[1]) < len(value):
            value = value[int(loc[1])]
        out.append(RowError(line, ".".join(loc) or None, e["msg"], value))
    return out


def import_records(
    session: Session,
    kind: str,
    source: str | bytes | Path,
    *,
    fmt: str | None = None,
    dry_run: bool = False,
    partial: bool = False,
    owner_id: int | None = None,
) -> ImportReport:
    """Import records of one kind (``organisation``, ``programme``, ``case_study``, ``member``).

    Parameters
    ----------
    session : Session
        An open session; the caller commits (nothing is left to commit after a dry run or a refused import).
    kind : str
        Kind of record.
    source : str, bytes or Path
        The file's text, bytes or path.
    fmt : {"csv", "json"}, optional
        Default: from the path's suffix, else JSON when the text starts with ``[``, else CSV.
    dry_run : bool
        Validate and try everything, write nothing.
    partial : bool
        Write the good rows even when some are bad (default: all or nothing).
    owner_id : int, optional
        Owner of the records created.

    Returns
    -------
    ImportReport
        Rows read, valid, created, updated, and every error with its line and field.
    """
    spec = repository.ENTITY_SCHEMAS.get(kind)
    if spec is None:
        raise RegistryValidationError(f"unknown kind of record {kind!r}", field="kind", value=kind)
    if fmt is None:
        if isinstance(source, Path):
            fmt = source.suffix.lstrip(".").lower()
        else:
            head = source[:64].lstrip() if isinstance(source, str) else source[:64].lstrip().decode("utf-8", "ignore")
            fmt = "json" if head.startswith("[") else "csv"
    report = ImportReport(kind=kind, format=fmt, dry_run=dry_run, partial=partial)
    rows, file_errors = read_rows(source, fmt, spec.create_schema)
    report.errors.extend(file_errors)
    report.rows = len(rows)
    model: Any = spec.model
    existing = set(session.scalars(select(model.slug)))
    known_programmes = set(session.scalars(select(repository.Programme.slug)))
    known_organisations = set(session.scalars(select(repository.Organisation.slug)))
    seen_slugs: dict[str, int] = {}
    good: list[tuple[int, Any]] = []
    for line, record in rows:
        try:
            item = spec.create_schema.model_validate(record)
        except ValidationError as exc:
            report.errors.extend(_row_errors(line, exc, record))
            continue
        problems = []
        if item.slug and item.slug in seen_slugs:
            problems.append(RowError(line, "slug", f"slug also on line {seen_slugs[item.slug]}", item.slug))
        for slug in getattr(item, "programmes", None) or []:
            if slug not in known_programmes:
                problems.append(RowError(line, "programmes", "no such programme", slug))
        org = getattr(item, "organisation_slug", None)
        if org and org not in known_organisations:
            problems.append(RowError(line, "organisation_slug", "no such organisation", org))
        if problems:
            report.errors.extend(problems)
            continue
        if item.slug:
            seen_slugs[item.slug] = line
            if kind == "programme":
                known_programmes.add(item.slug)
            if kind == "organisation":
                known_organisations.add(item.slug)
        good.append((line, item))
    report.valid = len(good)
    report.errors.sort(key=lambda e: e.line)
    if report.errors and not partial:
        return report
    if not good:
        return report
    outer = session.begin_nested()
    try:
        for line, item in good:
            savepoint = session.begin_nested() if partial else None
            try:
                if item.slug and item.slug in existing:
                    obj = repository.get(session, kind, item.slug)
                    before = obj.version
                    changes = item.model_dump() | {"version": obj.version}
                    repository.update(session, kind, obj, changes)
                    if obj.version == before:
                        report.unchanged += 1
                    else:
                        report.updated += 1
                else:
                    obj = repository.create(session, kind, item, owner_id=owner_id)
                    existing.add(obj.slug)
                    report.created += 1
                if savepoint is not None:
                    savepoint.commit()
            except (RegistryError, ConflictError) as exc:
                if savepoint is not None:
                    savepoint.rollback()
                field_name = getattr(exc, "field", None) or (exc.extra.get("reason") if hasattr(exc, "extra") else None)
                report.errors.append(RowError(line, field_name, exc.message, item.slug))
                report.valid -= 1
                if not partial:
                    raise _AbortError from exc
        if dry_run:
            outer.rollback()
        else:
            outer.commit()
        report.applied = True
    except _AbortError:
        outer.rollback()
        report.created = report.updated = report.unchanged = 0
        report.applied = False
    except BaseException:
        outer.rollback()
        raise
    report.errors.sort(key=lambda e: e.line)
    return report


class _AbortError(Exception):
    """Internal: an all-or-nothing import met a bad row while writing."""


# -------------------------------------------------------------------------------------------- exporting


def _export_value(value: Any) -> Any:
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return value


def export_records(session: Session, kind: str, fmt: Literal["csv", "json"] = "csv") -> str:
    """Every record of ``kind`` as CSV or JSON text in the import format (ordered by slug)."""
    spec = repository.ENTITY_SCHEMAS.get(kind)
    if spec is None:
        raise RegistryValidationError(f"unknown kind of record {kind!r}", field="kind", value=kind)
    if fmt not in FORMATS:
        raise RegistryValidationError(f"unknown format {fmt!r}", field="format", value=fmt)
    model: Any = spec.model
    fields = list(spec.create_schema.model_fields)
    records = []
    for obj in session.scalars(select(model).order_by(model.slug)):
        records.append({name: getattr(obj, name) for name in fields})
    if fmt == "json":
        return json.dumps(records, ensure_ascii=False, indent=1) + "\n"
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(fields)
    for record in records:
        # spreadsheet formulas neutralised (a leading '); the import restores them (csv_safety.restore)
        writer.writerow([neutralise_cell(_export_value(record[name])) for name in fields])
    return out.getvalue()
