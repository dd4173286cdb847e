"""docs/PYTHON.md's tutorial runs as written (from the repository root)."""

import os
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[3]


def test_tutorial_runs(monkeypatch):
    text = (ROOT / "docs" / "PYTHON.md").read_text(encoding="utf-8")
    tutorial = text.split("## Tutorial", 1)[1]
    blocks = re.findall(r"```python\n(.*?)```", tutorial, flags=re.S)
    assert blocks, "docs/PYTHON.md: no ```python block after '## Tutorial'"
    monkeypatch.chdir(ROOT)
    # One session, as a reader runs the blocks one after the other.
    namespace: dict = {}
    for block in blocks:
        exec(compile(block, "docs/PYTHON.md", "exec"), namespace)
