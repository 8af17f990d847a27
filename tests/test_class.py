"""A teacher's class: a variant per student, a gradebook, what the class gets wrong, copies."""

import csv
import json

import openpyxl
import pytest
from click.testing import CliRunner

from sheetprop import roster
from sheetprop.batch import check_many
from sheetprop.check import Options
from sheetprop.cli import cli
from sheetprop.mistakes import mutations
from sheetprop.submission import load

from .helpers import fill, simulate_student

SECRET = "correct horse battery staple"


@pytest.fixture
def klass(tmp_path):
    r = tmp_path / "students.csv"
    r.write_text("id;name\n2024001;Ana Souza\n2024002;João Pereira\n2024003;Zé\n2024004;Bia\n", encoding="utf-8")
    out = tmp_path / "class"
    res = CliRunner().invoke(cli, ["generate", "--roster", str(r), "--out", str(out), "--secret", SECRET])
    assert res.exit_code == 0, res.output
    manifest = list(csv.DictReader(open(out / "manifest.csv", encoding="utf-8-sig")))
    return r, out, manifest


def test_one_variant_per_student_with_a_manifest(klass):
    _, out, manifest = klass
    assert [m["id"] for m in manifest] == ["2024001", "2024002", "2024003", "2024004"]
    assert set(manifest[0]) >= {"id", "name", "seed", "exercise", "solution"}
    assert len({m["seed"] for m in manifest}) == 4
    variants = set()
    for m in manifest:
        ex, sol = out / m["exercise"], out / m["solution"]
        assert m["id"] in ex.name and ex.parent.name == "exercises" and sol.parent.name == "solutions"
        sub = load(ex, recalculate=False)
        assert sub.meta.student.as_dict() == {"id": m["id"], "name": m["name"]}
        assert "seed" not in sub.meta.origin, "the seed stays with the teacher"
        variants.add(json.dumps(sub.meta.exercise, sort_keys=True))
        sheet_text = " ".join(str(c.value) for row in openpyxl.load_workbook(ex).worksheets[0].iter_rows(max_row=3)
                              for c in row if c.value)
        assert m["id"] in sheet_text and m["name"] in sheet_text
        assert int(m["seed"]) == roster.seed_for(SECRET, m["id"])
    assert len(variants) == 4


def test_seeds_need_the_secret():
    assert roster.seed_for("a", "2024001") != roster.seed_for("b", "2024001")
    assert roster.seed_for("a", "2024001") != roster.seed_for("a", "2024002")
    assert roster.seed_for("a", "2024001", 1) != roster.seed_for("a", "2024001", 0)


def test_reseeding_one_student_leaves_the_others_untouched(klass):
    r, out, manifest = klass
    before = {m["id"]: (out / m["exercise"]).read_bytes() for m in manifest}
    res = CliRunner().invoke(cli, ["generate", "--roster", str(r), "--out", str(out), "--secret", SECRET,
                                   "--reseed", "2024002"])
    assert res.exit_code == 0, res.output
    after = list(csv.DictReader(open(out / "manifest.csv", encoding="utf-8-sig")))
    for old, new in zip(manifest, after):
        if old["id"] == "2024002":
            assert new["seed"] != old["seed"] and new["round"] == "1"
            assert (out / new["exercise"]).read_bytes() != before[old["id"]]
        else:
            assert new == old and (out / new["exercise"]).read_bytes() == before[old["id"]]


def test_a_missing_workbook_is_regenerated_identically(klass):
    r, out, manifest = klass
    ex = out / manifest[2]["exercise"]
    givens = load(ex, recalculate=False).meta.exercise
    ex.unlink()
    res = CliRunner().invoke(cli, ["generate", "--roster", str(r), "--out", str(out), "--secret", SECRET])
    assert res.exit_code == 0 and "1 written" in res.output
    assert load(ex, recalculate=False).meta.exercise == givens


def test_the_wrong_secret_or_none_is_refused(klass):
    r, out, _ = klass
    res = CliRunner().invoke(cli, ["generate", "--roster", str(r), "--out", str(out), "--secret", "other"])
    assert res.exit_code == 2 and f"the folder '{out}' holds a class made with another secret" in res.output
    res = CliRunner().invoke(cli, ["generate", "--roster", str(r), "--out", str(out / "x")], env={"SHEETPROP_SECRET": ""})
    assert res.exit_code == 2 and "secret" in res.output


@pytest.mark.parametrize("content, message", [
    ("name\nAna\n", "'id' column"),
    ("id,name\n1,Ana\n1,Bia\n", "twice"),
    ("id,name\n,Ana\n", "no id"),
    ("", "empty"),
])
def test_bad_rosters(tmp_path, content, message):
    r = tmp_path / "r.csv"
    r.write_text(content)
    res = CliRunner().invoke(cli, ["generate", "--roster", str(r), "--out", str(tmp_path / "o"), "--secret", "s"])
    assert res.exit_code == 2 and message in res.output


@pytest.fixture
def submissions(klass, tmp_path):
    """Four students: one correct, one with M2, one who copied another's answers, one broken file."""
    _, out, manifest = klass
    folder = tmp_path / "hand-ins"
    subs = {m["id"]: load(out / m["exercise"], recalculate=False) for m in manifest}
    files = []
    for m in manifest:
        sub = subs[m["id"]]
        mutation = None
        if m["id"] == "2024002":
            mutation = next(x for x in mutations(sub.graph)["delta_h1"] if x.code == "M2")
        if m["id"] == "2024003":  # copies 2024001's numbers into their own exercise
            src = subs["2024001"]
            answers = simulate_student(src.graph, src.givens)
        else:
            answers = simulate_student(sub.graph, sub.givens, mutation=mutation)
        files.append(fill(out / m["exercise"], answers, folder / f"{m['id']}.xlsx"))
    broken = folder / "2024004-broken.xlsx"
    broken.write_text("oops")
    files[-1] = broken
    return files


def test_gradebook_summary_and_copies(submissions, tmp_path):
    book = tmp_path / "grades.csv"
    res = CliRunner().invoke(cli, ["check", *map(str, submissions), "--gradebook", str(book)])
    assert res.exit_code == 2
    out = res.stdout
    assert "2024004-broken.xlsx: could not be checked" in out
    assert "1 of 2 left out the activation's derivative at the hidden layer (M2)" in out
    assert "fit the variant of 2024001" in out
    assert "gradebook: " not in out and "gradebook: " in res.stderr, "nothing on stdout but the report"
    raw = book.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(open(book, encoding="utf-8-sig")))
    assert [r["student_id"] for r in rows] == ["2024001", "2024002", "2024003", ""]
    assert rows[0]["score"] == rows[0]["max_score"] == "35" and rows[0]["first_wrong"] == ""
    assert rows[1]["first_wrong"] == "delta_h1" and rows[1]["delta_h1"] == "misconception M2"
    assert rows[1]["name"] == "João Pereira"
    assert "its answers fit the exercise of 2024001" in rows[2]["flags"]
    assert rows[3]["error"] and rows[3]["score"] == ""
    assert {"net_h1", "new_b_3"} <= set(rows[0])


def test_class_json(submissions):
    res = CliRunner().invoke(cli, ["check", "--json", *map(str, submissions)])
    doc = json.loads(res.stdout)
    klass = doc["class"]
    assert klass["files"] == 4 and klass["checked"] == 3 and klass["unchecked"] == 1
    assert {"code": "M2", "students": 1, "who": ["2024002"]} in klass["mistakes"]
    assert klass["attempts"] == 2 and klass["apart"]["copied"] == 1 and klass["apart"]["unreadable"] == 1
    copier = doc["files"][2]
    assert copier["flags"] and copier["flags"][0]["kind"] == "fits_other_variant"
    assert copier["flags"][0]["other"] == "2024001"
    assert doc["files"][0]["flags"] == []


def test_same_variant_is_flagged(submissions, tmp_path):
    twin = tmp_path / "twin.xlsx"
    twin.write_bytes(submissions[0].read_bytes())
    doc = json.loads(CliRunner().invoke(cli, ["check", "--json", str(submissions[0]), str(twin)]).stdout)
    kinds = [[f["kind"] for f in f_["flags"]] for f_ in doc["files"]]
    assert kinds == [["same_variant"], ["same_variant"]]


def test_parallel_batch_gives_the_one_file_verdicts(submissions, tmp_path):
    many = []
    for n in range(40):
        p = tmp_path / "many" / f"s{n}.xlsx"
        p.parent.mkdir(exist_ok=True)
        p.write_bytes(submissions[n % 4].read_bytes())
        many.append(p)
    options = Options(recalculate=False)
    parallel = check_many(many, options, jobs=2)
    single = check_many(many, options, jobs=1)
    for a, b in zip(parallel, single):
        assert a.error == b.error
        if a.grade:
            assert [(c.id, c.verdict, c.mistake) for c in a.grade.cells] == \
                [(c.id, c.verdict, c.mistake) for c in b.grade.cells]


@pytest.mark.libreoffice
def test_a_generated_solution_handed_in_is_flagged(klass, tmp_path):
    from sheetprop import libreoffice

    _, out, manifest = klass
    saved, = libreoffice.recalculate([out / manifest[0]["solution"]], tmp_path / "lo")
    other = tmp_path / "other.xlsx"
    other.write_bytes((out / manifest[1]["exercise"]).read_bytes())
    doc = json.loads(CliRunner().invoke(cli, ["check", "--json", str(saved), str(other)]).stdout)
    first = doc["files"][0]
    # A key is not an answer: it earns nothing, with the reason, and does not count as correct.
    assert first["score"]["points"] == 0 and first["score"]["max"] == 35
    assert first["score"]["void"] == "solution_workbook" and first["status"] == 1
    assert doc["class"]["all_correct"] == 0 and doc["class"]["apart"]["forged"] == 1
    assert "solution_workbook" in first["notes"]
    assert [f["kind"] for f in first["flags"]] == ["solution_workbook"]
    text = CliRunner().invoke(cli, ["check", str(saved), str(other)]).stdout
    assert "handed in a solution made by sheetprop generate" in text
