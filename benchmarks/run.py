"""sheetprop's speed and memory, measured on this machine. Prints figures; never fails.

    bash benchmarks/run.sh            (sets up .venv with sheetprop installed, then runs this)

What it measures, each as the median of several runs:
  - the import floor: a bare `python -c "import numpy, openpyxl, click"`;
  - `sheetprop generate --seed 42` and `sheetprop check` on one filled workbook (wall time,
    and as a multiple of the floor);
  - a batch check of a few hundred filled workbooks (varied variants, some with mistakes,
    saved by LibreOffice where it is installed): submissions per second, through the library
    and through the command line, with the verdicts compared to one-file checks;
  - a class of 2,000 hand-ins (the batch's workbooks, copied under 2,000 names) through
    `sheetprop check --json --gradebook`, start-up, JSON and gradebook included;
  - peak memory (maximum resident set of the largest process) of each command.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # for tests.helpers (the simulated students)

TARGETS = {"ratio": 1.2, "rate": 1000.0, "memory_mb": 150.0}


def run(cmd, **kw) -> tuple[float, float, int]:
    """Wall seconds, peak RSS in MB of the largest process, exit status."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kw)
    _, status, usage = os.wait4(proc.pid, 0)
    return time.perf_counter() - start, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import numpy
    import openpyxl

    from sheetprop import __version__, libreoffice

    lo = "LibreOffice present" if libreoffice.available() else "no LibreOffice"
    return (f"{cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}; Python "
            f"{platform.python_version()}, numpy {numpy.__version__}, openpyxl {openpyxl.__version__}, "
            f"sheetprop {__version__}; {lo}")


def make_batch(folder: Path, n: int, use_libreoffice: bool) -> list[Path]:
    from sheetprop import libreoffice, sources
    from sheetprop.graph import graph_for
    from sheetprop.mistakes import mutations
    from sheetprop.write import write_pair
    from tests.helpers import fill, simulate_student

    rng = random.Random(7)
    filled = []
    for i in range(n):
        g = sources.from_seed(i)
        graph = graph_for(g.shape)
        ex, _ = write_pair(g, folder / "gen" / str(i), force=True)
        mutation = None
        if rng.random() < 0.5:
            target, muts = rng.choice(sorted(mutations(graph).items()))
            mutation = rng.choice(muts)
        answers = simulate_student(graph, g, mutation=mutation, digits=rng.choice([None, 6, 8]))
        filled.append(fill(ex, answers, folder / "openpyxl" / f"student{i:04d}.xlsx"))
    if use_libreoffice and libreoffice.available():
        return libreoffice.recalculate(filled, folder / "saved-by-libreoffice", timeout=1800)
    return filled


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=15, help="runs per timing (median)")
    parser.add_argument("--batch", type=int, default=300, help="workbooks in the batch")
    parser.add_argument("--no-libreoffice", action="store_true", help="keep the batch as openpyxl saved it")
    parser.add_argument("--class-size", type=int, default=2000, help="hand-ins in the command-line class run")
    parser.add_argument("--xor-only", action="store_true", help="only the XOR training figures (part 2)")
    args = parser.parse_args()

    exe = sys.executable
    script = shutil.which("sheetprop", path=str(Path(exe).parent)) or shutil.which("sheetprop")
    sheetprop = [script] if script else [exe, "-m", "sheetprop"]
    print(f"machine: {machine()}")
    print(f"command: {' '.join(sheetprop)}\n")
    if args.xor_only:
        xor_figures(sheetprop, exe, args.repeat)
        return

    from sheetprop.answers import reference_values
    from sheetprop.batch import check_many
    from sheetprop.check import Options, check_file
    from sheetprop.graph import graph_for
    from sheetprop.sources import from_seed
    from sheetprop.write import write_pair
    from tests.helpers import fill

    with tempfile.TemporaryDirectory(prefix="sheetprop-bench-") as tmp:
        tmp = Path(tmp)
        g = from_seed(42)
        graph = graph_for(g.shape)
        expected = reference_values(graph, g)
        ex, _ = write_pair(g, tmp / "one", force=True)
        one = fill(ex, {q: expected[q] for q in graph.answer_ids}, tmp / "one" / "answers.xlsx")
        commands = {
            "import floor (numpy, openpyxl, click)": [exe, "-c", "import numpy, openpyxl, click"],
            "sheetprop generate --seed 42": [*sheetprop, "generate", "--seed", "42", "--force", "--out",
                                             str(tmp / "gen")],
            "sheetprop check answers.xlsx": [*sheetprop, "check", str(one)],
        }
        # Interleaved, so that a machine that speeds up or slows down during the run
        # affects the floor and the commands alike; each ratio is taken within one round.
        times = {k: [] for k in commands}
        peaks = {k: 0.0 for k in commands}
        for cmd in commands.values():
            run(cmd)  # warm the page cache
        for _ in range(args.repeat):
            for label, cmd in commands.items():
                t, mem, _ = run(cmd)
                times[label].append(t)
                peaks[label] = max(peaks[label], mem)
        floor_label = next(iter(commands))
        print(f"{'command':42s} {'median':>9s} {'x floor':>8s} {'peak RSS':>9s}")
        for label in commands:
            ratio = statistics.median(t / f for t, f in zip(times[label], times[floor_label]))
            print(f"{label:42s} {statistics.median(times[label]) * 1000:7.0f} ms {ratio:7.2f}x "
                  f"{peaks[label]:6.0f} MB")
        print(f"(targets: generate and check at most {TARGETS['ratio']}x the floor, at most "
              f"{TARGETS['memory_mb']:.0f} MB)\n")

        print(f"making {args.batch} filled workbooks ...", flush=True)
        t0 = time.perf_counter()
        files = make_batch(tmp / "batch", args.batch, not args.no_libreoffice)
        saved_by = "LibreOffice" if "saved-by-libreoffice" in str(files[0]) else "openpyxl"
        print(f"  {len(files)} workbooks saved by {saved_by} in {time.perf_counter() - t0:.0f} s")

        options = Options(recalculate=False)
        rates = []
        for _ in range(3):
            t0 = time.perf_counter()
            batch = check_many(files, options, jobs=os.cpu_count())
            rates.append(len(files) / (time.perf_counter() - t0))
        single = [check_file(f, options) for f in files]
        same = all(a.error == b.error and [(c.id, c.verdict, c.mistake) for c in a.grade.cells] ==
                   [(c.id, c.verdict, c.mistake) for c in b.grade.cells] if a.grade else a.error == b.error
                   for a, b in zip(batch, single))
        t0 = time.perf_counter()
        for f in files[:100]:
            check_file(f, options)
        one_core = 100 / (time.perf_counter() - t0)
        cli_t, cli_mem, _ = run([*sheetprop, "check", "--json", *map(str, files)])
        verdicts = {}
        for r in single:
            for c in (r.grade.cells if r.grade else []):
                verdicts[c.verdict] = verdicts.get(c.verdict, 0) + 1
        print(f"  verdicts in the batch: {verdicts}")
        print(f"\n{'batch check':42s} {'rate':>16s}")
        print(f"{'library, all cores (median of 3)':42s} {statistics.median(rates):9.0f} files/s")
        print(f"{'library, one core':42s} {one_core:9.0f} files/s")
        print(f"{'command line, --json, start-up included':42s} {len(files) / cli_t:9.0f} files/s"
              f"   peak RSS {cli_mem:.0f} MB")
        klass = tmp / "class"
        klass.mkdir()
        for n in range(args.class_size):
            shutil.copyfile(files[n % len(files)], klass / f"hand-in{n:05d}.xlsx")
        names = sorted(p.name for p in klass.iterdir())
        class_runs = [run([*sheetprop, "check", "--json", "--gradebook", str(tmp / "grades.csv"), *names],
                          cwd=klass) for _ in range(3)]
        class_t = statistics.median(t for t, _, _ in class_runs)
        print(f"{f'command line, --json --gradebook, {args.class_size} files':42s} "
              f"{args.class_size / class_t:9.0f} files/s   peak RSS {max(m for _, m, _ in class_runs):.0f} MB")
        print(f"verdicts identical to one-file checks: {'yes' if same else 'NO'}")
        print(f"(target: at least {TARGETS['rate']:.0f} files/s on all cores, every guard in force)\n")
    xor_figures(sheetprop, exe, args.repeat)


def filled_run(folder: Path, epochs: int) -> Path:
    """An XOR exercise of this many epochs with every cell holding the numpy reference's number."""
    import numpy as np
    import openpyxl

    from sheetprop import training
    from sheetprop.epoch_row import epoch_values, row_for
    from sheetprop.text import text
    from sheetprop.xor_sheet import lay_out, write_pair as write_run
    from sheetprop.xor_task import draw

    run = draw(42, epochs=epochs)
    exercise, _ = write_run(run, folder, force=True)
    row = row_for(run.shape)
    result = run.train()
    ep = training.epoch(run.shape, training.Params.from_flat(run.shape, result.params[:-1]),
                        np.full(epochs, run.eta))
    values = epoch_values(row, ep)
    layout = lay_out(row, epochs, text("en"))
    wb = openpyxl.load_workbook(exercise)
    ws = wb.worksheets[0]
    for qid, column in values.items():
        c = layout.columns[qid]
        for e, v in enumerate(column.tolist(), start=1):
            ws.cell(layout.zero + e, c).value = v
    out = folder / f"filled-{epochs}.xlsx"
    wb.save(out)
    return out


def trace_of(folder: Path, epochs: int) -> Path:
    """The trace a student's program writes (README, part 2) for the numpy reference's run."""
    from sheetprop.xor_task import draw

    run = draw(42, epochs=epochs)
    result = run.train()
    lines = [f"# sheetprop xor trace: layers=2-2-1 eta={run.eta}",
             "epoch,loss," + ",".join(run.row.params),
             "0,," + ",".join(map(repr, result.params[0].tolist()))]
    for e in range(1, epochs + 1):
        lines.append(f"{e},{float(result.loss[e - 1])!r}," + ",".join(map(repr, result.params[e].tolist())))
    path = folder / "trace.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def xor_figures(sheetprop, exe, repeat: int):
    """Part 2: writing the default XOR workbook, recalculating it, checking a 2,000-epoch run."""
    from sheetprop import libreoffice
    from sheetprop.check import Options, check_file

    with tempfile.TemporaryDirectory(prefix="sheetprop-bench-xor-") as tmp:
        tmp = Path(tmp)
        filled = filled_run(tmp / "filled", 2000)
        commands = {
            "import floor (numpy, openpyxl, click)": [exe, "-c", "import numpy, openpyxl, click"],
            "sheetprop generate --task xor --seed 42": [*sheetprop, "generate", "--task", "xor", "--seed", "42",
                                                        "--force", "--out", str(tmp / "gen")],
            "sheetprop check (2,000 epochs, numbers)": [*sheetprop, "check", str(filled)],
        }
        commands["sheetprop check (2,000-epoch trace.csv)"] = [*sheetprop, "check", str(trace_of(tmp, 2000))]
        if libreoffice.available():
            # What a student hands in: every cell a formula, with the values LibreOffice saved.
            run([*sheetprop, "generate", "--task", "xor", "--seed", "42", "--epochs", "2000", "--out",
                 str(tmp / "big")])
            saved, = libreoffice.recalculate([next((tmp / "big").glob("*solution.xlsx"))], tmp / "big-lo")
            commands["sheetprop check (2,000 epochs, LibreOffice)"] = [*sheetprop, "check", str(saved)]
        # Every file here is a correct run (0), but the generated solution, which is checked as
        # handed in and so earns nothing (1): anything else is a broken figure.
        allowed = {"sheetprop check (2,000 epochs, LibreOffice)": 1}
        times = {k: [] for k in commands}
        peaks = {k: 0.0 for k in commands}
        for label, cmd in commands.items():
            status = run(cmd)[2]
            if status != allowed.get(label, 0):
                print(f"WARNING: {label} exited with status {status}")
        for _ in range(max(3, repeat // 3)):
            for label, cmd in commands.items():
                t, mem, _ = run(cmd)
                times[label].append(t)
                peaks[label] = max(peaks[label], mem)
        floor_label = next(iter(commands))
        print(f"{'XOR training (part 2)':42s} {'median':>9s} {'x floor':>8s} {'peak RSS':>9s}")
        for label in commands:
            ratio = statistics.median(t / f for t, f in zip(times[label], times[floor_label]))
            print(f"{label:42s} {statistics.median(times[label]) * 1000:7.0f} ms {ratio:7.2f}x "
                  f"{peaks[label]:6.0f} MB")
        options = Options(recalculate=False)
        lib = []
        for _ in range(5):
            t0 = time.perf_counter()
            result = check_file(filled, options)
            lib.append(time.perf_counter() - t0)
        print(f"{'check_file, 2,000 epochs (library)':42s} {statistics.median(lib) * 1000:7.0f} ms   "
              f"{result.grade.correct} of 2000 epochs follow")
        if libreoffice.available():
            solution = tmp / "gen" / "sheetprop-xor-seed42-solution.xlsx"
            empty = tmp / "empty.xlsx"
            import openpyxl

            openpyxl.Workbook().save(empty)
            t0 = time.perf_counter()
            libreoffice.recalculate([empty], tmp / "lo-empty")
            start = time.perf_counter() - t0
            t0 = time.perf_counter()
            libreoffice.recalculate([solution], tmp / "lo")
            whole = time.perf_counter() - t0
            print(f"{'LibreOffice: load, recalculate, save solution':42s} {whole * 1000:7.0f} ms   "
                  f"(an empty workbook: {start * 1000:.0f} ms of start-up)")
        print("(targets: generate at most 2x the floor; LibreOffice recalculates the solution in under 1 s; "
              "a 2,000-epoch run checked in under 1 s)")


if __name__ == "__main__":
    main()
