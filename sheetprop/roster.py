"""A teacher's class: one variant per student, derived from the student's id and a class secret.

The seed is an HMAC of the id (and a re-seed round) under the secret, so the ids
alone do not reveal the seeds; the manifest records every seed so that any one
workbook can be regenerated, and one student re-seeded without touching the others.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from . import metadata
from .inert import csv_cell, from_csv_cell, terminal
from .network import GivensError, Shape
from .sources import from_seed
from .write import write_pair

SECRET_ENV = "SHEETPROP_SECRET"
MANIFEST = "manifest.csv"
MANIFEST_COLUMNS = ["id", "name", "round", "seed", "rules", "exercise", "solution"]


def recorded_rules(row: dict | None) -> int:
    """The drawing rules a manifest row's variant was drawn with: a class made by sheetprop
    0.1.0 has no such column, and its rules were 1."""
    value = str((row or {}).get("rules", "")).strip()
    return int(value) if value.isdigit() else 1
MAX_ROSTER_BYTES = 5 * 1024 * 1024


class RosterError(ValueError):
    pass


@dataclass
class Student:
    id: str
    name: str = ""
    round: int = 0  # bumped by a re-seed


def seed_for(secret: str, student_id: str, round_: int = 0) -> int:
    msg = student_id if round_ == 0 else f"{student_id}#{round_}"
    digest = hmac.new(secret.encode("utf-8"), msg.encode("utf-8"), hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big") >> 1  # 63 bits: a non-negative seed


# Letters that Unicode does not decompose into a base letter and an accent.
_SPELLED = str.maketrans({"ß": "ss", "ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE",
                          "đ": "d", "Đ": "D", "ł": "l", "Ł": "L", "þ": "th", "Þ": "Th", "ı": "i"})


def safe_name(student_id: str) -> str:
    """The id as it may appear in a file name, still readable: accents dropped (andré.souza →
    andre.souza), anything else outside letters, digits, '.', '_' and '-' made '_'."""
    plain = unicodedata.normalize("NFKD", student_id.translate(_SPELLED))
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch))
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", plain).strip("._") or "student"
    return cleaned[:60]


def _unusable(text: str) -> str | None:
    """Why a roster's id or name cannot go into a workbook (XML holds no control characters),
    or None. Checked per student, so that one bad line does not stop the class."""
    for ch in text:
        if unicodedata.category(ch) in ("Cc", "Cs") and ch not in "\t":
            return f"a control character (U+{ord(ch):04X})"
    return None


def read_roster(path: Path, skipped: list[str] | None = None) -> list[Student]:
    """The roster's students. A line whose id or name holds a control character is left
    out with a line in `skipped` (when given) saying why; any other problem is a RosterError."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise RosterError(f"cannot read the roster {path}: {e.strerror or e}") from None
    if len(raw) > MAX_ROSTER_BYTES:
        raise RosterError("the roster is too large")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")  # old spreadsheet exports
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = list(csv.reader(io.StringIO(text), dialect))
    rows = [r for r in rows if any(cell.strip() for cell in r)]
    if not rows:
        raise RosterError("the roster is empty")
    header = [h.strip().lower() for h in rows[0]]
    if "id" not in header:
        raise RosterError("the roster needs a header row with an 'id' column (and optionally 'name')")
    i_id = header.index("id")
    i_name = header.index("name") if "name" in header else None
    students, seen, files = [], set(), {}
    for n, row in enumerate(rows[1:], start=2):
        sid = row[i_id].strip() if i_id < len(row) else ""
        if not sid:
            raise RosterError(f"roster line {n} has no id")
        if sid in seen:
            raise RosterError(f"roster line {n}: the id {sid!r} appears twice")
        fname = safe_name(sid)
        if fname in files:
            raise RosterError(f"roster line {n}: ids {files[fname]!r} and {sid!r} give the same file name")
        seen.add(sid)
        files[fname] = sid
        name = row[i_name].strip() if i_name is not None and i_name < len(row) else ""
        why = _unusable(sid) or _unusable(name)
        if why is not None:
            if skipped is None:
                raise RosterError(f"roster line {n}: the id or name holds {why}")
            skipped.append(f"roster line {n} ({terminal(sid, 60)}): skipped, its id or name holds {why}; "
                           "fix the roster and run the command again")
            continue
        students.append(Student(sid, name))
    return students


def read_manifest(folder: Path) -> dict[str, dict]:
    path = Path(folder) / MANIFEST
    if not path.exists():
        return {}
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = [{k: from_csv_cell(v) if isinstance(v, str) else v for k, v in row.items()}
                for row in csv.DictReader(f)]
    return {row["id"]: row for row in rows}


def generate_class(roster: Path, out_dir: Path, secret: str, lang: str = "en", shape: Shape = Shape(),
                   reseed: tuple[str, ...] = (), force: bool = False, progress=None,
                   min_digits: int = 3) -> tuple[list[dict], list[str]]:
    """The manifest's rows, and one line for each student left out (the others are all written)."""
    if not secret:
        raise RosterError(f"a class needs a secret: --secret or the environment variable {SECRET_ENV}")
    skipped: list[str] = []
    students = read_roster(roster, skipped)
    out_dir = Path(out_dir)
    previous = read_manifest(out_dir)
    unknown = [s for s in reseed if s not in {st.id for st in students}]
    if unknown:
        raise RosterError(f"not in the roster: {', '.join(unknown)}")
    rows = []
    for n, st in enumerate(students):
        old = previous.get(st.id)
        st.round = int(old["round"]) if old and str(old.get("round", "")).isdigit() else 0
        if old and str(old.get("seed")) != str(seed_for(secret, st.id, st.round)):
            raise RosterError(f"the folder '{out_dir}' holds a class made with another secret (student "
                              f"{st.id}'s seed differs): give that class's secret, or choose another --out folder")
        fname = safe_name(st.id)
        exercise = Path("exercises") / f"sheetprop-{fname}-exercise.xlsx"
        solution = Path("solutions") / f"sheetprop-{fname}-solution.xlsx"
        if old and not force:
            # A student keeps the file names the manifest gave them, even where an older sheetprop
            # spelled the id differently (andr_.souza): their workbook is already out there.
            exercise, solution = _recorded(old, "exercise", exercise), _recorded(old, "solution", solution)
        # Regenerate a new student, a missing file, a re-seeded student; the others stay untouched.
        redo = force or not old or st.id in reseed or not (out_dir / exercise).exists() \
            or not (out_dir / solution).exists()
        # The same round draws the same variant again, by the rules it was first drawn with (a class
        # regenerated after an upgrade); a new student or a new round, by today's.
        rules = recorded_rules(old) if old and st.id not in reseed else None
        if st.id in reseed:
            st.round += 1
        seed = seed_for(secret, st.id, st.round)
        if redo:
            try:
                g = from_seed(seed, shape, rules)
            except GivensError as e:
                raise RosterError(str(e)) from None
            # No seed in the student's file: the manifest keeps it for the teacher.
            # (The drawing rules' version stays: the same seed must keep drawing the same variant.)
            kept = {k: g.origin[k] for k in ("rules",) if k in g.origin}
            g = g.with_values(origin={"student": st.id, **({"name": st.name} if st.name else {}), **kept})
            ex_path, sol_path = _paths(out_dir, exercise, solution)
            try:
                write_pair(g, ex_path.parent, lang=lang, force=True, solution_dir=sol_path.parent,
                           student={"id": st.id, "name": st.name}, stem=f"sheetprop-{fname}", min_digits=min_digits,
                           seal_key=metadata.seal_key(secret))
            except ValueError as e:  # openpyxl refusing a value: this student only
                skipped.append(f"{terminal(st.id, 60)}: skipped, its workbook cannot be written "
                               f"({terminal(e, 120)})")
                continue
        rows.append({"id": st.id, "name": st.name, "round": st.round, "seed": seed,
                     "rules": g.origin.get("rules", 1) if redo else recorded_rules(old),
                     "exercise": exercise.as_posix(), "solution": solution.as_posix(), "written": redo})
        if progress:
            progress(n + 1, len(students))
    out_dir.mkdir(parents=True, exist_ok=True)
    with open(out_dir / MANIFEST, "w", encoding="utf-8-sig", newline="") as f:
        w = csv.DictWriter(f, MANIFEST_COLUMNS, extrasaction="ignore")
        w.writeheader()
        # Ids and names are the roster's (often typed by students): text, never formulas.
        w.writerows({k: csv_cell(v) for k, v in row.items()} for row in rows)
    return rows, skipped


def _recorded(row: dict, key: str, default: Path) -> Path:
    """The manifest's file name for a student, if it is a plain one in the expected folder."""
    recorded = Path(str(row.get(key) or ""))
    if recorded.parent == default.parent and recorded.suffix == ".xlsx" and recorded.name.startswith("sheetprop-"):
        return recorded
    return default


def _paths(out_dir: Path, exercise: Path, solution: Path):
    return out_dir / exercise, out_dir / solution


@dataclass
class Class:
    """A class as `check --class` sees it: the roster in its order, each student's seed, the
    seal key; read from the folder `generate --roster` wrote and the class secret."""

    folder: Path
    students: list[Student]
    seeds: dict[str, int]  # id -> the seed of the student's current round
    secret: str
    exercises: dict[str, str] = field(default_factory=dict)  # id -> the exercise's path in the folder
    rules: dict[str, int] = field(default_factory=dict)  # id -> the drawing rules of their variant
    _copies: dict = field(default_factory=dict, repr=False)

    def rules_of(self, student_id: str) -> int:
        """The drawing rules the class folder says the student's variant was drawn with (the
        teacher's record, not the file's claim; 1 for a class made by sheetprop 0.1.0)."""
        return self.rules.get(student_id, 1)

    @property
    def ids(self) -> list[str]:
        return [s.id for s in self.students]

    def __contains__(self, student_id: str) -> bool:
        return student_id in self._by_id

    @property
    def seal_key(self) -> bytes:
        return metadata.seal_key(self.secret)

    def __post_init__(self):
        self._by_id = {s.id: s for s in self.students}
        self._seeds: dict[str, list[int]] = {}
        # Each id as it may stand in a file name: as typed, and as `generate` spells it in one.
        self.ids_by_token = {}
        for s in self.students:
            for token in (s.id.lower(), safe_name(s.id).lower()):
                self.ids_by_token.setdefault(token, s.id)

    def seeds_of(self, student_id: str) -> list[int]:
        """Every seed the student has had, the current one first (a re-seed keeps the old
        workbooks recognisable as earlier variants rather than forgeries)."""
        if student_id not in self._seeds:
            st = self._by_id[student_id]
            self._seeds[student_id] = [seed_for(self.secret, st.id, r) for r in range(st.round, -1, -1)]
        return self._seeds[student_id]

    def name_of(self, student_id: str) -> str:
        st = self._by_id.get(student_id)
        return st.name if st else ""

    def copy_of(self, student_id: str):
        """The student's exercise as the class folder holds it (a Submission), or None if it is not
        there or unreadable: what a hand-in is compared with where the seal cannot speak."""
        if student_id not in self._copies:
            from .intake import Rejected
            from .submission import load

            rel = self.exercises.get(student_id)
            try:
                self._copies[student_id] = load(self.folder / rel, recalculate=False) if rel else None
            except Rejected:
                self._copies[student_id] = None
        return self._copies[student_id]

    def shape_of(self, student_id: str):
        """The network of the student's exercise: what a hand-in that lost its metadata cannot say."""
        copy = self.copy_of(student_id)
        return copy.graph.shape if copy is not None else None


def load_class(folder: Path, secret: str | None) -> Class:
    folder = Path(folder)
    if not secret:
        raise RosterError(f"checking a class needs its secret: --secret or the environment variable {SECRET_ENV}")
    if not (folder / MANIFEST).is_file():
        raise RosterError(f"{folder} is not a class folder: it has no {MANIFEST} (write one with "
                          f"`sheetprop generate --roster`)")
    try:
        rows = list(read_manifest(folder).values())
    except (OSError, UnicodeDecodeError, csv.Error, KeyError) as e:
        raise RosterError(f"cannot read {folder / MANIFEST}: {e}") from None
    students, seeds, exercises, rules = [], {}, {}, {}
    for row in rows:
        round_ = int(row["round"]) if str(row.get("round", "")).isdigit() else 0
        st = Student(row["id"], row.get("name") or "", round_)
        seed = seed_for(secret, st.id, round_)
        if str(row.get("seed")) != str(seed):
            raise RosterError(f"{folder}: this is not the secret this class was made with (student {st.id})")
        students.append(st)
        seeds[st.id] = seed
        exercises[st.id] = row.get("exercise") or ""
        rules[st.id] = recorded_rules(row)
    if not students:
        raise RosterError(f"the class in {folder} has no students")
    return Class(folder, students, seeds, secret, exercises, rules)
