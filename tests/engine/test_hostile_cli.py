"""The hostile-input corpus against ``signoff validate`` and ``signoff analyze``: each
file is refused with an error message and a non-zero exit (never a traceback), within a
second of CPU and 50 MB of peak memory growth (see tests/hostile.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import _register, app
from tests.analytics.test_logs import CSV, XES
from tests.conftest import ROOT
from tests.hostile import EXPRESSION_BOMBS, YAML_TEXTS, bounded

_register()
runner = CliRunner()

RAW_YAML: dict[str, bytes] = {
    "nul_byte": b"key: a\x00b\n",
    "cesu_surrogate": b"key: \xed\xa0\x80\n",  # a lone surrogate, as bytes: not UTF-8
    "latin1": b"key: caf\xe9\n",
}
CSV_ARGS = ["--case-column", "case", "--activity-column", "activity",
            "--timestamp-column", "timestamp", "--resource-column", "who"]


@pytest.fixture(scope="module", autouse=True)
def _analysis_loaded(tmp_path_factory: pytest.TempPathFactory) -> None:
    """One plain analysis and one check of the example definitions before any is
    measured: the bounds are on what a hostile input costs, not on importing the modules
    (a test that ran first in its process counted those imports, about 90 MB, as the
    input's growth)."""
    path = tmp_path_factory.mktemp("warm") / "plain.csv"
    path.write_text(CSV, encoding="utf-8")
    assert runner.invoke(app, ["analyze", str(path), *CSV_ARGS]).exit_code == 0
    assert runner.invoke(app, ["validate", str(ROOT / "definitions")]).exit_code == 0


def _entity_bomb() -> str:
    entities = ['<!ENTITY a0 "lollollollollollollollollol">']
    entities += [f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">' for i in range(1, 10)]
    return ('<?xml version="1.0"?>\n<!DOCTYPE log [' + "".join(entities) + ']>\n'
            '<log><trace><string key="concept:name" value="&a9;"/></trace></log>')


# (suffix, content, exit code): 2 is a refusal; 0 a report, for logs that are odd but
# harmless to analyse (nothing is stored; the terminal output strips control codes).
LOGS: dict[str, tuple[str, bytes, int]] = {
    "xml_entity_bomb": (".xes", _entity_bomb().encode(), 2),
    "xml_external_entity": (".xes", b'<?xml version="1.0"?><!DOCTYPE log [<!ENTITY x SYSTEM '
                                    b'"file:///etc/passwd">]><log><trace><string '
                                    b'key="concept:name" value="&x;"/></trace></log>', 2),
    "xml_deep": (".xes", b"<log>" + b"<a>" * 100_000 + b"</a>" * 100_000 + b"</log>", 2),
    "xml_control_chars": (".xes", XES.replace("t1", "t\x01").encode(), 2),
    "csv_nul": (".csv", CSV.replace("eve", "e\x00ve").encode(), 0),
    "csv_huge_field": (".csv", CSV.replace("eve", "e" * 2_000_000, 1).encode(), 0),
    "csv_not_utf8": (".csv", CSV.encode() + b"3,x\xff\xfe,2024-01-01,eve,1,a\n", 2),
    "csv_no_rows": (".csv", b"case,activity,timestamp,who\n", 2),
}


@pytest.mark.parametrize("name", [*YAML_TEXTS, *RAW_YAML])
def test_validate_refuses_hostile_definitions(name: str, tmp_path: Path) -> None:
    path = tmp_path / f"{name}.yaml"
    if name in RAW_YAML:
        path.write_bytes(RAW_YAML[name])
    else:
        path.write_text(YAML_TEXTS[name], encoding="utf-8", errors="surrogatepass")
    res, _ = bounded(name, lambda: runner.invoke(app, ["validate", str(path)]),
                     this_thread=True)  # reading and checking YAML: no threads
    assert res.exit_code == 1, res.output
    assert res.exception is None or isinstance(res.exception, SystemExit), res.exception
    assert f"{path}:" in res.output


@pytest.mark.parametrize("name", list(LOGS))
def test_analyze_refuses_hostile_logs(name: str, tmp_path: Path) -> None:
    suffix, content, code = LOGS[name]
    path = tmp_path / f"{name}{suffix}"
    path.write_bytes(content)
    res, _ = bounded(name, lambda: runner.invoke(app, ["analyze", str(path), *CSV_ARGS]))
    assert res.exit_code == code, res.output
    assert res.exception is None or isinstance(res.exception, SystemExit), res.exception
    assert "/etc/passwd" not in res.output and "root:" not in res.output


@pytest.mark.parametrize("expr", EXPRESSION_BOMBS)
def test_analyze_refuses_expression_bombs(expr: str, tmp_path: Path) -> None:
    path = tmp_path / "claims.csv"
    path.write_text(CSV, encoding="utf-8")
    res, _ = bounded(expr[:40], lambda: runner.invoke(app, [
        "analyze", str(path), *CSV_ARGS, "--what-if-skip", f"Claim by SUPERVISOR:{expr}"]))
    assert res.exit_code == 2, res.output
    assert "condition" in res.output
