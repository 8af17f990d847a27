"""Checking many workbooks at once, on every core; one broken file never stops the others."""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from .check import FileResult, Options, check_file

# Below this many files, starting worker processes costs more than it saves.
PARALLEL_FROM = 16


def _check_slim(args) -> FileResult:
    path, options, keep_bytes = args
    result = check_file(path, options)
    if not keep_bytes and result.submission is not None:
        result.submission.data = b""  # not needed back in the parent: keeps the pickles small
    return result


def check_many(paths, options: Options = Options(), jobs: int | None = None, keep_bytes: bool = False,
               progress=None) -> list[FileResult]:
    paths = [str(p) for p in paths]
    jobs = jobs or os.cpu_count() or 1
    total = len(paths)
    if jobs <= 1 or total < PARALLEL_FROM:
        results = []
        for n, p in enumerate(paths):
            results.append(check_file(p, options))
            if progress:
                progress(n + 1, total)
        return results
    results: list[FileResult | None] = [None] * total
    chunk = max(1, min(64, total // (jobs * 8)))
    try:
        with ProcessPoolExecutor(max_workers=min(jobs, total)) as pool:
            for n, result in enumerate(pool.map(_check_slim, [(p, options, keep_bytes) for p in paths],
                                                chunksize=chunk)):
                results[n] = result
                if progress:
                    progress(n + 1, total)
    except BrokenProcessPool:
        pass  # a worker died (out of memory, killed): finish what is left here, one by one
    for n, p in enumerate(paths):
        if results[n] is None:
            results[n] = check_file(p, options)
    return results
