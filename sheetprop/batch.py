"""Checking many workbooks at once, on every core; one broken file never stops the others."""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from pathlib import Path

from .check import FileResult, Options, check_file
from .grading import CellVerdict, GivenChange, Grade
from .graph import graph_for
from . import metadata
from .network import Shape
from .submission import Submission

# Below this many files, starting worker processes costs more than it saves.
PARALLEL_FROM = 16


# Results cross from the workers as tuples of plain values, not as objects: pickling
# dataclasses costs more than checking the file did. Only what reports, gradebooks,
# class summaries and feedback read goes across (no readings, no givens: the metadata holds them).
def to_wire(r: FileResult) -> tuple:
    if r.error is not None:
        return (r.path, r.error, r.error_code)
    sub, g = r.submission, r.grade
    if getattr(sub, "task", "step") == "xor":  # a training run travels whole (rare, and small once graded)
        sub.values, sub.problems = None, {}
        return (r.path, None, "xor", r)
    return (r.path, None, None, sub.meta.to_wire(), tuple(sub.graph.shape), sub.seed_mismatch, sub.cells,
            sub.notes, sub.missing_names,
            [(c.id, c.verdict, c.value, c.shown, c.expected, c.reason, c.mistake, c.points, c.digits, c.decimals)
             for c in g.cells],
            [(ch.id, ch.expected, ch.shown, ch.value) for ch in g.changed_givens], g.carried_policy, g.min_digits,
            g.void)


def from_wire(w: tuple) -> FileResult:
    if w[1] is not None:
        return FileResult(w[0], error=w[1], error_code=w[2])
    if w[2] == "xor":
        return w[3]
    path, _, _, meta, shape, seed_mismatch, cells, notes, missing, verdicts, changed, carried, min_digits, void = w
    meta = metadata.Metadata.from_wire(meta)
    sub = Submission(path=Path(path), meta=meta, givens=None, graph=graph_for(Shape(*shape)), readings={},
                     cells=cells, notes=notes, missing_names=missing, seed_mismatch=seed_mismatch)
    grade = Grade([CellVerdict(*v) for v in verdicts], [GivenChange(*ch) for ch in changed], carried,
                  min_digits=min_digits, void=void)
    return FileResult(path, submission=sub, grade=grade)


def check_many(paths, options: Options = Options(), jobs: int | None = None, progress=None) -> list[FileResult]:
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
            futures = [pool.submit(_check_chunk, part, options) for _, part in chunks]
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


def _check_chunk(paths, options: Options) -> list[tuple]:
    return [to_wire(check_file(p, options)) for p in paths]
