"""Checking many workbooks at once, on every core; one broken file never stops the others."""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from pathlib import Path

from .check import FileResult, Options, check_file
from .grading import CellVerdict, GivenChange, Grade
from .graph import graph_for
from .sources import shape_from
from .submission import Submission

# Below this many files, starting worker processes costs more than it saves.
PARALLEL_FROM = 16


# Results cross from the workers as tuples of plain values, not as objects: pickling
# dataclasses costs more than checking the file did. Only what reports, gradebooks,
# class summaries and feedback read goes across (no readings, no givens).
def to_wire(r: FileResult, keep_bytes: bool = False) -> tuple:
    if r.error is not None:
        return (r.path, r.error, r.error_code)
    sub, g = r.submission, r.grade
    if getattr(sub, "task", "step") == "xor":  # a training run travels whole (rare, and small once graded)
        sub.values, sub.problems = None, {}
        sub.data = sub.data if keep_bytes else b""
        return (r.path, None, "xor", r)
    return (r.path, None, None, sub.meta, sub.cells, sub.notes, sub.missing_names,
            sub.data if keep_bytes else b"",
            [(c.id, c.verdict, c.value, c.shown, c.expected, c.reason, c.mistake, c.points) for c in g.cells],
            [(ch.id, ch.expected, ch.shown, ch.value) for ch in g.changed_givens], g.carried_policy)


def from_wire(w: tuple) -> FileResult:
    if w[1] is not None:
        return FileResult(w[0], error=w[1], error_code=w[2])
    if w[2] == "xor":
        return w[3]
    path, _, _, meta, cells, notes, missing, data, verdicts, changed, carried = w
    ex = meta["exercise"]
    shape = shape_from(ex.get("layers", "2-2-1"), ex.get("bias", "neuron"), ex.get("train_biases", True))
    sub = Submission(path=Path(path), meta=meta, givens=None, graph=graph_for(shape), readings={}, cells=cells,
                     notes=notes, missing_names=missing, data=data)
    grade = Grade([CellVerdict(*v) for v in verdicts], [GivenChange(*ch) for ch in changed], carried)
    return FileResult(path, submission=sub, grade=grade)


def check_many(paths, options: Options = Options(), jobs: int | None = None, keep_bytes: bool = False,
               progress=None) -> list[FileResult]:
    """Check every file, on `jobs` cores, the calling process being one of them."""
    paths = [str(p) for p in paths]
    jobs = jobs or os.cpu_count() or 1
    total = len(paths)
    results: list[FileResult | None] = [None] * total
    done = 0

    def tick(force=False):
        if progress and (force or done % 8 == 0):
            progress(done, total)

    if jobs <= 1 or total < PARALLEL_FROM:
        for n, p in enumerate(paths):
            results[n] = check_file(p, options)
            done += 1
            tick()
        tick(True)
        return results
    # Work sharing with standard parts: the files go to the workers in small chunks, and the
    # caller takes chunks back from the end of the queue (any chunk not yet handed to a worker
    # can be cancelled) and checks them itself, until it meets the workers. A parent that
    # only waited would leave one of a small machine's cores idle.
    chunk = max(1, min(16, total // (jobs * 8)))
    chunks = [(i, paths[i: i + chunk]) for i in range(0, total, chunk)]
    try:
        with ProcessPoolExecutor(max_workers=jobs - 1) as pool:
            futures = [pool.submit(_check_chunk, part, options, keep_bytes) for _, part in chunks]
            for (i, part), future in zip(reversed(chunks), reversed(futures)):
                if not future.cancel():
                    break
                for k, p in enumerate(part):
                    results[i + k] = check_file(p, options)
                    done += 1
                    tick()
            for (i, _), future in zip(chunks, futures):
                if future.cancelled():
                    continue
                for k, wire in enumerate(future.result()):
                    results[i + k] = from_wire(wire)
                    done += 1
                    tick()
    except BrokenProcessPool:
        pass  # a worker died (out of memory, killed): finish what is left here, one by one
    for n, p in enumerate(paths):
        if results[n] is None:
            results[n] = check_file(p, options)
            done += 1
    tick(True)
    return results


def _check_chunk(paths, options: Options, keep_bytes: bool) -> list[tuple]:
    return [to_wire(check_file(p, options), keep_bytes) for p in paths]
