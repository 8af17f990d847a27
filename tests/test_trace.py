"""Checking the training trace of a student's own Python MLP (the README's CSV)."""

import json
import os
import subprocess
import sys

import pytest

from sheetprop.check import check_file
from sheetprop.xor_task import draw

from .xor_student import train

CLI = [sys.executable, "-m", "sheetprop", "check"]
START = draw(42).params.flat().tolist()  # a start known to learn XOR at eta 3


def test_a_correct_program_trains_and_checks_as_correct(tmp_path):
    path = train(tmp_path / "trace.csv", start=START)
    result = check_file(path)
    g = result.grade
    assert result.error is None and result.status == 0
    assert g.correct == 500 and g.faults == [] and g.reached == 298 and g.target_met
    shown = subprocess.run(CLI + [str(path)], capture_output=True, text=True)
    assert shown.returncode == 0
    assert "Every epoch follows" in shown.stdout and "reached E < 0.01 at epoch 298" in shown.stdout


@pytest.mark.parametrize("mistake", ["M1", "M2"])
def test_a_program_with_a_common_mistake_is_named_at_epoch_1(tmp_path, mistake):
    path = train(tmp_path / "trace.csv", start=START, mistake=mistake)
    g = check_file(path).grade
    assert (g.first.epoch, g.first.verdict, g.first.mistake) == (1, "misconception", mistake)
    doc = json.loads(subprocess.run(CLI + ["--json", str(path)], capture_output=True, text=True).stdout)
    f, = doc["files"]
    assert f["status"] == 1 and f["kind"] == "trace" and f["first_wrong"]["mistake"] == mistake


def test_flipping_the_update_or_the_error_cannot_be_told_apart_in_a_trace(tmp_path):
    """Both flip every gradient step (the loss is the same): the trace shows the step is off and
    that more than one common mistake fits."""
    g = check_file(train(tmp_path / "trace.csv", start=START, mistake="M6")).grade
    assert (g.first.epoch, g.first.verdict, g.first.reason) == (1, "wrong", "ambiguous")


def _rewrite(path, change):
    lines = path.read_text().splitlines()
    path.write_text("\n".join(change(lines)) + "\n")
    return path


@pytest.mark.parametrize("change,message", [
    (lambda ls: ls[:10] + ls[11:], "epoch 9 follows epoch 7"),
    (lambda ls: [ls[0], "epoch,loss,w_2,w_1,w_3,w_4,w_5,w_6,b_1,b_2,b_3"] + ls[2:], "columns are reordered"),
    (lambda ls: ls[:5] + [ls[5].replace(ls[5].split(",")[3], "abc", 1)] + ls[6:], "'abc' is not a number"),
    (lambda ls: ls[:5] + [ls[5].replace(ls[5].split(",")[3], "nan", 1)] + ls[6:], "'nan' is not a number"),
    (lambda ls: ls[1:], "not a sheetprop training trace"),
    (lambda ls: [ls[0].replace(" eta=3.0", "")] + ls[1:], "declare the learning rate"),
    (lambda ls: ls[:3] + [ls[3] + ",1"] + ls[4:], "has 12 fields"),
])
def test_a_malformed_trace_gets_one_clear_line_and_status_2(tmp_path, change, message):
    path = _rewrite(train(tmp_path / "trace.csv", start=START, epochs=20), change)
    done = subprocess.run(CLI + [str(path)], capture_output=True, text=True)
    assert done.returncode == 2
    assert message in done.stdout, done.stdout
    assert "Traceback" not in done.stdout + done.stderr
    assert len(done.stdout.strip().splitlines()) == 1


def test_odd_files_named_csv_get_one_line(tmp_path):
    binary = tmp_path / "binary.csv"
    binary.write_bytes(b"\xff\xfe\x00garbage\x00" * 100)
    folder = tmp_path / "folder.csv"
    folder.mkdir()
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    workbook = tmp_path / "renamed.csv"
    from sheetprop.xor_sheet import write_pair

    workbook.write_bytes(write_pair(draw(42), tmp_path / "wb")[0].read_bytes())
    for path, message in ((binary, "not UTF-8 text"), (folder, "a folder"), (fifo, "not a regular file"),
                          (tmp_path / "missing.csv", "no such file"), (workbook, "give it its .xlsx name")):
        done = subprocess.run(CLI + [str(path)], capture_output=True, text=True, timeout=60)
        assert done.returncode == 2 and message in done.stdout, (path, done.stdout)
        assert "Traceback" not in done.stdout + done.stderr


def test_a_batch_of_traces_and_workbooks_with_a_gradebook_and_feedback(tmp_path):
    from sheetprop.xor_sheet import write_pair

    exercise, _ = write_pair(draw(42), tmp_path)
    good = train(tmp_path / "good.csv", start=START, epochs=50)
    wrong = train(tmp_path / "m1.csv", start=START, epochs=50, mistake="M1")
    done = subprocess.run(CLI + [str(good), str(wrong), str(exercise), "--gradebook", str(tmp_path / "grades.csv"),
                                 "--feedback", str(tmp_path / "fb")], capture_output=True, text=True)
    assert done.returncode == 1 and "Traceback" not in done.stdout + done.stderr
    assert "no feedback for" in done.stderr
    rows = (tmp_path / "grades.csv").read_text(encoding="utf-8-sig").splitlines()
    assert len(rows) == 4 and "misconception M1" in rows[2]


def test_a_per_pattern_sgd_program_is_checked_as_sgd(tmp_path):
    path = train(tmp_path / "sgd.csv", start=START, online=True, eta=4.0)
    result = check_file(path)
    assert result.status == 0 and result.grade.correct == 500 and result.grade.target_met
    wrong = check_file(train(tmp_path / "sgd-m2.csv", start=START, online=True, eta=4.0, mistake="M2")).grade
    assert (wrong.first.epoch, wrong.first.verdict, wrong.first.mistake) == (1, "misconception", "M2")
    # The same program declared as full batch: its first epoch is not one full-batch step.
    lines = path.read_text().splitlines()
    path.write_text("\n".join([lines[0].replace(" optimizer=sgd", "")] + lines[1:]) + "\n")
    assert check_file(path).grade.first.epoch == 1


def test_a_trace_that_starts_trained_does_not_reach_the_target(tmp_path):
    """Weights that already solve XOR and an η too small to move them: every row 'follows', but
    nothing was learned (found by playing a hostile student)."""
    import json

    trained = [6.0, 6.0, -6.0, -6.0, 9.0, 9.0, -3.0, 9.0, -13.5]  # h1 ≈ OR, h2 ≈ NAND, o ≈ AND: XOR
    path = tmp_path / "trace.csv"
    train(path, eta=1e-12, epochs=50, start=trained)
    shown = subprocess.run(CLI + ["--json", str(path)], capture_output=True, text=True)
    one = json.loads(shown.stdout)["files"][0]
    assert one["target_met"] is False and "started_trained" in one["notes"]
    assert shown.returncode == 1
