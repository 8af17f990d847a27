"""The command line: a thin layer over the library. Errors become one line and an exit status."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from . import __version__
from .activations import HIDDEN, LOSSES, OUTPUT

class Failure(click.ClickException):
    """One clear line and exit status 2, the status of a file or an input that could not be used."""

    exit_code = 2

    def show(self, file=None):
        click.echo(f"sheetprop: {self.format_message()}", err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="sheetprop")
def cli():
    """Backpropagation by hand: generate a spreadsheet exercise, then check a student's answers."""


@cli.command()
@click.option("--seed", type=click.IntRange(min=0), help="Draw a variant from this seed.")
@click.option("--preset", type=click.Choice(["mazur"]), help="A published example: 'mazur' (2-2-2, eta 0.5).")
@click.option("--givens", "givens_file", type=click.Path(dir_okay=False, path_type=Path),
              help="A teacher's own example: a JSON or TOML file (see the README).")
@click.option("--layers", default="2-2-1", show_default=True, help="inputs-hidden-outputs, with --seed.")
@click.option("--bias", type=click.Choice(["neuron", "layer", "none"]), default="neuron", show_default=True,
              help="One bias per neuron, one shared per layer, or none; with --seed.")
@click.option("--frozen-biases", is_flag=True, help="Biases are not updated (Mazur's convention); with --seed.")
@click.option("--activation", type=click.Choice(HIDDEN), default="sigmoid", show_default=True,
              help="Activation of the hidden layer; with --seed or --roster.")
@click.option("--output", "output_act", type=click.Choice(OUTPUT), default="sigmoid", show_default=True,
              help="Activation of the output layer (softmax: two or more outputs).")
@click.option("--loss", type=click.Choice(tuple(LOSSES)), default="squared", show_default=True,
              help="squared: ½Σ(t − o)² (Mazur); mse: the mean of (t − o)²; cross-entropy: binary over "
                   "sigmoid outputs, categorical over a softmax.")
@click.option("--lang", default="en", show_default=True, help="Language of the workbook: en or pt-BR.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("generated"),
              show_default=True, help="Folder to write the workbooks to.")
@click.option("--force", is_flag=True, help="Overwrite workbooks that already exist.")
@click.option("--roster", type=click.Path(dir_okay=False, path_type=Path),
              help="A class: a CSV with an 'id' column (and 'name'); one variant per student.")
@click.option("--secret", envvar="SHEETPROP_SECRET", help="With --roster: the class secret the seeds derive "
              "from (or the environment variable SHEETPROP_SECRET).")
@click.option("--reseed", multiple=True, metavar="ID", help="With --roster: give this student a new variant.")
@click.option("--task", type=click.Choice(["step", "xor"]), default="step", show_default=True,
              help="step: one training step (part 1); xor: train the net on XOR, one row per epoch (part 2).")
@click.option("--epochs", type=click.IntRange(1, 5000), default=None, help="With --task xor: epochs (default 500; 2,500 for cross-entropy).")
@click.option("--optimizer", type=click.Choice(["gd", "momentum", "sgd"]), default="gd", show_default=True,
              help="With --task xor: full-batch gradient descent, with momentum (β 0.9), or one update per "
                   "pattern (sgd, four an epoch).")
def generate(seed, preset, givens_file, layers, bias, frozen_biases, activation, output_act, loss, lang, out_dir,
             force, roster, secret, reseed, task, epochs, optimizer):
    """Write an exercise workbook and its live-formula solution (or one per student of a roster)."""
    if task == "xor":
        if seed is None or preset or givens_file or roster or bias != "neuron" or frozen_biases:
            raise click.UsageError("--task xor takes --seed N (with --layers, --activation, --output, --loss, "
                                   "--epochs); biases are one per neuron, trained")
        _generate_xor(seed, layers, activation, output_act, loss, epochs, optimizer, lang, out_dir, force)
        return
    if epochs is not None or optimizer != "gd":
        raise click.UsageError("--epochs and --optimizer go with --task xor")
    from . import sources
    from .network import GivensError
    from .text import normalize_lang
    from .write import OutputExists, write_pair

    chosen = [name for name, v in (("--seed", seed), ("--preset", preset), ("--givens", givens_file),
                                   ("--roster", roster)) if v is not None]
    if len(chosen) != 1:
        raise click.UsageError("choose exactly one of --seed N, --preset mazur, --givens FILE or --roster CSV")
    shape_options = (layers != "2-2-1" or bias != "neuron" or frozen_biases
                     or (activation, output_act, loss) != ("sigmoid", "sigmoid", "squared"))
    if shape_options and seed is None and roster is None:
        raise click.UsageError("--layers, --bias, --frozen-biases, --activation, --output and --loss go with --seed "
                               "or --roster; a preset or a givens file brings its own network")
    if reseed and roster is None:
        raise click.UsageError("--reseed goes with --roster")
    try:
        shape = sources.shape_from(layers, bias, not frozen_biases, activation, output_act, loss)
    except GivensError as e:
        raise Failure(str(e)) from None
    if roster is not None:
        _generate_class(roster, out_dir, secret, lang, shape if shape_options else None, reseed, force)
        return
    try:
        lang = normalize_lang(lang)
        if seed is not None:
            g = sources.from_seed(seed, shape)
        elif preset is not None:
            g = sources.from_preset(preset)
        else:
            g = sources.from_file(givens_file)
        exercise, solution = write_pair(g, out_dir, lang=lang, force=force)
    except (GivensError, ValueError, OutputExists) as e:
        raise Failure(str(e)) from None
    except OSError as e:
        raise Failure(f"cannot write to {out_dir}: {e.strerror or e}") from None
    click.echo(f"exercise: {exercise}")
    click.echo(f"solution: {solution}")


def _generate_xor(seed, layers, activation, output_act, loss, epochs, optimizer, lang, out_dir, force):
    from . import sources, xor_sheet, xor_task
    from .network import GivensError
    from .text import normalize_lang
    from .write import OutputExists

    try:
        lang = normalize_lang(lang)
        shape = sources.shape_from(layers, "neuron", True, activation, output_act, loss)
        run = xor_task.draw(seed, shape, epochs or xor_task.default_epochs(shape), optimizer)
        exercise, solution = xor_sheet.write_pair(run, out_dir, lang=lang, force=force)
    except (GivensError, ValueError, OutputExists) as e:
        raise Failure(str(e)) from None
    except OSError as e:
        raise Failure(f"cannot write to {out_dir}: {e.strerror or e}") from None
    click.echo(f"exercise: {exercise}")
    click.echo(f"solution: {solution}")


def _generate_class(roster, out_dir, secret, lang, shape, reseed, force):
    from .network import GivensError, Shape
    from .roster import MANIFEST, RosterError, generate_class
    from .text import normalize_lang

    try:
        lang = normalize_lang(lang)
        with _progress("generating") as tick:
            rows = generate_class(roster, out_dir, secret, lang, shape or Shape(), tuple(reseed), force, tick)
    except (RosterError, GivensError, ValueError) as e:
        raise Failure(str(e)) from None
    except OSError as e:
        raise Failure(f"cannot write to {out_dir}: {e.strerror or e}") from None
    written = sum(r["written"] for r in rows)
    click.echo(f"{len(rows)} students ({written} written, {len(rows) - written} unchanged): exercises in "
               f"{out_dir / 'exercises'}, solutions in {out_dir / 'solutions'}, manifest {out_dir / MANIFEST}")


class _progress:
    """A progress bar on stderr, shown only on a terminal and only for more than a few items."""

    def __init__(self, label: str, threshold: int = 5):
        self.label, self.threshold, self.bar = label, threshold, None

    def __enter__(self):
        return self.tick

    def tick(self, done: int, total: int):
        if self.bar is None:
            if total <= self.threshold or not sys.stderr.isatty():
                return
            self.bar = click.progressbar(length=total, label=self.label, file=sys.stderr)
            self.bar.__enter__()
        self.bar.update(done - self.bar.pos)

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.__exit__(*exc)


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document instead of the table.")
@click.option("--lang", default=None, help="Language of the report (default: the workbook's).")
@click.option("--show-answers", is_flag=True, help="Show the expected value of every cell.")
@click.option("--carried", type=click.Choice(["full", "half", "none"]), default="full", show_default=True,
              help="Credit for a cell that is consistent with the student's own wrong inputs.")
@click.option("--rel-tol", type=click.FloatRange(min=0, min_open=True), default=1e-4, show_default=True,
              help="Relative tolerance (of the value, or of the change for updated weights).")
@click.option("--abs-tol", type=click.FloatRange(min=0), default=1e-9, show_default=True,
              help="Absolute tolerance floor.")
@click.option("--no-recalculate", is_flag=True,
              help="Never recalculate formulas saved without results, even where LibreOffice is installed.")
@click.option("--feedback", "feedback_to", type=click.Path(path_type=Path),
              help="Write the student's workbook back, coloured by verdict with comments: a file for one "
                   "workbook, a folder for several.")
@click.option("--gradebook", type=click.Path(dir_okay=False, path_type=Path),
              help="Write a CSV gradebook: one row per workbook, a column per cell's verdict.")
@click.option("--full/--brief", "full", default=None,
              help="A table per file (the default for one file) or one line per file (for several).")
@click.option("--jobs", type=click.IntRange(min=1), default=None, help="Worker processes (default: all cores).")
def check(files, as_json, lang, show_answers, carried, rel_tol, abs_tol, no_recalculate, feedback_to, gradebook,
          full, jobs):
    """Check filled-in exercise workbooks against the numpy reference.

    Exit status: 0 every cell correct, 1 something is not correct, 2 a file could not be checked.
    """
    from .batch import check_many
    from .check import Options, worst_status
    from .classroom import copy_flags, summarize
    from .report import brief, class_lines, json_document, terminal
    from .text import normalize_lang
    from .tolerance import Tolerance

    try:
        lang = normalize_lang(lang) if lang else None
    except ValueError as e:
        raise click.UsageError(str(e)) from None
    tolerance = Tolerance(rel=rel_tol, abs=abs_tol)
    options = Options(tolerance, carried, not no_recalculate)
    targets = _feedback_targets(files, feedback_to)
    if gradebook is not None and Path(gradebook).resolve() in {Path(f).resolve() for f in files}:
        raise click.UsageError("--gradebook would overwrite a handed-in file; choose another name")
    with _progress("checking") as tick:
        results = check_many(files, options, jobs=jobs, keep_bytes=bool(targets), progress=tick)
    batch = len(results) > 1
    flags = copy_flags(results, tolerance) if batch else {}
    summary = summarize(results) if batch else None
    full = (not batch) if full is None else full
    if as_json:
        click.echo(json_document(results, lang, show_answers, flags, summary))
    else:
        for n, result in enumerate(results):
            if full:
                click.echo(terminal(result, lang, show_answers, color=sys.stdout.isatty()))
                click.echo("")
            else:
                click.echo(brief(result, lang, flags.get(n)))
        if batch:
            click.echo("")
            click.echo("\n".join(class_lines(results, summary, flags, lang)))
    for result in results:
        if result.path in targets and result.error is None and getattr(result.submission, "task", "step") == "xor":
            click.echo(f"sheetprop: no feedback for {result.path}: feedback workbooks are made for the one-step "
                       f"exercise; a training run's report says where it went wrong", err=True)
            continue
        if result.path in targets and result.error is None:
            from .feedback import FeedbackError, write_feedback

            try:
                written = write_feedback(result, targets[result.path], lang, show_answers)
                click.echo(f"feedback: {written}", err=True)
            except (FeedbackError, OSError) as e:
                click.echo(f"sheetprop: no feedback for {result.path}: {e}", err=True)
    if gradebook is not None:
        from .gradebook import write_gradebook

        try:
            write_gradebook(results, gradebook, flags)
            click.echo(f"gradebook: {gradebook}", err=True)
        except OSError as e:
            raise Failure(f"cannot write the gradebook {gradebook}: {e.strerror or e}") from None
    sys.exit(worst_status(results))


def _feedback_targets(files, feedback_to: Path | None) -> dict:
    """Where each file's feedback goes; never onto a handed-in file."""
    if feedback_to is None:
        return {}
    if len(files) == 1 and feedback_to.suffix.lower() == ".xlsx":
        targets = {files[0]: feedback_to}
    else:
        if feedback_to.exists() and not feedback_to.is_dir():
            raise click.UsageError("with several files, --feedback names a folder")
        targets = {f: feedback_to / f"{Path(f).stem}-feedback.xlsx" for f in files}
        if len(set(targets.values())) != len(targets):
            raise click.UsageError("two files have the same name; give their feedback separate folders")
    inputs = {Path(f).resolve() for f in files}
    if any(t.resolve() in inputs for t in targets.values()):
        raise click.UsageError("--feedback would overwrite a handed-in file; choose another name")
    return targets


def main(argv=None):
    try:
        cli.main(args=argv, prog_name="sheetprop", standalone_mode=True)
    except KeyboardInterrupt:  # pragma: no cover
        click.echo("sheetprop: interrupted", err=True)
        sys.exit(130)
