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


def copy_flags(results: list[FileResult], tolerance: Tolerance = DEFAULT) -> dict[int, list[dict]]:
    """For each result (by index): other students whose variant it carries, or whose key it fits.

    A file fits another's variant when at least half of its numeric answers match that
    variant's reference, and more of them than match its own.
    """
    flags: dict[int, list[dict]] = defaultdict(list)
    checked = [i for i, r in enumerate(results) if r.error is None]
    by_variant: dict[str, list[int]] = defaultdict(list)
    for i in checked:
        key = json.dumps(results[i].submission.meta.exercise, sort_keys=True)
        by_variant[key].append(i)
    variant_of = {i: key for key, members in by_variant.items() for i in members}
    for i in checked:
        if "solution_workbook" in results[i].submission.notes:
            flags[i].append({"kind": "solution_workbook", "other": who(results[i]), "other_path": results[i].path})
    for members in by_variant.values():
        if len(members) > 1:
            for i in members:
                for j in members:
                    if i != j:
                        flags[i].append({"kind": "same_variant", "other": who(results[j]),
                                         "other_path": results[j].path})
    by_ids: dict[tuple, list[int]] = defaultdict(list)
    for i in checked:
        by_ids[tuple(c.id for c in results[i].grade.cells)].append(i)
    for ids, members in by_ids.items():
        if len(members) < 2:
            continue
        answers = np.array([[c.value if c.value is not None else np.nan for c in results[i].grade.cells]
                            for i in members], dtype=float)
        keys = np.array([[c.expected for c in results[i].grade.cells] for i in members], dtype=float)
        allowed = tolerance.rel * np.abs(keys) + tolerance.abs
        # fits[a, b, q]: student a's answer q matches variant b's reference
        fits = np.abs(answers[:, None, :] - keys[None, :, :]) <= allowed[None, :, :]
        numeric = np.maximum(np.sum(~np.isnan(answers), axis=1), 1)
        share = fits.sum(axis=2) / numeric[:, None]
        for a, i in enumerate(members):
            own = share[a, a]
            for b, j in enumerate(members):
                if variant_of[i] == variant_of[j] or share[a, b] < 0.5 or share[a, b] <= own:
                    continue
                flags[i].append({"kind": "fits_other_variant", "other": who(results[j]),
                                 "other_path": results[j].path, "share": round(float(share[a, b]), 3),
                                 "own_share": round(float(own), 3)})
    return dict(flags)
