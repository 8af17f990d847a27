"""What a batch says about a class: the summary a teacher reads, and suspected copies."""

from __future__ import annotations

import json
from collections import Counter, defaultdict

import numpy as np

from .check import FileResult
from .tolerance import DEFAULT, Tolerance


def student_id(result: FileResult) -> str:
    return result.submission.meta.student_id if result.submission is not None else ""


def student_name(result: FileResult) -> str:
    return result.submission.meta.student_name if result.submission is not None else ""


def who(result: FileResult) -> str:
    return student_id(result) or result.path


# Flags that say a file's answers are someone else's: it does not shape the class's picture.
COPY_KINDS = ("fits_other_variant", "same_variant", "same_variant_two_ids", "other_student_variant")
APART = ("blank", "unreadable", "forged", "copied", "superseded")


def category(result: FileResult, flags: list[dict], standing=None) -> str:
    """What a file counts as in the class summary: a real attempt, or one of APART."""
    if result.error is not None:
        return "unreadable"
    if standing is not None and not standing.counted:
        return "superseded"
    if result.grade.void is not None:
        return "forged"
    if any(f["kind"] in COPY_KINDS for f in flags):
        return "copied"
    if all(c.verdict == "blank" for c in result.grade.cells):
        return "blank"
    return "attempt"


def summarize(results: list[FileResult], flags: dict[int, list[dict]] | None = None, standings=None,
              klass=None) -> dict:
    """The class as its real attempts show it: blank, unreadable, forged, copied and superseded
    files are counted apart and shape neither the mistakes nor the first divergences; a carried
    cell counts as earned (it loses only what --carried takes)."""
    flags = flags or {}
    label = [(standings[i].student if standings else "") or who(r) for i, r in enumerate(results)]
    kinds = [category(r, flags.get(i, []), standings[i] if standings else None) for i, r in enumerate(results)]
    attempts = [i for i, k in enumerate(kinds) if k == "attempt"]
    mistakes: dict[str, list[str]] = defaultdict(list)
    first: Counter = Counter()
    cells: dict[str, Counter] = defaultdict(Counter)
    lost: dict[str, float] = defaultdict(float)
    losers: Counter = Counter()
    for i in attempts:
        g = results[i].grade
        for code in sorted({c.mistake for c in g.cells if c.mistake}):
            mistakes[code].append(label[i])
        if g.first_wrong is not None:
            first[g.first_wrong.id] += 1
        for c in g.cells:
            cells[c.id][c.verdict] += 1
            if c.points < 1.0:
                lost[c.id] += 1.0 - c.points
                losers[c.id] += 1
    scores = [results[i].grade.points for i in attempts]
    checked = [r for r in results if r.error is None]
    out = {
        "files": len(results),
        "checked": len(checked),
        "unchecked": len(results) - len(checked),
        "apart": {k: kinds.count(k) for k in APART},
        "attempts": len(attempts),
        "mean_score": round(float(np.mean(scores)), 3) if scores else None,
        "max_score": max((r.grade.max_points for r in checked), default=None),
        "all_correct": sum(results[i].grade.all_correct for i in attempts),
        "mistakes": [{"code": code, "students": len(names), "who": names}
                     for code, names in sorted(mistakes.items(), key=lambda kv: (-len(kv[1]), kv[0]))],
        "first_divergence": [{"id": qid, "students": n} for qid, n in first.most_common()],
        "hardest": [{"id": qid, "points_lost": round(pts, 3), "students": losers[qid]}
                    for qid, pts in sorted(lost.items(), key=lambda kv: -kv[1])],
        "cells": {qid: dict(counts) for qid, counts in cells.items()},
    }
    if klass is not None and standings is not None:
        handed = {st.student for st in standings if st.student}
        out["roster"] = len(klass.ids)
        out["missing"] = [sid for sid in klass.ids if sid not in handed]
        out["not_in_roster"] = [r.path for r, st in zip(results, standings) if not st.student]
    return out


# A flag names at most this many others (with the count of all of them), so that a class's
# JSON stays proportional to its files even when hundreds share one variant.
MAX_OTHERS = 10
# A number that fits more variants than this says nothing about whose variant a student used.
WINDOW = 64


def copy_flags(results: list[FileResult], tolerance: Tolerance = DEFAULT) -> dict[int, list[dict]]:
    """For each result (by index): a generated solution handed in, other roster students whose
    variant it carries, or other students whose variant its answers fit.

    Grouped by variant, never compared pair by pair: a self-study seed is shared on purpose,
    so files carrying the same variant are flagged only when they are roster workbooks (they
    carry a student id); a file fits another's variant when at least half of its numeric
    answers match that variant's reference, and more of them than match its own.
    """
    flags: dict[int, list[dict]] = defaultdict(list)
    checked = [i for i, r in enumerate(results) if r.error is None]
    by_variant: dict[str, list[int]] = defaultdict(list)
    for i in checked:
        by_variant[json.dumps(results[i].submission.meta.exercise, sort_keys=True)].append(i)
    variant_of = {i: key for key, members in by_variant.items() for i in members}
    for i in checked:
        if "solution_workbook" in results[i].submission.notes:
            flags[i].append({"kind": "solution_workbook", "other": who(results[i]), "other_path": results[i].path})
    for members in by_variant.values():
        _same_variant(results, members, flags)
    _fits_other_variant(results, checked, variant_of, by_variant, tolerance, flags)
    return dict(flags)


def _same_variant(results, members: list[int], flags) -> None:
    roster = [i for i in members if student_id(results[i])]
    if len(roster) < 2:
        return
    for i in roster:
        others = [j for j in roster[: MAX_OTHERS + 1] if j != i][:MAX_OTHERS]
        for j in others:
            flags[i].append({"kind": "same_variant", "other": who(results[j]), "other_path": results[j].path,
                             "group": len(roster)})


def _fits_other_variant(results, checked, variant_of, by_variant, tolerance: Tolerance, flags) -> None:
    """Each student's answers against every variant's reference, through sorted references
    (a binary search per answer), so the work grows with files times cells, not files squared."""
    by_ids: dict[tuple, list[int]] = defaultdict(list)
    for i in checked:
        by_ids[tuple(c.id for c in results[i].grade.cells)].append(i)
    rel, floor = tolerance.rel, tolerance.abs
    for members in by_ids.values():
        variants = list(dict.fromkeys(variant_of[i] for i in members))
        if len(variants) < 2:
            continue
        number = {key: v for v, key in enumerate(variants)}
        keys = np.array([[c.expected for c in results[by_variant[key][0]].grade.cells] for key in variants],
                        dtype=float)
        with np.errstate(invalid="ignore"):
            answers = np.array([[np.nan if c.value is None else c.value for c in results[i].grade.cells]
                                for i in members], dtype=float)
        answers[~np.isfinite(answers)] = np.nan
        own = np.array([number[variant_of[i]] for i in members])
        order = np.argsort(keys, axis=0, kind="stable")
        ranked = np.take_along_axis(keys, order, axis=0)
        pairs = []
        for q in range(keys.shape[1]):
            x = answers[:, q]
            present = ~np.isnan(x)
            xs = np.where(present, x, 0.0)
            # |x - k| <= rel*|k| + abs implies |x - k| <= slack (since |k| <= (|x| + abs) / (1 - rel))
            slack = (rel * (np.abs(xs) + floor) / max(1 - rel, 1e-12) + floor) * 1.000001
            lo = np.searchsorted(ranked[:, q], xs - slack, "left")
            hi = np.searchsorted(ranked[:, q], xs + slack, "right")
            width = np.where(present & (hi - lo <= WINDOW), hi - lo, 0)
            if not width.any():
                continue
            rows = np.repeat(np.arange(len(members)), width)
            starts = np.repeat(lo, width)
            offsets = np.arange(width.sum()) - np.repeat(np.cumsum(width) - width, width)
            v = order[starts + offsets, q]
            k = keys[v, q]
            fit = np.abs(xs[rows] - k) <= rel * np.abs(k) + floor
            pairs.append(rows[fit] * len(variants) + v[fit])
        if not pairs:
            continue
        codes, counts = np.unique(np.concatenate(pairs), return_counts=True)
        rows, v = np.divmod(codes, len(variants))
        numeric = np.maximum(np.sum(~np.isnan(answers), axis=1), 1)
        share = counts / numeric[rows]
        own_share = np.zeros(len(members))
        mine = v == own[rows]
        own_share[rows[mine]] = share[mine]
        for r, w, sh in zip(rows[~mine], v[~mine], share[~mine]):
            if sh < 0.5 or sh <= own_share[r]:
                continue
            i = members[r]
            holders = [j for j in by_variant[variants[w]] if j != i]
            for j in holders[:MAX_OTHERS]:
                flags[i].append({"kind": "fits_other_variant", "other": who(results[j]),
                                 "other_path": results[j].path, "share": round(float(sh), 3),
                                 "own_share": round(float(own_share[r]), 3)})
