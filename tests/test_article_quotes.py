"""Issue 15: every passage a notebook quotes from the source article (a Markdown `>` line) is
found in it verbatim (a quoted formula is written `> $$...$$` so that it renders; the `$$` are
not part of the quote), and every chapter names the section of the article it follows, by its
number and Chinese heading.

The article is not part of this repository: it is `../shared/article/source-article.md` beside
the checkout (or beside the checkout a clone was made from, as CI's fresh clone is), or the file
named by `TORCHBOOK_ARTICLE`.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent


def article() -> Path | None:
    candidates = []
    if os.environ.get("TORCHBOOK_ARTICLE"):
        candidates.append(Path(os.environ["TORCHBOOK_ARTICLE"]))
    candidates.append(ROOT.parent / "shared/article/source-article.md")
    origin = subprocess.run(["git", "-C", str(ROOT), "config", "remote.origin.url"], capture_output=True, text=True)
    if origin.returncode == 0 and origin.stdout.strip() and Path(origin.stdout.strip()).exists():
        candidates.append(Path(origin.stdout.strip()).resolve().parent / "shared/article/source-article.md")
    return next((c for c in candidates if c.exists()), None)


def quotes() -> list[tuple[str, str]]:
    found = []
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type == "markdown":
                found += [(path.name, unwrap(line[2:])) for line in cell.source.splitlines() if line.startswith("> ")]
    return found


def unwrap(quote: str) -> str:
    """A display formula `$$...$$` quotes what is between the `$$`."""
    if len(quote) > 4 and quote.startswith("$$") and quote.endswith("$$"):
        return quote[2:-2]
    return quote


# The chapters that follow a section of the article (00 is the tour, 10 the errata).
CHAPTERS = [p for p in sorted((ROOT / "notebooks").glob("*.ipynb")) if p.name[:2] not in ("00", "10")]
TITLE = re.compile(r"^# \d\d · §(\d+(?:\.\d+)*) (\S+) \((.+)\)")


@pytest.mark.parametrize("path", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_each_chapter_names_the_section_it_follows(path):
    source = article()
    if source is None:
        pytest.fail("the article was not found: set TORCHBOOK_ARTICLE to source-article.md")
    headings = [line.lstrip("#").strip() for line in source.read_text(encoding="utf-8").splitlines()
                if line.startswith("#")]
    title = nbformat.read(path, as_version=4).cells[0].source.splitlines()[0]
    found = TITLE.match(title)
    assert found, f"{path.name}: title {title!r} is not '# NN · §N.N 中文标题 (English translation)'"
    number, chinese, english = found.groups()
    # Top-level sections are numbered "6." in the article, subsections "6.1".
    assert {f"{number} {chinese}", f"{number}. {chinese}"} & set(headings), \
        f"{path.name}: no heading '{number} {chinese}' in the article"
    assert english.strip(), path.name


def test_each_chapter_quotes_the_article():
    counts = {p.name: sum(1 for name, _ in quotes() if name == p.name) for p in CHAPTERS}
    assert all(n >= 1 for n in counts.values()), counts


def test_the_references_notebook_quotes_the_article():
    assert sum(1 for name, _ in quotes() if name == "10_references.ipynb") >= 14


def test_every_quoted_passage_is_in_the_article_verbatim():
    source = article()
    if source is None:
        pytest.fail("the article was not found: set TORCHBOOK_ARTICLE to source-article.md")
    text = source.read_text(encoding="utf-8")
    missing = [(name, q) for name, q in quotes() if q not in text]
    assert not missing, missing
