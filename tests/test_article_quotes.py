"""Issue 15: every passage a notebook quotes from the source article (a Markdown `>` line) is
found in it verbatim.

The article is not part of this repository: it is `../shared/article/source-article.md` beside
the checkout (or beside the checkout a clone was made from, as CI's fresh clone is), or the file
named by `TORCHBOOK_ARTICLE`.
"""

from __future__ import annotations

import os
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
                found += [(path.name, line[2:]) for line in cell.source.splitlines() if line.startswith("> ")]
    return found


def test_the_references_notebook_quotes_the_article():
    assert sum(1 for name, _ in quotes() if name == "10_references.ipynb") >= 14


def test_every_quoted_passage_is_in_the_article_verbatim():
    source = article()
    if source is None:
        pytest.fail("the article was not found: set TORCHBOOK_ARTICLE to source-article.md")
    text = source.read_text(encoding="utf-8")
    missing = [(name, q) for name, q in quotes() if q not in text]
    assert not missing, missing
