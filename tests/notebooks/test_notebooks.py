"""The notebooks are part of the product: stored clean, and each runs top to bottom on a database.

Executed with nbclient in a real `python3` kernel (the interpreter running the tests), against
the synthetic database of conftest.py, a freshly initialised empty one, and the demo database
when the lead's `demo_db` fixture exists.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parents[2]
NOTEBOOK_DIR = REPO / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
MAX_BYTES = 20_000


def test_there_are_the_four_notebooks():
    assert [p.name for p in NOTEBOOKS] == [
        "01_topic_trends.ipynb", "02_hotspot_drilldown.ipynb", "03_classifier_review.ipynb", "04_followup.ipynb"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_stored_small_valid_and_without_outputs(path):
    assert path.stat().st_size < MAX_BYTES
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{path.name}: a code cell has stored outputs; clear them"
            assert cell.execution_count is None


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_reads_its_database_first_and_has_one_parameters_cell(path):
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert "analysis.database_path()" in code[0].source
    assert "analysis.overview(DB)" in code[0].source  # opens it read-only through the store
    tagged = [c for c in code if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1 and "Parameters" in tagged[0].source


def test_notebooks_never_touch_authors_or_bylines():
    for path in NOTEBOOKS:
        text = path.read_text(encoding="utf-8")
        assert "author_hash" not in text and "byline" not in text, path.name


@pytest.fixture(scope="session")
def jupyter_path(tmp_path_factory) -> str:
    """A `python3` kernelspec that starts THIS interpreter, first on JUPYTER_PATH: a user-level
    python3 kernelspec (~/.local/share/jupyter) pointing at another Python must not run the tests."""
    from ipykernel.kernelspec import write_kernel_spec

    root = tmp_path_factory.mktemp("jupyter")
    write_kernel_spec(root / "kernels" / "python3")
    return str(root)


def test_python3_kernel_runs_this_interpreter(jupyter_path, monkeypatch):
    from jupyter_client.manager import KernelManager

    monkeypatch.setenv("JUPYTER_PATH", jupyter_path)
    manager = KernelManager(kernel_name="python3")
    command = manager.format_kernel_cmd()
    assert command[0] == sys.executable, f"kernelspec {manager.kernel_spec.resource_dir} starts {command[0]}"


@pytest.fixture(params=["synthetic", "empty", "demo"])
def database(request, synthetic_db, empty_db):
    if request.param == "demo":
        try:
            return request.param, request.getfixturevalue("demo_db")
        except pytest.FixtureLookupError:
            pytest.skip("no `demo_db` fixture in tests/conftest.py yet; the notebooks ran on the synthetic database")
    return request.param, {"synthetic": synthetic_db, "empty": empty_db}[request.param]


def execute(path: Path, db: Path, workdir: Path, jupyter_path: str, monkeypatch) -> nbformat.NotebookNode:
    """Run every cell in a fresh kernel that sees DULUN_DB and this checkout; raises on any error."""
    from nbclient import NotebookClient

    monkeypatch.setenv("JUPYTER_PATH", jupyter_path)
    monkeypatch.setenv("DULUN_DB", str(db))
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])))
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, kernel_name="python3", timeout=300, resources={"metadata": {"path": str(workdir)}}).execute()
    return nb


def text_of(nb: nbformat.NotebookNode) -> str:
    parts = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            parts.append(output.get("text", ""))
            parts.append(output.get("data", {}).get("text/plain", ""))
    return "\n".join(parts)


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_top_to_bottom(path, database, tmp_path, jupyter_path, monkeypatch):
    kind, db = database
    nb = execute(path, db, tmp_path, jupyter_path, monkeypatch)
    out = text_of(nb)
    assert f"Reading {db}" in out
    if kind == "empty":
        return
    if path.stem == "01_topic_trends":
        assert "2026-W47" in out
    if path.stem == "02_hotspot_drilldown":  # the planted rise, explained, with its phrases
        assert "2026-W47: labor in Hải Phòng" in out
        assert "Level: new" in out or "Level: rising" in out
        assert "đình công" in out and "nợ lương" in out
    if path.stem == "03_classifier_review":
        assert "labeled documents" in out or "no analyst labels" in out
    if path.stem == "04_followup":  # the synthetic timeline's issues: one answered, one waiting
        assert "issue threads" in out and "response_rate" in out
