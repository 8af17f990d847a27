"""What a batch says about a class: the summary a teacher reads, and suspected copies."""

from __future__ import annotations

import json
from collections import Counter, defaultdict

import numpy as np

from .check import FileResult
from .tolerance import DEFAULT, Tolerance


def student_id(result: FileResult) -> str:
    sub = result.submission
    if sub is not None and isinstance(sub.meta.get("student"), dict):
        return str(sub.meta["student"].get("id", ""))
    return ""


def student_name(result: FileResult) -> str:
    sub = result.submission
    if sub is not None and isinstance(sub.meta.get("student"), dict):
        return str(sub.meta["student"].get("name", ""))
    return ""


def who(result: FileResult) -> str:
    return student_id(result) or result.path


def summarize(results: list[FileResult]) -> dict:
    checked = [r for r in results if r.error is None]
    mistakes: Counter = Counter()
    first: Counter = Counter()
    cells: dict[str, Counter] = defaultdict(Counter)
    for r in checked:
        for code in {c.mistake for c in r.grade.cells if c.mistake}:
            mistakes[code] += 1
        if r.grade.first_wrong is not None:
            first[r.grade.first_wrong.id] += 1
        for c in r.grade.cells:
            cells[c.id][c.verdict] += 1
    scores = [r.grade.points for r in checked]
    return {
        "files": len(results),
        "checked": len(checked),
        "unchecked": len(results) - len(checked),
        "mean_score": round(float(np.mean(scores)), 3) if scores else None,
        "max_score": max((r.grade.max_points for r in checked), default=None),
        "all_correct": sum(r.grade.all_correct for r in checked),
        "mistakes": [{"code": code, "students": n} for code, n in mistakes.most_common()],
        "first_divergence": [{"id": qid, "students": n} for qid, n in first.most_common()],
        "cells": {qid: dict(counts) for qid, counts in cells.items()},
    }


def copy_flags(results: list[FileResult], tolerance: Tolerance = DEFAULT) -> dict[int, list[dict]]:
    """For each result (by index): other students whose variant it carries, or whose key it fits.

    A file fits another's variant when at least half of its numeric answers match that
    variant's reference, and more of them than match its own.
    """
    flags: dict[int, list[dict]] = defaultdict(list)
    checked = [i for i, r in enumerate(results) if r.error is None]
    by_variant: dict[str, list[int]] = defaultdict(list)
    for i in checked:
        key = json.dumps(results[i].submission.meta.get("exercise"), sort_keys=True)
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
