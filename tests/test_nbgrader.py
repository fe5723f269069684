"""Issue 13, item 1: nbgrader (the real one from PyPI) generates student versions of the Rust
assignments in teaching/ and autogrades them with the Torchbook kernel.

Three students hand in each assignment: `instructor` (the source solution), `untouched` (the
release version as generated) and `wrong` (assignment 1 with the cross-entropy written without
its 1/n, the article's omission: the visible test has n = 1 and passes, the hidden one fails).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
NBGRADER = str(Path(sys.prefix) / "bin/nbgrader")
ASSIGNMENTS = ["losses", "backprop", "text_classifier"]


def nbgrader(course: Path, *args: str) -> subprocess.CompletedProcess:
    run = subprocess.run([NBGRADER, *args], cwd=course, capture_output=True, text=True, timeout=1200)
    assert run.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{run.stdout[-3000:]}\n{run.stderr[-5000:]}"
    return run


def source_of(nb: nbformat.NotebookNode) -> str:
    return "\n".join(c.source for c in nb.cells)


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    course = tmp_path_factory.mktemp("course")
    shutil.copy(ROOT / "teaching/nbgrader_config.py", course)
    shutil.copytree(ROOT / "teaching/source", course / "source")
    for a in ASSIGNMENTS:
        nbgrader(course, "generate_assignment", a, "--force")
    for a in ASSIGNMENTS:
        release = course / "release" / a / f"{a}.ipynb"
        for student in ["instructor", "untouched", "wrong"]:
            target = course / "submitted" / student / a / f"{a}.ipynb"
            target.parent.mkdir(parents=True)
            shutil.copy(course / "source" / a / f"{a}.ipynb" if student == "instructor" else release, target)
        # `wrong` solves the other assignments like the instructor.
        wrong = course / "submitted/wrong" / a / f"{a}.ipynb"
        if a == "losses":
            nb = nbformat.read(wrong, as_version=4)
            cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "losses_solution")
            cell.source = (
                "fn mse(prediction: &Tensor, target: &Tensor) -> f64 {\n"
                "    (prediction - target).square().mean(Kind::Double).double_value(&[])\n}\n"
                "fn cross_entropy(p: &Tensor, y: &Tensor) -> f64 {\n"
                "    -(y * p.log()).sum(Kind::Double).double_value(&[])\n}"
            )
            nbformat.write(nb, wrong)
        else:
            shutil.copy(course / "source" / a / f"{a}.ipynb", wrong)
    for a in ASSIGNMENTS:
        nbgrader(course, "autograde", a, "--create", "--force")
    return course


def test_student_versions_have_stubs_and_no_solutions_or_hidden_tests(course):
    for a in ASSIGNMENTS:
        release = nbformat.read(course / "release" / a / f"{a}.ipynb", as_version=4)
        text = source_of(release)
        assert "todo!()" in text and "// YOUR CODE HERE" in text, a
        for gone in ["BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"]:
            assert gone not in text, (a, gone)
    losses = source_of(nbformat.read(course / "release/losses/losses.ipynb", as_version=4))
    assert "p.log()" not in losses and "nll_loss" not in losses, "a solution or a hidden test leaked"


def grades(course: Path, assignment: str, student: str) -> dict[str, tuple[float, float]]:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        notebook = gb.find_submission_notebook(assignment, assignment, student)
        return {g.name: (g.score, g.max_score) for g in notebook.grades}


def test_the_instructors_solution_gets_full_marks_and_writes_nothing_to_stderr(course):
    for a in ASSIGNMENTS:
        for name, (score, max_score) in grades(course, a, "instructor").items():
            assert score == max_score, (a, name, score, max_score)
        graded = nbformat.read(course / "autograded/instructor" / a / f"{a}.ipynb", as_version=4)
        stderr = [o.text for c in graded.cells for o in c.get("outputs", [])
                  if o.output_type == "stream" and o.name == "stderr"]
        assert stderr == [], (a, stderr)


def test_the_untouched_student_version_scores_zero(course):
    for a in ASSIGNMENTS:
        scores = grades(course, a, "untouched")
        assert scores and all(score == 0 for score, _ in scores.values()), (a, scores)


def test_a_wrong_solution_loses_exactly_the_points_of_the_tests_it_fails(course):
    scores = grades(course, "losses", "wrong")
    failed = {name for name, (score, max_score) in scores.items() if score != max_score}
    assert failed == {"test_cross_entropy_hidden"}, scores
    total, possible = sum(s for s, _ in scores.values()), sum(m for _, m in scores.values())
    assert (total, possible) == (4, 6), scores
    for a in ["backprop", "text_classifier"]:
        assert all(s == m for s, m in grades(course, a, "wrong").values())
