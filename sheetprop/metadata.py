"""What a workbook carries about itself, so that it can be checked with no other input.

Stored as a custom document property (docProps/custom.xml): invisible on the sheet,
kept by Excel and by LibreOffice when they save (a test makes sure), and holding
no answer, only what is needed to rebuild the exercise.

The property is untrusted: a student can read and edit it (File → Properties). It is
parsed and validated once, here, into a `Metadata` record that every other module reads;
a bad field is one clear line. A class workbook also carries a seal: an HMAC of the
canonical metadata under a key derived from the class secret, so that an edited field
(the student's id, the kind, a given) can be told from what the generator wrote.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import re
from dataclasses import dataclass, field

from . import __version__

PROPERTY = "sheetprop"
FORMAT = 1
KINDS = ("exercise", "solution")
SEAL_KEY = "seal"

_ID = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
_COORD = re.compile(r"\$?[A-Z]{1,3}\$?[0-9]{1,7}")
_HEX = re.compile(r"[0-9a-f]{64}")
# Long enough for any honest id, name or file name; a longer one is not ours.
MAX_TEXT = 300


# What the exercise asks of the student when the workbook does not say (made before it could).
DEFAULT_OPTIONS = {"min_digits": 3}
LAYOUTS = ("rows", "byhand")
# step: one training step (part 1); xor: a training run (part 2), whose `cells` is its own
# record (xor_check.py reads and checks it).
TASKS = ("step", "xor")


class MetadataError(ValueError):
    pass


@dataclass(frozen=True)
class Student:
    id: str
    name: str = ""

    def as_dict(self) -> dict:
        return {"id": self.id, "name": self.name}


@dataclass(frozen=True)
class Metadata:
    """The validated metadata of one workbook.

    `exercise` and `origin` are passed on to sources.from_description as they are: keys this
    module does not know (a newer description's activation, a drawing rules' version) are
    not refused here; from_description decides what a description may hold.
    """

    kind: str
    lang: str
    sheet: str
    cells: dict[str, str]
    exercise: dict
    origin: dict
    student: Student | None = None
    format: int = FORMAT
    version: str = ""
    seal: str | None = None
    rebuilt: bool = False  # the property was gone; this was rebuilt from the named given cells
    layout: str = "rows"  # which drawing of the step; `cells` says where each quantity is
    task: str = "step"
    options: dict = field(default_factory=lambda: dict(DEFAULT_OPTIONS))  # what the exercise asks (min_digits)
    data: dict = field(default_factory=dict, repr=False, compare=False)  # as parsed, for the seal

    def to_wire(self) -> tuple:
        """Plain values for another process (batch.py); from_wire trusts them: they were validated here."""
        return (self.kind, self.lang, self.sheet, self.cells, self.exercise, self.origin,
                (self.student.id, self.student.name) if self.student else None, self.format, self.version,
                self.seal, self.rebuilt, self.layout, self.options, self.task, self.data)

    @classmethod
    def from_wire(cls, w: tuple) -> "Metadata":
        (kind, lang, sheet, cells, exercise, origin, student, format_, version, seal_, rebuilt, layout, options, task,
         data) = w
        return cls(kind, lang, sheet, cells, exercise, origin, Student(*student) if student else None, format_,
                   version, seal_, rebuilt, layout, options, task, data)

    @property
    def student_id(self) -> str:
        return self.student.id if self.student else ""

    @property
    def student_name(self) -> str:
        return self.student.name if self.student else ""

    # Read like the JSON it came from, with validated values, so that code written against
    # the plain dict of sheetprop 0.1.0 keeps working.
    def get(self, key: str, default=None):
        value = {"kind": self.kind, "lang": self.lang, "sheet": self.sheet, "cells": self.cells,
                 "exercise": self.exercise, "origin": self.origin, "format": self.format,
                 "sheetprop": self.version, "student": self.student.as_dict() if self.student else None,
                 SEAL_KEY: self.seal, "layout": self.layout, "options": self.options, "task": self.task}.get(key)
        return default if value is None else value

    def __getitem__(self, key: str):
        value = self.get(key)
        if value is None:
            raise KeyError(key)
        return value

    def __contains__(self, key: str) -> bool:
        return self.get(key) is not None


def encode(*, kind: str, description: dict, origin: dict, lang: str, sheet: str, cells: dict,
           student: dict | None = None, layout: str = "rows", options: dict | None = None,
           seal_key: bytes | None = None) -> str:
    data = {
        "format": FORMAT,
        "sheetprop": __version__,
        "kind": kind,
        "origin": origin,
        "lang": lang,
        "exercise": description,
        "sheet": sheet,
        "cells": cells,
    }
    if student:
        data["student"] = student
    if layout != "rows":  # which drawing of the step; the cells above say where each quantity is
        data["layout"] = layout
    data["options"] = {**DEFAULT_OPTIONS, **(options or {})}
    if seal_key is not None:
        data[SEAL_KEY] = seal(data, seal_key)
    return json.dumps(data, separators=(",", ":"), sort_keys=True)


def canonical(data: dict) -> bytes:
    """The metadata as sealed: every key but the seal, sorted, compact, ASCII (a program that
    re-wrote the property with other spacing or escapes leaves this unchanged)."""
    rest = {k: v for k, v in data.items() if k != SEAL_KEY}
    return json.dumps(rest, separators=(",", ":"), sort_keys=True, ensure_ascii=True).encode("ascii")


def seal_key(secret: str) -> bytes:
    """A key for seals, derived from the class secret apart from the seeds' (roster.seed_for)."""
    return hmac.new(secret.encode("utf-8"), b"sheetprop metadata seal 1", hashlib.sha256).digest()


def seal(data: dict, key: bytes) -> str:
    return hmac.new(key, canonical(data), hashlib.sha256).hexdigest()


def seal_holds(meta: Metadata, key: bytes, **changes) -> bool:
    """Whether the seal is the one the class secret gives this metadata (with `changes` to its
    fields, e.g. kind="solution" to ask whether a solution's kind was edited)."""
    if meta.seal is None or not meta.data:
        return False
    data = dict(meta.data)
    for name, value in changes.items():
        data[name] = value
    return hmac.compare_digest(meta.seal, seal(data, key))


def decode(raw: str) -> Metadata:
    try:
        data = json.loads(raw)
    except (TypeError, ValueError, RecursionError):
        raise MetadataError("its sheetprop metadata is damaged") from None
    return from_dict(data)


def from_dict(data, rebuilt: bool = False) -> Metadata:
    if not isinstance(data, dict) or not _is_int(data.get("format")):
        raise MetadataError("its sheetprop metadata is damaged")
    if data["format"] > FORMAT:
        raise MetadataError(f"it was made by a newer sheetprop ({_short(data.get('sheetprop'))}); upgrade sheetprop")
    for key, kind in (("exercise", dict), ("cells", dict), ("sheet", str), ("origin", dict)):
        if not isinstance(data.get(key), kind):
            raise MetadataError("its sheetprop metadata is incomplete")
    kind = data.get("kind", "exercise")
    if kind not in KINDS:
        raise MetadataError(f"its sheetprop metadata has an unknown kind {_short(kind)} (exercise or solution)")
    lang = _lang(data.get("lang", "en"))
    sheet = data["sheet"]
    if not 0 < len(sheet) <= 31 or not _text_ok(sheet):
        raise MetadataError("its sheetprop metadata names no usable sheet")
    task = data.get("task", "step")
    if task not in TASKS:
        raise MetadataError(f"its sheetprop metadata has an unknown task {_short(task)}")
    cells = {}
    if task == "xor":
        cells = data["cells"]  # a training run's own record: xor_check.read_run checks it
    else:
        for qid, coord in data["cells"].items():
            if not _ID.fullmatch(qid) or not isinstance(coord, str) or not _COORD.fullmatch(coord.upper()):
                raise MetadataError(f"its sheetprop metadata has a bad cell address for {_short(qid)}")
            cells[qid] = coord.upper().replace("$", "")
    exercise = data["exercise"]
    _check_description(exercise)
    origin = data["origin"]
    for key, value in origin.items():
        if not isinstance(value, (str, int, float, bool)) or isinstance(value, str) and not _text_ok(value):
            raise MetadataError(f"its sheetprop metadata has a bad origin field {_short(key)}")
    if "seed" in origin and not (_is_int(origin["seed"]) and origin["seed"] >= 0):
        raise MetadataError("its sheetprop metadata has a seed that is not a whole number")
    student = _student(data.get("student"))
    version = data.get("sheetprop", "")
    if not isinstance(version, str) or len(version) > 40:
        raise MetadataError("its sheetprop metadata has a bad version")
    sealed = data.get(SEAL_KEY)
    if sealed is not None and (not isinstance(sealed, str) or not _HEX.fullmatch(sealed)):
        raise MetadataError("its sheetprop metadata has a damaged seal")
    layout = data.get("layout", "rows")
    if layout not in LAYOUTS:
        raise MetadataError(f"its sheetprop metadata has an unknown layout {_short(layout)}")
    return Metadata(kind=kind, lang=lang, sheet=sheet, cells=cells, exercise=exercise, origin=origin,
                    student=student, format=data["format"], version=version, seal=sealed, rebuilt=rebuilt,
                    layout=layout, options=_options(data.get("options")), task=task, data=data)


def _options(raw) -> dict:
    """What the exercise asks of the student; a missing or odd value is the default (it changes
    what earns points only within what the exercise's own instructions state)."""
    options = dict(DEFAULT_OPTIONS)
    n = raw.get("min_digits") if isinstance(raw, dict) else None
    if _is_int(n) and 1 <= n <= 15:
        options["min_digits"] = n
    return options


def min_digits(meta) -> int:
    """The significant digits the exercise asked for, as its instructions stated them."""
    options = meta.get("options")
    return options["min_digits"] if isinstance(options, dict) and "min_digits" in options \
        else DEFAULT_OPTIONS["min_digits"]


def _check_description(desc: dict):
    """The fields sheetprop has always written, with the types it writes them in; others pass."""
    layers = desc.get("layers", "2-2-1")
    if not isinstance(layers, str) or not re.fullmatch(r"[0-9]{1,2}-[0-9]{1,2}-[0-9]{1,2}", layers):
        raise MetadataError(f"its sheetprop metadata has bad layers {_short(layers)} (written like \"2-2-1\")")
    if not isinstance(desc.get("bias", "neuron"), str):
        raise MetadataError("its sheetprop metadata has a bad bias mode")
    if not isinstance(desc.get("train_biases", True), bool):
        raise MetadataError("its sheetprop metadata has a bad train_biases (true or false)")
    values = desc.get("values")
    if not isinstance(values, dict):
        raise MetadataError("its sheetprop metadata has no givens")
    for qid, v in values.items():
        if not _ID.fullmatch(qid) or isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
            raise MetadataError(f"its sheetprop metadata has a bad given {_short(qid)}")


def _student(raw) -> Student | None:
    if raw is None:
        return None
    if not isinstance(raw, dict) or not isinstance(raw.get("id"), str) or not isinstance(raw.get("name", ""), str):
        raise MetadataError("its sheetprop metadata has a bad student (an id and a name, as text)")
    sid, name = raw["id"], raw.get("name", "")
    if not sid.strip() or not _text_ok(sid) or not _text_ok(name):
        raise MetadataError("its sheetprop metadata has a bad student id or name")
    return Student(sid, name)


def _lang(raw) -> str:
    from .text import normalize_lang

    # The language only chooses the report's words: an unknown one reads as English rather
    # than costing the student their grade.
    try:
        return normalize_lang(raw) if isinstance(raw, str) else "en"
    except ValueError:
        return "en"


def _is_int(x) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


def _text_ok(s: str) -> bool:
    """Text an honest program writes: not too long. (A lone surrogate is let through: every
    output escapes it, see inert.py.)"""
    return len(s) <= MAX_TEXT


def _short(x) -> str:
    """A value from the file, shown safely in a message: repr (escapes controls), cut short."""
    r = repr(x)
    r = r.encode("ascii", "backslashreplace").decode("ascii")
    return r if len(r) <= 40 else r[:37] + "..."
