"""The command line: a thin layer over the library. Errors become one line and an exit status."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import click

from . import __version__
from .activations import HIDDEN, LOSSES, OUTPUT
from .inert import terminal as escape
from .layout import LAYOUTS

class Failure(click.ClickException):
    """One clear line and exit status 2, the status of a file or an input that could not be used."""

    exit_code = 2

    def show(self, file=None):
        # Escaped whatever it says: a message may carry a student's file name.
        click.echo(f"sheetprop: {escape(self.format_message(), 2000)}", err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="sheetprop")
def cli():
    """Backpropagation by hand: generate a spreadsheet exercise, then check a student's answers."""


@cli.command()
@click.option("--seed", type=click.IntRange(min=0), help="Draw a variant from this seed.")
@click.option("--preset", type=click.Choice(["mazur"]), help="A published example: 'mazur' (2-2-2, eta 0.5).")
@click.option("--givens", "givens_file", type=click.Path(dir_okay=False, path_type=Path),
              help="A teacher's own example: a JSON or TOML file (see the README).")
@click.option("--layers", default="2-2-1", show_default=True, help="inputs-hidden-outputs, with --seed or --roster.")
@click.option("--bias", default="neuron", show_default=True,
              help="One bias per neuron (neuron), one shared per layer (layer), or none; or one convention per "
                   "layer as HIDDEN/OUTPUT, e.g. layer/neuron; with --seed or --roster.")
@click.option("--frozen-biases", is_flag=True, help="Biases are not updated (Mazur's convention); with --seed or --roster.")
@click.option("--activation", type=click.Choice(HIDDEN, case_sensitive=False), default="sigmoid",
              show_default=True, help="Activation of the hidden layer; with --seed or --roster.")
@click.option("--output", "output_act", type=click.Choice(OUTPUT, case_sensitive=False), default="sigmoid",
              show_default=True, help="Activation of the output layer (softmax: two or more outputs).")
@click.option("--loss", type=click.Choice(tuple(LOSSES), case_sensitive=False), default="squared",
              show_default=True,
              help="squared: ½Σ(t − o)² (Mazur); mse: the mean of (t − o)²; cross-entropy: binary over "
                   "sigmoid outputs, categorical over a softmax.")
@click.option("--lang", default="en", show_default=True, help="Language of the workbook: en or pt-BR.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("generated"),
              show_default=True, help="Folder to write the workbooks to.")
@click.option("--force", is_flag=True, help="Overwrite workbooks that already exist.")
@click.option("--layout", type=click.Choice(LAYOUTS), default="rows", show_default=True,
              help="rows: one row per quantity, with its rule; byhand: Tom Yeh's AI-by-Hand staircase of matrices.")
@click.option("--roster", type=click.Path(dir_okay=False, path_type=Path),
              help="A class: a CSV with an 'id' column (and 'name'); one variant per student.")
@click.option("--secret", envvar="SHEETPROP_SECRET", help="With --roster: the class secret the seeds derive "
              "from (or the environment variable SHEETPROP_SECRET).")
@click.option("--reseed", multiple=True, metavar="ID", help="With --roster: give this student a new variant.")
@click.option("--min-digits", type=click.IntRange(3, 15), default=3, show_default=True,
              help="Significant digits every answer must have (stated in the exercise; fewer earn nothing).")
@click.option("--pdf", is_flag=True, help="Also print the exercise and the solution to PDF (needs LibreOffice).")
@click.option("--task", type=click.Choice(["step", "xor"]), default="step", show_default=True,
              help="step: one training step (part 1); xor: train the net on XOR, one row per epoch (part 2).")
@click.option("--epochs", type=click.IntRange(1, 5000), default=None,
              help="With --task xor: epochs (default 500; 2,500 for cross-entropy).")
@click.option("--optimizer", type=click.Choice(["gd", "momentum", "sgd"]), default="gd", show_default=True,
              help="With --task xor: full-batch gradient descent, with momentum (β 0.9), or one update per "
                   "pattern (sgd, four an epoch).")
def generate(seed, preset, givens_file, layers, bias, frozen_biases, activation, output_act, loss, lang, out_dir,
             force, layout, roster, secret, reseed, min_digits, pdf, task, epochs, optimizer):
    """Write an exercise and its solution (or a class's).

    An exercise workbook and its solution with live formulas, from a seed, a preset or a
    givens file; or, with --roster, one variant per student of a class; or, with --task xor,
    a training run of part 2.
    """
    if task == "xor":
        if seed is None or preset or givens_file or roster or bias != "neuron" or frozen_biases:
            raise click.UsageError("--task xor takes --seed N (with --layers, --activation, --output, --loss, "
                                   "--epochs); biases are one per neuron, trained")
        _generate_xor(seed, layers, activation, output_act, loss, epochs, optimizer, lang, out_dir, force, pdf)
        return
    if epochs is not None or optimizer != "gd":
        raise click.UsageError("--epochs and --optimizer go with --task xor")
    from . import sources
    from .network import GivensError
    from .text import normalize_lang
    from .write import write_pair

    chosen = [name for name, v in (("--seed", seed), ("--preset", preset), ("--givens", givens_file),
                                   ("--roster", roster)) if v is not None]
    if len(chosen) != 1:
        raise click.UsageError("choose exactly one of --seed N, --preset mazur, --givens FILE or --roster CSV")
    shape_options = (layers != "2-2-1" or bias != "neuron" or frozen_biases
                     or (activation, output_act, loss) != ("sigmoid", "sigmoid", "squared"))
    if shape_options and seed is None and roster is None:
        raise click.UsageError("--layers, --bias, --frozen-biases, --activation, --output and --loss go with --seed "
                               "or --roster; a preset or a givens file brings its own network")
    if layout != "rows" and roster is not None:
        raise click.UsageError("--layout byhand goes with --seed, --preset or --givens; a class gets the row layout")
    if reseed and roster is None:
        raise click.UsageError("--reseed goes with --roster")
    try:
        shape = sources.shape_from(layers, bias, not frozen_biases, activation, output_act, loss)
    except GivensError as e:
        raise Failure(str(e)) from None
    if pdf and roster is not None:
        raise click.UsageError("--pdf goes with one exercise, not with --roster")
    if roster is not None:
        _generate_class(roster, out_dir, secret, lang, shape if shape_options else None, reseed, force, min_digits)
        return
    def make():
        if seed is not None:
            g = sources.from_seed(seed, shape)
        elif preset is not None:
            g = sources.from_preset(preset)
        else:
            g = sources.from_file(givens_file)
        return write_pair(g, out_dir, lang=normalize_lang(lang), force=force, layout=layout, min_digits=min_digits)

    _write_pair(make, out_dir, lang, pdf)


def _write_pair(make, out_dir, lang, pdf):
    """make() draws and writes an exercise and its solution: each failure one line, then the paths
    and, with --pdf, the printed pages."""
    from .network import GivensError
    from .text import normalize_lang
    from .write import OutputExists

    try:
        lang = normalize_lang(lang)
        exercise, solution = make()
    except (GivensError, ValueError, OutputExists) as e:
        raise Failure(str(e)) from None
    except OSError as e:
        raise Failure(f"cannot write to {out_dir}: {e.strerror or e}") from None
    click.echo(f"exercise: {escape(exercise, 300)}")
    click.echo(f"solution: {escape(solution, 300)}")
    if pdf:
        _print_pdfs([exercise, solution], lang)


def _print_pdfs(workbooks, lang):
    from . import libreoffice
    from .paper import write_pdfs

    if not libreoffice.available():
        raise Failure("no PDF: LibreOffice (soffice) is not installed; the workbooks are written, print them "
                      "from Excel or LibreOffice (A4, set up to fit the page width)")
    try:
        for kind, written in zip(("exercise", "solution"), write_pdfs(workbooks, lang)):
            click.echo(f"{kind} PDF: {written}")
    except libreoffice.LibreOfficeError as e:
        raise Failure(f"no PDF: {e}") from None


def _generate_xor(seed, layers, activation, output_act, loss, epochs, optimizer, lang, out_dir, force, pdf=False):
    from . import sources, xor_sheet, xor_task
    from .text import normalize_lang

    def make():
        shape = sources.shape_from(layers, "neuron", True, activation, output_act, loss)
        run = xor_task.draw(seed, shape, epochs or xor_task.default_epochs(shape), optimizer)
        return xor_sheet.write_pair(run, out_dir, lang=normalize_lang(lang), force=force)

    _write_pair(make, out_dir, lang, pdf)  # with --pdf, the summary page: chart, outputs, drawing


def _generate_class(roster, out_dir, secret, lang, shape, reseed, force, min_digits=3):
    from .network import GivensError, Shape
    from .roster import MANIFEST, RosterError, generate_class
    from .text import normalize_lang

    try:
        lang = normalize_lang(lang)
        with _progress("generating") as tick:
            rows, skipped = generate_class(roster, out_dir, secret, lang, shape or Shape(), tuple(reseed), force,
                                           tick, min_digits)
    except (RosterError, GivensError, ValueError) as e:
        raise Failure(escape(str(e), 300)) from None
    except OSError as e:
        raise Failure(f"cannot write to {out_dir}: {e.strerror or e}") from None
    written = sum(r["written"] for r in rows)
    click.echo(f"{len(rows)} students ({written} written, {len(rows) - written} unchanged): exercises in "
               f"{out_dir / 'exercises'}, solutions in {out_dir / 'solutions'}, manifest {out_dir / MANIFEST}")
    for line in skipped:
        click.echo(f"sheetprop: {line}", err=True)
    if skipped:
        sys.exit(2)


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
              help="Write a gradebook: one row per workbook, a column per cell's verdict (.csv or .xlsx).")
@click.option("--gradebook-format", type=click.Choice(["csv", "xlsx", "moodle", "canvas"]), default=None,
              help="The gradebook's form: by default its extension's; moodle or canvas for the CSV that "
                   "platform imports.")
@click.option("--assignment", default="sheetprop", show_default=True,
              help="The grade column's name in a moodle or canvas gradebook; for an existing Canvas "
                   "assignment, its name and id as Canvas exports them: 'Backprop (1234)'.")
@click.option("--full/--brief", "full", default=None,
              help="A table per file (the default for one file) or one line per file (for several).")
@click.option("--jobs", type=click.IntRange(min=1), default=None, help="Worker processes (default: all cores).")
@click.option("--class", "class_dir", type=click.Path(file_okay=False, path_type=Path),
              help="The class folder `generate --roster` wrote: verify each workbook against its student's "
                   "exercise, and grade the roster.")
@click.option("--secret", envvar="SHEETPROP_SECRET", help="With --class: the class secret (or the environment "
              "variable SHEETPROP_SECRET).")
def check(files, as_json, lang, show_answers, carried, rel_tol, abs_tol, no_recalculate, feedback_to, gradebook,
          gradebook_format, assignment, full, jobs, class_dir, secret):
    """Check filled-in exercises against the reference.

    Each answer cell of each workbook is judged against the numpy reference, from the
    student's own earlier cells.

    Exit status: 0 every cell correct, 1 something is not correct, 2 a file could not be checked.
    """
    from .batch import check_many
    from .check import Options, worst_status
    from .classroom import copy_flags, summarize
    from .integrity import verify
    from .report import brief, class_lines, json_chunks, terminal
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
    if gradebook_format is not None and gradebook is None:
        raise click.UsageError("--gradebook-format goes with --gradebook FILE")
    if gradebook is not None:
        from .gradebook import GradebookError, format_for

        try:
            format_for(gradebook, gradebook_format)
        except GradebookError as e:
            raise click.UsageError(str(e)) from None
    klass = _load_class(class_dir, secret) if class_dir is not None else None
    with _progress("checking") as tick:
        results = check_many(files, options, jobs=jobs, progress=tick)
    hidden = _class_answers(results, lang) if show_answers and klass is None else set()

    def answers(result) -> bool:  # a class exercise's answers are the teacher's: shown only with its class
        return show_answers and result.path not in hidden

    standings = verify(results, klass)
    batch = len(results) > 1
    flags = _merge_flags(standings, copy_flags(results, tolerance) if batch else {})
    as_class = batch or klass is not None
    summary = summarize(results, flags, standings if klass else None, klass) if as_class else None
    full = (not batch) if full is None else full
    if as_json:
        for chunk in json_chunks(results, lang, answers, flags, summary, standings if klass else None):
            click.echo(chunk, nl=False)
    else:
        for n, result in enumerate(results):
            if full:
                # With a class, the flags are listed once, in the class's lines below.
                click.echo(terminal(result, lang, answers(result), color=sys.stdout.isatty(), flags=flags.get(n),
                                    list_flags=not as_class))
                click.echo("")
            else:
                click.echo(brief(result, lang, flags.get(n)))
        if as_class:
            click.echo("")
            click.echo("\n".join(class_lines(results, summary, flags, lang, standings if klass else None)))
    status = worst_status(results)
    if gradebook is not None:
        from .gradebook import write_gradebook

        try:
            book_lang = lang or next((r.submission.meta.lang for r in results if r.submission), "en")
            write_gradebook(results, gradebook, flags, gradebook_format, book_lang, summary, assignment,
                            standings=standings if klass else None, klass=klass)
            click.echo(f"gradebook: {escape(gradebook, 300)}", err=True)
        except OSError as e:
            click.echo(f"sheetprop: cannot write the gradebook {escape(gradebook, 300)}: {e.strerror or e}", err=True)
            status = 2
    if targets and not _write_feedbacks(results, targets, lang, answers):
        status = 2
    sys.exit(status)


def _write_feedbacks(results, targets: dict, lang, show_answers) -> bool:
    """Each file's feedback; one that fails gets its line and the others go on. True if all were written."""
    from .feedback import write_feedback

    ok = True
    for result in results:
        if result.path not in targets or result.error is not None:
            continue
        if getattr(result.submission, "task", "step") == "xor":
            click.echo(f"sheetprop: no feedback for {escape(result.path, 200)}: feedback workbooks are made for "
                       f"the one-step exercise; a training run's report says where it went wrong", err=True)
            continue
        try:
            written = write_feedback(result, targets[result.path], lang, show_answers(result))
            click.echo(f"feedback: {escape(written, 300)}", err=True)
        except MemoryError:
            click.echo(f"sheetprop: no feedback for {escape(result.path, 200)}: out of memory", err=True)
            ok = False
        except OSError as e:
            click.echo(f"sheetprop: no feedback for {escape(result.path, 200)}: {escape(e.strerror or e, 200)}",
                       err=True)
            ok = False
        except Exception as e:  # noqa: BLE001 - one file's feedback never stops the others'
            click.echo(f"sheetprop: no feedback for {escape(result.path, 200)}: {escape(e, 200)}", err=True)
            ok = False
    return ok


@cli.command()
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), default=Path("autograder.zip"),
              show_default=True, help="Where to write the autograder zip.")
@click.option("--lang", default="en", show_default=True,
              help="Language of the messages when a submission holds no workbook (otherwise the workbook's).")
@click.option("--carried", type=click.Choice(["full", "half", "none"]), default="full", show_default=True,
              help="Credit for a cell that is consistent with the student's own wrong inputs.")
def gradescope(out, lang, carried):
    """Build an autograder zip for Gradescope.

    Gradescope runs `sheetprop check` on each submitted workbook and shows a test per quantity.
    """
    from .gradescope import build_zip
    from .text import normalize_lang

    try:
        written = build_zip(out, normalize_lang(lang), carried)
    except (ValueError, RuntimeError) as e:
        raise Failure(str(e)) from None
    except OSError as e:
        raise Failure(f"cannot write {out}: {e.strerror or e}") from None
    click.echo(f"autograder: {written}")


def _answers_are_the_teachers(result, lang, class_dir, secret):
    """A class workbook's walkthrough holds every answer of that student's variant: as with
    check --show-answers, only with its class and the class secret, and only if it is that
    class's own exercise."""
    from .integrity import verify
    from .report import lang_of
    from .text import text

    meta = result.submission.meta
    if meta.student is None and "student" not in meta.origin:
        return  # a self-study workbook: its answers are drawn from its seed by anyone
    t = text(lang_of(result, lang))
    if class_dir is None:
        raise Failure(t("integrity.show_answers_needs_class", path=escape(result.path, 200)))
    standing, = verify([result], _load_class(class_dir, secret))
    if standing.void is not None:
        raise Failure(f"{escape(result.path, 200)}: {escape(standing.void, 200)}")


def _load_class(class_dir: Path, secret: str | None):
    from .roster import RosterError, load_class
    from .text import text

    if not secret:
        raise Failure(text("en")("integrity.no_secret"))
    try:
        return load_class(class_dir, secret)
    except RosterError as e:
        raise Failure(str(e)) from None


def _class_answers(results, lang) -> set[str]:
    """The class exercises among the files: their answers are the teacher's, shown only with the
    class and its secret. Each gets one line on stderr; the rest of the run goes on."""
    from .report import lang_of
    from .text import text
    from .values import escape

    hidden = set()
    for r in results:
        meta = r.submission.meta if r.submission is not None else None
        if meta is not None and (meta.student is not None or "student" in meta.origin):
            t = text(lang_of(r, lang))
            click.echo(f"sheetprop: {t('integrity.show_answers_needs_class', path=escape(r.path, 200))}", err=True)
            hidden.add(r.path)
    return hidden


def _merge_flags(standings, copies: dict[int, list[dict]]) -> dict[int, list[dict]]:
    """The verification's flags and the suspected copies, once each; two files of one student
    (handed in twice) are not copies of each other."""
    merged = {}
    for i, st in enumerate(standings):
        fl = list(st.flags)
        kinds = {f["kind"] for f in fl}
        for f in copies.get(i, []):
            if f["kind"] == "solution_workbook" and "solution_workbook" in kinds:
                continue
            if st.student and f.get("other") == st.student:
                continue
            fl.append(f)
        if fl:
            merged[i] = fl
    return merged


# What a file name made from a student's should not hold: control characters (a terminal
# listing the folder would run them), bidi marks, path separators.
_UNSAFE_IN_NAMES = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069/\\\\]+")


def _safe_stem(stem: str) -> str:
    return _UNSAFE_IN_NAMES.sub("_", stem)[:120] or "_"


def _feedback_targets(files, feedback_to: Path | None) -> dict:
    """Where each file's feedback goes; never onto a handed-in file."""
    if feedback_to is None:
        return {}
    if len(files) == 1 and feedback_to.suffix.lower() == ".xlsx":
        targets = {files[0]: feedback_to}
    else:
        if feedback_to.exists() and not feedback_to.is_dir():
            raise click.UsageError("with several files, --feedback names a folder")
        targets, taken = {}, set()
        for f in files:
            # Files of one name in several folders (a platform's download lays each student's hand-in
            # out as <student>/answers.xlsx): the folder's name tells them apart, then a number.
            stem, parent = _safe_stem(Path(f).stem), _safe_stem(Path(f).resolve().parent.name)
            name, n = f"{stem}-feedback.xlsx", 1
            while name in taken:
                n += 1
                name = f"{parent}-{stem}-feedback.xlsx" if n == 2 else f"{parent}-{stem}-{n}-feedback.xlsx"
            taken.add(name)
            targets[f] = feedback_to / name
    inputs = {Path(f).resolve() for f in files}
    if any(t.resolve() in inputs for t in targets.values()):
        raise click.UsageError("--feedback would overwrite a handed-in file; choose another name")
    return targets


def _variant_options(f):
    """The options that choose one variant: a seed with its network, a preset, or a givens file."""
    options = [
        click.option("--seed", type=click.IntRange(min=0), help="Draw a variant from this seed."),
        click.option("--preset", type=click.Choice(["mazur"]), help="A published example: 'mazur'."),
        click.option("--givens", "givens_file", type=click.Path(dir_okay=False, path_type=Path),
                     help="A teacher's own example: a JSON or TOML file."),
        click.option("--layers", default="2-2-1", show_default=True, help="inputs-hidden-outputs, with --seed."),
        click.option("--bias", default="neuron", show_default=True,
                     help="neuron, layer, none, or HIDDEN/OUTPUT; with --seed."),
        click.option("--frozen-biases", is_flag=True, help="Biases are not updated; with --seed."),
        click.option("--activation", type=click.Choice(HIDDEN, case_sensitive=False), default="sigmoid",
                     show_default=True, help="Hidden activation; with --seed."),
        click.option("--output", "output_act", type=click.Choice(OUTPUT, case_sensitive=False), default="sigmoid",
                     show_default=True, help="Output activation; with --seed."),
        click.option("--loss", type=click.Choice(tuple(LOSSES), case_sensitive=False), default="squared",
                     show_default=True, help="With --seed."),
    ]
    for option in reversed(options):
        f = option(f)
    return f


@cli.command()
@click.argument("workbook", required=False, type=click.Path(path_type=str))
@_variant_options
@click.option("--lang", default=None, help="Language of the page: en or pt-BR (default: the workbook's, or en).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("generated"),
              show_default=True, help="Folder to write the page to.")
@click.option("--force", is_flag=True, help="Overwrite pages that already exist.")
@click.option("--class", "class_dir", type=click.Path(file_okay=False, path_type=Path),
              help="A class workbook's class folder (from generate --roster): its walkthrough holds the answers, "
                   "so it needs the class and its secret.")
@click.option("--secret", envvar="SHEETPROP_SECRET", help="With --class: the class secret.")
def explain(workbook, seed, preset, givens_file, layers, bias, frozen_biases, activation, output_act, loss, lang,
            out_dir, force, class_dir, secret):
    """Write a step-by-step walkthrough of one variant.

    In Mazur's manner: an HTML page (MathML, no script, no network) and a Markdown file.

    Give --seed N (with its network options), --preset, --givens FILE, or a WORKBOOK: an exercise,
    or a filled-in one, which is checked first and explained with the student's own numbers and
    the first place they went wrong. Exit status 2 when the input cannot be used.
    """
    from . import sources
    from .explain import walkthrough, write
    from .network import GivensError
    from .text import normalize_lang
    from .write import OutputExists, file_stem

    chosen = [name for name, v in (("WORKBOOK", workbook), ("--seed", seed), ("--preset", preset),
                                   ("--givens", givens_file)) if v is not None]
    if len(chosen) != 1:
        raise click.UsageError("choose exactly one of WORKBOOK, --seed N, --preset mazur or --givens FILE")
    shape_options = (layers != "2-2-1" or bias != "neuron" or frozen_biases
                     or (activation, output_act, loss) != ("sigmoid", "sigmoid", "squared"))
    if shape_options and seed is None:
        raise click.UsageError("--layers, --bias, --frozen-biases, --activation, --output and --loss go with --seed")
    try:
        lang = normalize_lang(lang) if lang else None
        result = None
        if workbook is not None:
            from .check import check_file

            result = check_file(workbook)
            if result.error is not None:
                raise Failure(f"{escape(workbook, 200)}: {escape(result.error, 200)}")
            if getattr(result.submission, "task", "step") != "step":
                raise Failure(f"{escape(workbook, 200)}: a training run (part 2); the walkthrough explains one "
                              f"step: run sheetprop check on it to see where the run went wrong")
            _answers_are_the_teachers(result, lang, class_dir, secret)
            g = result.submission.givens
            lang = lang or normalize_lang(result.submission.meta.get("lang"))
            if all(c.verdict == "blank" for c in result.grade.cells):
                result = None  # an exercise not yet filled in: the walkthrough alone
            # the page's name from the student's file name, without what a file name should not hold
            stem = _safe_stem(Path(workbook).stem)
        else:
            if seed is not None:
                g = sources.from_seed(seed, sources.shape_from(layers, bias, not frozen_biases, activation,
                                                               output_act, loss))
            elif preset is not None:
                g = sources.from_preset(preset)
            else:
                g = sources.from_file(givens_file)
            stem = file_stem(g, lang or "en")
        html_path, md_path = write(walkthrough(g, lang or "en", result), out_dir, stem, force)
    except (GivensError, ValueError, OutputExists) as e:
        raise Failure(str(e)) from None
    except OSError as e:
        raise Failure(f"cannot write to {out_dir}: {e.strerror or e}") from None
    click.echo(f"walkthrough: {escape(html_path, 300)}")
    click.echo(f"markdown: {escape(md_path, 300)}")


def main(argv=None):
    try:
        cli.main(args=argv, prog_name="sheetprop", standalone_mode=True)
    except KeyboardInterrupt:  # pragma: no cover
        click.echo("sheetprop: interrupted", err=True)
        sys.exit(130)
