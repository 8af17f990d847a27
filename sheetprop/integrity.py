"""Whether a handed-in workbook is the exercise it claims to be: verified, not trusted.

A workbook says what it is in its metadata, which a student can edit. The class folder
and secret say what each student's exercise is: the seed is an HMAC of the id, so the
variant can be drawn again and every given compared; a class workbook also carries a seal
(metadata.seal) that no one without the secret can make. A self-study workbook made from
`--seed` is drawn again from its seed. What does not hold gets a flag, and a forged
exercise or a solution handed in earns nothing, with the reason. A workbook whose metadata
an honest program dropped (Google Sheets does) is known by its given cells instead.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from . import metadata, sources, variants
from .graph import graph_for
from .network import Givens, GivensError, Shape

if TYPE_CHECKING:  # check.py draws self-study variants in its workers with against_its_seed
    from .check import FileResult
    from .submission import Submission

# Kinds of flag that take the score to 0, the one given as the reason first.
VOIDING = ("solution_workbook", "givens_forged", "other_student_variant", "metadata_edited")
# Givens are numbers with two decimals (or a teacher's own, kept to 15 digits): equal means
# equal to the last digits a spreadsheet keeps.
SAME = 1e-9
# A file names at most this many others on its variant.
MAX_OTHERS = 10


@dataclass
class Standing:
    """What the verification says of one file: whose it is, its flags, why it earns nothing."""

    student: str = ""  # the roster id it is credited to ("" when it fits no roster student)
    flags: list[dict] = field(default_factory=list)
    void: str | None = None
    counted: bool = True  # False for an earlier hand-in of a student who handed in again

    def flag(self, kind: str, **fields):
        self.flags.append({"kind": kind, **fields})
        if kind in VOIDING and (self.void is None or VOIDING.index(kind) < VOIDING.index(self.void)):
            self.void = kind


class _Variants:
    """Variants drawn again from seeds, each once (up to `size` kept)."""

    def __init__(self, size: int = 4096):
        self._cache: dict[tuple, Givens | None] = {}
        self.size = size
        self.indexes: dict[tuple, dict] = {}  # a class's variants by their givens (_whose)

    def draw(self, seed: int, shape: Shape, rules=None) -> Givens | None:
        key = (seed, shape, rules)
        if key not in self._cache:
            if len(self._cache) >= self.size:
                self._cache.clear()
            try:
                self._cache[key] = sources.from_seed(seed, shape) if rules is None \
                    else sources.from_seed(seed, shape, rules=rules)
            except (GivensError, TypeError, ValueError):
                self._cache[key] = None  # a rules version or shape no draw knows: nothing matches it
        return self._cache[key]


def given_values(givens: Givens) -> dict[str, float]:
    return graph_for(givens.shape).given_values(givens)


def claimed_givens(result: FileResult) -> dict[str, float]:
    """The givens as the file's metadata states them (validated numbers: metadata.py)."""
    return {k: float(v) for k, v in result.submission.meta.exercise["values"].items()}


def cell_givens(result: FileResult) -> dict[str, float | None]:
    """The givens as the file's cells hold them (None where a given cell cannot be read)."""
    values = claimed_givens(result)
    for ch in result.grade.changed_givens:
        values[ch.id] = ch.value
    return values


def same_values(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(
        a[k] is not None and abs(a[k] - b[k]) <= SAME * max(1.0, abs(b[k])) for k in a)


def first_difference(found: dict, want: dict) -> dict:
    for k in want:
        if k not in found or found[k] is None or abs(found[k] - want[k]) > SAME * max(1.0, abs(want[k])):
            return {"id": k, "found": found.get(k), "expected": want[k]}
    return {"id": min(set(found) - set(want), default=""), "found": None, "expected": None}


def variant_key(result: FileResult) -> str:
    """The network and its givens, the same for two files of one variant however written."""
    values = {k: float(f"{v:.12g}") for k, v in claimed_givens(result).items()}
    return json.dumps([list(result.submission.graph.shape), values], sort_keys=True)


def verify(results: list[FileResult], klass=None) -> list[Standing]:
    """A Standing per result; voids the grade (score 0, the reason kept) of a forged file."""
    variants = _Variants()
    standings = [Standing() for _ in results]
    for r, st in zip(results, standings):
        if r.submission is not None and getattr(r.submission, "task", "step") != "step":
            # A training run or trace (part 2): self-study only, nothing to draw it again from;
            # but a generated solution handed in earns nothing, as in part 1.
            if "solution_workbook" in r.submission.notes:
                st.flag("solution_workbook")
            continue
        if klass is not None:
            _against_class(r, st, klass, variants)
        elif r.error is None:
            _self_study(r, st)
    if klass is not None:
        _same_variant_two_ids(results, standings)
        _several_hand_ins(results, standings)
    for r, st in zip(results, standings):
        if st.void is not None and r.grade is not None:
            r.grade.void = st.void
    return standings


# Each process keeps the variants it drew: a batch of one shared --seed exercise draws it once.
_SEEDS = _Variants(size=256)


def against_its_seed(sub: Submission) -> dict | None:
    """A self-study workbook's givens against what its seed (or preset) gives: None when they
    agree or nothing can be drawn again (a class workbook, a teacher's givens file, lost
    metadata), else the first given that differs."""
    meta = sub.meta
    origin = meta.origin
    if meta.rebuilt or "student" in origin or meta.student is not None:
        return None  # a class workbook is verified with its class (--class)
    values = {k: float(v) for k, v in meta.exercise["values"].items()}
    if "seed" in origin:
        try:  # the quick way, for the honest file: is it a good candidate of its seed's stream?
            if variants.is_drawn_from(origin["seed"], sub.graph.shape, values, origin.get("rules", 1)):
                return None
        except (GivensError, TypeError, ValueError):
            pass
        # a workbook that names no rules was drawn by sheetprop 0.1.0: rules 1
        want = _SEEDS.draw(origin["seed"], sub.graph.shape, origin.get("rules", 1))
    elif "preset" in origin and origin["preset"] in sources.PRESETS:
        want = sources.from_preset(origin["preset"])
    else:
        return None  # a teacher's own givens file: the workbook is all there is
    if want is not None and same_values(values, given_values(want)):
        return None
    return first_difference(values, given_values(want)) if want is not None else {}


def _self_study(r: FileResult, st: Standing):
    if "solution_workbook" in r.submission.notes:
        st.flag("solution_workbook")
    if r.submission.meta.rebuilt:  # nothing to verify it against without its class
        st.flag("metadata_rebuilt")
    if r.submission.seed_mismatch is not None:
        st.flag("givens_forged", other="", **r.submission.seed_mismatch)


def claimed_by_name(path: str, klass) -> str:
    """The roster id a file's name carries (sheetprop-<id>-exercise.xlsx, 2024001.xlsx), or "":
    the longest stretch of the name between two non-alphanumeric boundaries that is an id."""
    name = Path(path).name.lower()[:200]
    breaks = [i for i, ch in enumerate(name) if not ch.isalnum()][:40]  # a name is a few words
    starts, ends = [0] + [i + 1 for i in breaks], breaks + [len(name)]
    found, best = "", ""
    for a in starts:
        for b in ends:
            token = name[a:b]
            if b > a and len(token) > len(found) and token in klass.ids_by_token:
                found, best = token, klass.ids_by_token[token]
    return best


def _value_key(values: dict) -> tuple:
    """Givens as a lookup key: to 9 significant digits, well inside what tells two variants apart."""
    return tuple(sorted((k, None if v is None else float(f"{v:.9g}")) for k, v in values.items()))


def _whose(values: dict, shape: Shape, rules, klass, variants: _Variants, own_shapes: bool = False) -> tuple[str, bool]:
    """The roster student whose variant these givens are, and whether it is their current one.
    own_shapes: draw each student's variant with the network of their exercise in the class
    folder (a workbook that lost its metadata cannot say its activations or loss)."""
    index = variants.indexes.get((shape, rules, own_shapes))
    if index is None:  # every student's variants, drawn once per batch and looked up by their givens
        index = {}
        for sid in klass.ids:
            for n, seed in enumerate(klass.seeds_of(sid)):
                want = variants.draw(seed, (klass.shape_of(sid) or shape) if own_shapes else shape,
                                     klass.rules_of(sid) if rules is None else rules)
                if want is not None:
                    index.setdefault(_value_key(given_values(want)), (sid, n == 0))
        variants.indexes[(shape, rules, own_shapes)] = index
    return index.get(_value_key(values), ("", False))


def _against_class(r: FileResult, st: Standing, klass, variants: _Variants):
    by_name = claimed_by_name(r.path, klass)
    if r.error is not None:
        st.student = by_name  # whose error it is, as far as the name tells
        return
    sub = r.submission
    meta, shape = sub.meta, sub.graph.shape
    if "solution_workbook" in sub.notes:
        st.flag("solution_workbook")
    rules = None  # each student's variant by the rules the class folder records (Class.rules_of)
    if meta.rebuilt:
        # Lost on the way through an honest program, or stripped: the given cells say whose it is.
        whose, current = _whose(cell_givens(r), shape, rules, klass, variants, own_shapes=True)
        if not whose:
            st.student = by_name
            st.flag("givens_forged", other=by_name, none=True)
        elif by_name and by_name != whose:
            st.student = by_name
            st.flag("other_student_variant", other=whose)
        else:
            st.student = whose
            st.flag("identified_by_givens", other=whose)
            if not current:
                st.flag("earlier_variant", other=whose)
        return
    claimed = meta.student_id
    if meta.seal is not None:
        if metadata.seal_holds(meta, klass.seal_key):
            pass
        elif metadata.seal_holds(meta, klass.seal_key, kind="solution"):
            if not any(f["kind"] == "solution_workbook" for f in st.flags):
                st.flag("solution_workbook")
            st.flag("metadata_edited", field="kind")
        else:
            st.flag("metadata_edited")
    elif claimed in klass:  # (a workbook naming no student of the class was never sealed for it)
        st.flag("unsealed")
        _against_the_copy(meta, klass, st)
    values = claimed_givens(r)
    if claimed not in klass:
        # A workbook naming no student (a self-study one, say) is its file name's student's
        # wrong hand-in; one naming a stranger is listed apart.
        st.student = "" if claimed else by_name
        st.flag("not_in_roster", other=claimed)
        whose, _ = _whose(values, shape, rules, klass, variants)
        if whose:
            st.flag("other_student_variant", other=whose)
        else:
            st.flag("givens_forged", other="", none=True)
        return
    st.student = claimed
    if by_name and by_name != claimed:  # B hands in A's workbook under B's name: A's, but say so
        st.flag("name_mismatch", other=by_name)
    seeds = klass.seeds_of(claimed)
    for n, seed in enumerate(seeds):
        want = variants.draw(seed, shape, klass.rules_of(claimed))
        if want is not None and same_values(values, given_values(want)):
            if n:
                st.flag("earlier_variant", other=claimed)
            return
    whose, _ = _whose(values, shape, rules, klass, variants)
    if whose:
        st.flag("other_student_variant", other=whose)
    else:
        want = variants.draw(seeds[0], shape, klass.rules_of(claimed))
        detail = first_difference(values, given_values(want)) if want is not None else {}
        st.flag("givens_forged", other=claimed, **detail)


# What the class folder's copy of an exercise and a hand-in must share (the givens are drawn again).
COMPARED = ("kind", "lang", "sheet", "cells", "student")


def _against_the_copy(meta: metadata.Metadata, klass, st: Standing):
    """An unsealed workbook (a class of sheetprop 0.1.0) against the class folder's copy of the
    exercise of the student it names: every field but the givens, which are drawn again."""
    copy = klass.copy_of(meta.student_id) if meta.student_id in klass else None
    if copy is None:
        return
    theirs = copy.meta
    fields = [k for k in COMPARED if meta.get(k) != theirs.get(k)]
    fields += [f"exercise.{k}" for k in sorted(set(meta.exercise) | set(theirs.exercise))
               if k != "values" and meta.exercise.get(k) != theirs.exercise.get(k)]
    if fields:
        st.flag("metadata_mismatch", fields=fields)


def _same_variant_two_ids(results: list[FileResult], standings: list[Standing]):
    """Two different ids on one variant: at most one of them can be that student's own."""
    groups: dict[str, list[int]] = {}
    for i, r in enumerate(results):
        if r.error is None and not r.submission.meta.rebuilt:
            groups.setdefault(variant_key(r), []).append(i)
    for members in groups.values():
        first_of: dict[str, int] = {}  # each id on this variant, by its first file
        for i in members:
            first_of.setdefault(results[i].submission.meta.student_id, i)
        if len(first_of) < 2:
            continue
        for i in members:
            mine = results[i].submission.meta.student_id
            # Each other id once, and at most MAX_OTHERS of them: a flag stays a line, not a list of a class.
            others = [(sid, j) for sid, j in first_of.items() if sid != mine][:MAX_OTHERS]
            for other, j in others:
                standings[i].flag("same_variant_two_ids", other=other, other_path=results[j].path)


def _several_hand_ins(results: list[FileResult], standings: list[Standing]):
    """Several files for one student: the latest (by the file's time) counts, the others are flagged."""
    by_student: dict[str, list[int]] = {}
    for i, st in enumerate(standings):
        if st.student:
            by_student.setdefault(st.student, []).append(i)
    for sid, members in by_student.items():
        if len(members) < 2:
            continue
        # A file whose name says another student (B handing in A's workbook) never supersedes one
        # that is A's by name and metadata alike: else anyone could replace a classmate's work.
        own = [i for i in members if not any(f["kind"] == "name_mismatch" for f in standings[i].flags)]
        latest = max(own or members, key=lambda i: (_mtime(results[i].path), results[i].path))
        for i in members:
            if i == latest:
                standings[i].flag("several_hand_ins", n=len(members), other=sid)
            else:
                standings[i].counted = False
                standings[i].flag("superseded", other=sid, other_path=results[latest].path)


def _mtime(path: str) -> int:
    try:
        return os.lstat(path).st_mtime_ns
    except OSError:
        return 0
