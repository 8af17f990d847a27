"""From a handed-in file to what the student wrote: the exercise it belongs to and each cell's reading.

Cells are found by their defined names, so inserted rows or moved blocks do not
matter; where a name was deleted or broken, the address recorded at generation
is used instead, and the report says so.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from . import libreoffice, metadata, sources
from .graph import Graph, graph_for
from .intake import Intake, Rejected, identify, read_bytes, take_in
from .network import Givens, GivensError
from .values import Reading, read
from .xlsx import Xlsx, parse_reference


@dataclass
class Submission:
    path: Path
    meta: dict
    givens: Givens
    graph: Graph
    readings: dict[str, Reading]
    cells: dict[str, str]  # id -> "Sheet!C12", where it was read
    notes: list[str] = field(default_factory=list)  # note codes: recalculated, names_missing, macros, ...
    missing_names: list[str] = field(default_factory=list)
    data: bytes = field(default=b"", repr=False)  # the .xlsx that was read (a converted copy for .ods)


def load(path: Path, recalculate: bool = True) -> Submission:
    intake = take_in(path)
    notes = []
    if intake.kind == "ods":
        intake = _via_libreoffice(intake, "ods")
        notes.append("converted_ods")
    sub = _read(intake, notes)
    if recalculate and any(r.reason == "no_result" for r in sub.readings.values()) and libreoffice.available():
        recalculated = _read(_via_libreoffice(intake, "xlsx"), notes + ["recalculated"])
        recalculated.path = Path(path)
        return recalculated
    return sub


def _via_libreoffice(intake: Intake, kind: str) -> Intake:
    """A recalculated .xlsx copy made by LibreOffice in a private folder; the input is never touched."""
    if not libreoffice.available():
        if kind == "ods":
            raise Rejected("ods", "an OpenDocument spreadsheet (.ods): save it as .xlsx (Excel 2007-365) and "
                                  "check that")
        raise Rejected("no_libreoffice", "LibreOffice is needed to recalculate it")
    with tempfile.TemporaryDirectory(prefix="sheetprop-check-") as tmp:
        src = Path(tmp) / f"submission.{kind if kind == 'ods' else intake.kind}"
        src.write_bytes(intake.data)
        try:
            out, = libreoffice.recalculate([src], Path(tmp) / "out", timeout=60)
        except libreoffice.LibreOfficeError as e:
            raise Rejected("libreoffice", f"LibreOffice could not open it ({e})") from None
        data = read_bytes(out)
    new_kind, z = identify(data)
    return Intake(intake.path, data, new_kind, z)


def _read(intake: Intake, notes: list[str]) -> Submission:
    book = Xlsx(intake.zip)
    raw = book.custom_properties.get(metadata.PROPERTY)
    if raw is None:
        raise Rejected("not_exercise", "not a sheetprop exercise (no sheetprop metadata): fill in the workbook "
                                       "that `sheetprop generate` wrote")
    try:
        meta = metadata.decode(raw)
        givens = sources.from_description(meta["exercise"], meta["origin"])
    except (metadata.MetadataError, GivensError) as e:
        raise Rejected("bad_metadata", f"its sheetprop metadata cannot be used: {e}") from None
    graph = graph_for(givens.shape)
    recorded = meta["cells"]
    if set(recorded) != set(graph.ids):
        raise Rejected("bad_metadata", "its sheetprop metadata is incomplete")

    notes = list(notes)
    if meta.get("kind") == "solution":
        notes.append("solution_workbook")  # a generated key handed in as an answer
    if intake.kind == "xlsm":
        notes.append("macros_ignored")
    if book.external_links:
        notes.append("external_links")
    where: dict[str, tuple[str, str]] = {}
    missing = []
    for qid in graph.ids:
        ref = book.defined_names.get(qid)
        target = parse_reference(ref) if ref else None
        if target is None or target[0] not in book.sheets:
            missing.append(qid)
            target = (meta["sheet"], str(recorded[qid]).upper())
        where[qid] = target
    if missing:
        notes.append("names_missing")
    by_sheet: dict[str, list[str]] = {}
    for qid, (sheet, coord) in where.items():
        by_sheet.setdefault(sheet, []).append(coord)
    cells = {}
    for sheet, coords in by_sheet.items():
        if sheet not in book.sheets:
            raise Rejected("no_sheet", f"the exercise sheet {sheet!r} is gone: fill in the workbook as generated")
        cells[sheet] = book.read(sheet, coords)
    readings = {}
    for qid, (sheet, coord) in where.items():
        cell = cells[sheet][coord]
        if cell.formula and "[" in cell.formula:
            readings[qid] = Reading(None, "external", f"={cell.formula}"[:40])
        else:
            readings[qid] = read(cell)
    return Submission(path=intake.path, meta=meta, givens=givens, graph=graph, readings=readings,
                      cells={q: f"{s}!{c}" for q, (s, c) in where.items()}, notes=notes, missing_names=missing,
                      data=intake.data)
