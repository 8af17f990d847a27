"""Checking one handed-in workbook, from its path to a result; never raises for a bad file."""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from . import metadata
from .answers import reference_values
from .grading import Grade, grade
from .integrity import against_its_seed
from .intake import Rejected
from .submission import Submission, load
from .tolerance import DEFAULT, Tolerance

STATUS_CORRECT, STATUS_NOT_CORRECT, STATUS_UNCHECKABLE = 0, 1, 2


@dataclass
class Options:
    tolerance: Tolerance = DEFAULT
    carried: str = "full"
    recalculate: bool = True
    # A backstop, not the defence: intake's limits keep every file to well under a second
    # (plus LibreOffice's own, where it recalculates). Should something unforeseen still run
    # long, the file gets its one line instead of stalling a class batch.
    time_limit: float = 60.0


class TimeUp(BaseException):
    """A BaseException, so that no handler for ordinary errors on the way can swallow it."""


@contextmanager
def deadline(seconds: float):
    """Raise TimeUp after `seconds` of wall time (Unix, main thread; elsewhere, no backstop)."""
    usable = seconds and hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return

    def up(*_):
        raise TimeUp()

    previous = signal.signal(signal.SIGALRM, up)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@dataclass
class FileResult:
    path: str
    error: str | None = None
    error_code: str | None = None
    submission: Submission | None = None
    grade: Grade | None = None

    @property
    def status(self) -> int:
        if self.error is not None:
            return STATUS_UNCHECKABLE
        return STATUS_CORRECT if self.grade.all_correct else STATUS_NOT_CORRECT


def check_file(path, options: Options = Options()) -> FileResult:
    shown = str(path)
    try:
        with deadline(options.time_limit):
            if shown.lower().endswith(".csv"):  # a training trace from the student's own program
                from .trace import grade_trace, load as load_trace

                sub = load_trace(Path(path))
                return FileResult(shown, submission=sub, grade=grade_trace(sub, options.tolerance, options.carried))
            sub = load(Path(path), recalculate=options.recalculate)
            if getattr(sub, "task", "step") == "xor":
                from .xor_check import grade_run

                return FileResult(shown, submission=sub, grade=grade_run(sub, options.tolerance, options.carried))
            expected = reference_values(sub.graph, sub.givens)
            g = grade(sub.graph, expected, sub.readings, options.tolerance, options.carried,
                      min_digits=metadata.min_digits(sub.meta))
            # Drawn again here, in the worker, not in the parent: a draw costs more than a check.
            sub.seed_mismatch = against_its_seed(sub)
        return FileResult(shown, submission=sub, grade=g)
    except TimeUp:
        return FileResult(shown, error=f"took longer than {options.time_limit:g} s to read: not checked",
                          error_code="timeout")
    except Rejected as e:
        return FileResult(shown, error=str(e), error_code=e.code)
    except MemoryError:
        return FileResult(shown, error="too large to check", error_code="too_large")
    except RecursionError:
        return FileResult(shown, error="nested too deeply to be a workbook", error_code="damaged")
    except Exception as e:  # noqa: BLE001 - a student's file must never end in a traceback
        return FileResult(shown, error=f"damaged or not a workbook sheetprop can read ({type(e).__name__})",
                          error_code="damaged")


def worst_status(results) -> int:
    return max((r.status for r in results), default=STATUS_CORRECT)
