"""The quick-start notebook is committed without outputs and runs top to bottom on a kernel."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "quickstart.ipynb"


def test_committed_notebook_has_no_outputs() -> None:
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    code_cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code_cells
    for cell in code_cells:
        assert cell.outputs == []
        assert cell.execution_count is None


def test_notebook_runs_a_fresh_login_and_draws_the_graph(
    isolated_home: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}:{Path('/usr/bin')}:{Path('/bin')}")
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path / "jupyter-runtime"))
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    client = NotebookClient(
        notebook,
        kernel_name="python3",
        timeout=180,
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute()
    text = "\n".join(
        output.get("text", "")
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if output.output_type == "stream"
    )
    assert "您需要选择要连接的 OKX 站点:\n1. Global (www.okx.com)" in text
    assert "验证码" not in text
    assert "Code: " in text
    assert "Login successful.\nSite: eea\nScopes: live:read, live:trade" in text
    assert "okx auth login --manual --site eea" in text
    assert "outcome: logged_in | route: okx-cex-portfolio | site: eea" in text
    assert "graph TD" in text
    assert "pre_login_gate" in text
    errors = [
        output
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if output.output_type == "error"
    ]
    assert errors == []


def test_the_notebook_claims_no_thread_outliving_its_throw_away_world() -> None:
    """A thread "kept across kernel restarts" next to a temporary world would be a false claim."""
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    source = "\n".join(cell.source for cell in notebook.cells)
    temporary = "mkdtemp" in source or "TemporaryDirectory" in source
    assert not (temporary and re.search(r"restart|across (sessions|kernels)", source, re.I))
    assert "InMemorySaver" in source, "the notebook says its thread lives in memory"
