"""From a handed-in file to what the student wrote: the exercise it belongs to and each cell's reading.

Cells are found by their defined names, so inserted rows or moved blocks do not
matter; where a name was deleted or broken, the address recorded at generation
is used instead, and the report says so.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from . import libreoffice, metadata, sources
from .graph import Graph, graph_for
from .intake import Intake, Rejected, identify, read_bytes, take_in
from .network import Givens, GivensError, Shape
from .ods import Ods
from .values import Reading, read
from .xlsx import Xlsx, parse_reference


@dataclass
class Submission:
    path: Path
    meta: metadata.Metadata
    givens: Givens
    graph: Graph
    readings: dict[str, Reading]
    cells: dict[str, str]  # id -> "Sheet!C12", where it was read
    notes: list[str] = field(default_factory=list)  # note codes: recalculated, names_missing, macros, ...
    missing_names: list[str] = field(default_factory=list)
    # A self-study workbook's givens against what its seed draws (integrity.against_its_seed):
    # None when they agree or there is nothing to draw again, else the first given that differs.
    seed_mismatch: dict | None = None


def load(path: Path, recalculate: bool = True) -> Submission:
    intake = take_in(path)
    notes = []
    sub = _read(intake, notes)
    if recalculate and any(r.reason == "no_result" for r in sub.readings.values()) and libreoffice.available():
        recalculated = _read(_via_libreoffice(intake), notes + ["recalculated"])
        recalculated.path = Path(path)
        return recalculated
    return sub


def _rebuilt_metadata(book: Xlsx) -> metadata.Metadata:
    """The exercise rebuilt from the workbook's own named given cells, for a file whose
    document properties were dropped on the way (some spreadsheet programs and online
    converters do). The givens are then the student's: a changed given cannot be told."""
    not_ours = Rejected("not_exercise", "not a sheetprop exercise (no sheetprop metadata, and no named "
                                        "cells of one): fill in the workbook that `sheetprop generate` wrote")
    names = book.defined_names
    count = lambda prefix: sum(1 for n in names if re.fullmatch(prefix + r"[0-9]+", n))  # noqa: E731
    n_in, n_out, n_w, n_b = count("i_"), count("target_o"), count("w_"), count("b_")
    if not n_in or not n_out or n_w % (n_in + n_out) or "eta" not in names:
        raise not_ours
    n_hidden = n_w // (n_in + n_out)
    bias = "neuron" if n_b == n_hidden + n_out and n_b != 2 else "layer" if n_b == 2 else "none" if n_b == 0 \
        else "neuron"
    try:
        shape = Shape(n_in, n_hidden, n_out, bias, "new_b_1" in names)
    except GivensError:
        raise not_ours from None
    graph = graph_for(shape)
    where = {}
    for qid in graph.ids:
        target = parse_reference(names.get(qid, ""))
        if target is None or target[0] not in book.sheets:
            raise not_ours
        where[qid] = target
    sheet = where[graph.ids[0]][0]
    cells = book.read(sheet, [where[q][1] for q in graph.given_ids])
    values = {}
    for qid in graph.given_ids:
        reading = read(cells[where[qid][1]])
        if reading.number is None:
            raise Rejected("bad_metadata", f"its sheetprop metadata is gone and the given {qid} cannot be read")
        values[qid] = reading.number
    return metadata.from_dict(
        {"format": metadata.FORMAT, "kind": "exercise", "origin": {"rebuilt": "from the given cells"},
         "lang": "en", "sheet": sheet, "cells": {q: c for q, (_, c) in where.items()},
         "exercise": {"layers": shape.label, "bias": shape.bias_mode, "train_biases": shape.train_biases,
                      "values": values}}, rebuilt=True)


def _via_libreoffice(intake: Intake) -> Intake:
    """A recalculated .xlsx copy made by LibreOffice in a private folder; the input is never touched."""
    if not libreoffice.available():
        raise Rejected("no_libreoffice", "LibreOffice is needed to recalculate it")
    with tempfile.TemporaryDirectory(prefix="sheetprop-check-") as tmp:
        src = Path(tmp) / f"submission.{intake.kind}"
        src.write_bytes(intake.data)
        try:
            out, = libreoffice.recalculate([src], Path(tmp) / "out", timeout=60)
        except libreoffice.LibreOfficeError as e:
            raise Rejected("libreoffice", f"LibreOffice could not open it ({e})") from None
        data = read_bytes(out)
    new_kind, z = identify(data)
    return Intake(intake.path, data, new_kind, z)


def _read(intake: Intake, notes: list[str]) -> Submission:
    book = Ods(intake.zip) if intake.kind == "ods" else Xlsx(intake.zip)  # each read from what was saved
    raw = book.custom_properties.get(metadata.PROPERTY)
    notes = list(notes)
    try:
        if raw is None:
            meta = _rebuilt_metadata(book)
            notes.append("metadata_rebuilt")
        else:
            meta = metadata.decode(raw)
    except metadata.MetadataError as e:
        raise Rejected("bad_metadata", str(e)) from None
    if meta.task == "xor":  # a training run (part 2): its own reader
        from .xor_check import read_run

        return read_run(intake, book, meta, notes)
    try:
        givens = sources.from_description(meta.exercise, meta.origin)
    except GivensError as e:
        raise Rejected("bad_metadata", f"its sheetprop metadata cannot be used: {e}") from None
    graph = graph_for(givens.shape)
    recorded = meta.cells
    if set(recorded) != set(graph.ids):
        raise Rejected("bad_metadata", "its sheetprop metadata is incomplete")

    if meta.kind == "solution":
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
            target = (meta.sheet, recorded[qid])
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
    if "solution_workbook" not in notes and _holds_the_solution(graph, where, cells, book, meta.sheet):
        notes.append("solution_workbook")  # its kind was edited, or the metadata dropped: the content tells
    return Submission(path=intake.path, meta=meta, givens=givens, graph=graph, readings=readings,
                      cells={q: f"{s}!{c}" for q, (s, c) in where.items()}, notes=notes, missing_names=missing)


# The generated solution writes each answer cell as its rule's formula over the defined names:
# formulas a student who types formulas writes alike (=w_1-eta*dE_dw_1 is the natural way to
# write it). What a student's exercise never says is the solution's title, in its locked
# first cell: a file with both is the generated key, whatever its metadata says.
SOLUTION_SHARE = 0.8
TITLE_CELL = "A1"


def _formula_key(text: str) -> str:
    return re.sub(r"\s+|\$|_xlfn\.", "", text.lstrip("=")).upper()


def _solution_title(text: str) -> bool:
    """Whether a title is the solution's in any language (its template's words around the
    network's description, whatever that says)."""
    from .text import LANGS
    from .text import text as words

    for lang in LANGS:
        template = words(lang).data["sheet"]["solution_title"]
        head, tail = template.split("{", 1)[0], template.rsplit("}", 1)[-1]
        if len(text) > len(head) + len(tail) and text.startswith(head) and text.endswith(tail):
            return True
    return False


def _title(book: Xlsx, sheet: str) -> str:
    if sheet not in book.sheets:
        return ""
    cell = book.read(sheet, [TITLE_CELL])[TITLE_CELL]
    return cell.text if cell.kind == "text" and isinstance(cell.text, str) else ""


def _holds_the_solution(graph: Graph, where: dict, cells: dict, book: Xlsx, sheet: str) -> bool:
    answers = graph.answer_ids
    same = 0
    for qid in answers:
        sheet, coord = where[qid]
        formula = cells[sheet][coord].formula
        if formula and _formula_key(formula) == _formula_key(graph[qid].expr.excel()):
            same += 1
    # The title is read only for a file of formulas: most files have none.
    return bool(answers) and same >= SOLUTION_SHARE * len(answers) and _solution_title(_title(book, sheet))
