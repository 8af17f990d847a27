"""The words: every message in every language, rendered whole; names that read right."""

import re
import string
from pathlib import Path

import pytest
from click.testing import CliRunner

from sheetprop import roster
from sheetprop.cli import cli
from sheetprop.graph import SECTIONS
from sheetprop.mistakes import CODES
from sheetprop.text import LANGS, text

SOURCE = Path(__file__).resolve().parent.parent / "sheetprop"
VERDICTS = ("correct", "carried", "misconception", "wrong", "blank", "unreadable")


def leaves(node, prefix=""):
    """Every message under its dotted key: strings, and each line of a list."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from leaves(value, f"{prefix}{key}.")
    elif isinstance(node, list):
        for n, line in enumerate(node):
            yield f"{prefix}{n}", line
    else:
        yield prefix.rstrip("."), node


def fields(message: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(message) if name}


def test_every_key_exists_in_every_language():
    keys = {lang: dict(leaves(text(lang).data)) for lang in LANGS}
    en = keys["en"]
    for lang, messages in keys.items():
        assert set(messages) == set(en), (lang, set(en) ^ set(messages))
        for key, message in messages.items():
            assert fields(message) == fields(en[key]), (lang, key)


@pytest.mark.parametrize("lang", LANGS)
def test_every_message_renders_without_leftover_placeholders(lang):
    for key, message in leaves(text(lang).data):
        if not isinstance(message, str):
            continue
        rendered = message.format(**{name: "X" for name in fields(message)})
        assert "{" not in rendered and "}" not in rendered, (lang, key, rendered)


def test_every_key_the_code_asks_for_exists():
    """Keys written out in the code (t("report.score")) and the families it builds from names."""
    literal = set()
    for path in SOURCE.glob("*.py"):
        literal |= set(re.findall(r"""\bt\(\s*["']([a-z_]+(?:\.[A-Za-z0-9_]+)+)["']""", path.read_text()))
    built = ({f"report.verdicts.{v}" for v in VERDICTS} | {f"legend.{v}" for v in VERDICTS}
             | {f"mistakes.{c}" for c in CODES} | {f"mistakes_short.{c}" for c in CODES}
             | {f"sections.{s}" for s in SECTIONS}
             | {f"report.carried_policy_{p}" for p in ("full", "half", "none")})
    assert len(literal) > 40
    for lang in LANGS:
        keys = {k for k, _ in leaves(text(lang).data)}
        tables = {k.rsplit(".", 1)[0] for k in keys}
        missing = {k for k in literal | built if k not in keys and k not in tables}
        assert not missing, (lang, missing)


@pytest.mark.parametrize("student_id, file_name", [
    ("andré.souza", "andre.souza"), ("João Çarvalho", "Joao_Carvalho"), ("Jürgen.Groß", "Jurgen.Gross"),
    ("2024001", "2024001"), ("../etc/passwd", "etc_passwd"), ("ØØ", "OO"), ("李", "student"),
])
def test_file_names_keep_the_id_readable(student_id, file_name):
    assert roster.safe_name(student_id) == file_name


def test_a_student_keeps_the_file_names_of_the_manifest(tmp_path):
    """An older sheetprop wrote andr_.souza: rerunning the class keeps that name, writes nothing new."""
    r = tmp_path / "r.csv"
    r.write_text("id,name\nandré.souza,André\n", encoding="utf-8")
    out = tmp_path / "class"
    args = ["generate", "--roster", str(r), "--out", str(out), "--secret", "s"]
    assert CliRunner().invoke(cli, args).exit_code == 0
    assert (out / "exercises" / "sheetprop-andre.souza-exercise.xlsx").exists()
    for folder, kind in (("exercises", "exercise"), ("solutions", "solution")):
        (out / folder / f"sheetprop-andre.souza-{kind}.xlsx").rename(out / folder / f"sheetprop-andr_.souza-{kind}.xlsx")
    manifest = (out / "manifest.csv").read_text(encoding="utf-8-sig").replace("andre.souza-", "andr_.souza-")
    (out / "manifest.csv").write_text(manifest, encoding="utf-8-sig")
    res = CliRunner().invoke(cli, args)
    assert res.exit_code == 0 and "0 written" in res.output
    assert sorted(p.name for p in (out / "exercises").iterdir()) == ["sheetprop-andr_.souza-exercise.xlsx"]


@pytest.mark.parametrize("lang, expected", [
    ("pt-BR", "estudante 2024002 (Ana Lúcia Müller)"), ("en", "student 2024002 (Ana Lúcia Müller)")])
def test_a_students_exercise_in_words(lang, expected):
    from sheetprop.text import origin_text

    assert origin_text(text(lang), {"student": "2024002", "name": "Ana Lúcia Müller"}) == expected
    assert origin_text(text(lang), {"student": "x\x1b[2J", "name": "\u202eevil"}) == \
        expected.split()[0] + " x\\u001b[2J (\\u202eevil)", "a student's text reaches no terminal as control codes"


def test_the_top_level_help_is_not_cut():
    out = CliRunner().invoke(cli, ["--help"]).output
    commands = out.split("Commands:")[1]
    assert "..." not in commands and "(or" not in commands.replace("(or a class's)", "")


def test_a_workbook_from_before_the_accent_still_checks(tmp_path, monkeypatch):
    """Workbooks written when the pt-BR sheet was "Exercicio" record that name: they still check."""
    from sheetprop import sources
    from sheetprop.submission import load
    from sheetprop.write import write_pair

    from .helpers import fill, simulate_student

    old = dict(text("pt-BR").data)
    monkeypatch.setitem(old, "sheet", {**old["sheet"], "sheet_name": "Exercicio"})
    monkeypatch.setattr(text("pt-BR"), "data", old)
    exercise, _ = write_pair(sources.from_seed(5), tmp_path, lang="pt-BR")
    monkeypatch.undo()
    assert text("pt-BR")("sheet.sheet_name") == "Exercício"
    sub = load(exercise, recalculate=False)
    assert sub.meta["sheet"] == "Exercicio"
    answers = fill(exercise, simulate_student(sub.graph, sub.givens), tmp_path / "answers.xlsx")
    feedback = tmp_path / "feedback.xlsx"
    res = CliRunner().invoke(cli, ["check", str(answers), "--feedback", str(feedback)])
    assert res.exit_code == 0, res.output
    import openpyxl

    # the feedback is built fresh from the exercise's layout, in today's words
    assert openpyxl.load_workbook(feedback).sheetnames == ["Resumo", "Exercício"]
