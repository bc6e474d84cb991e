"""The daily report's chart draws Chinese with a CJK font (bin/test installs
fonts-noto-cjk): matplotlib warns about every glyph its font lacks."""

from __future__ import annotations

import base64
import shutil
import subprocess
import warnings

import pytest

from engine.daily_report import chart_png


def _has_cjk_font() -> bool:
    if shutil.which("fc-list") is None:
        return False
    out = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True)
    return bool(out.stdout.strip())


@pytest.mark.skipif(not _has_cjk_font(), reason="no CJK font installed (bin/test installs one)")
def test_a_chinese_title_is_drawn_with_glyphs() -> None:
    figures = {"finished_per_day": [("11-30", 3), ("12-01", 5)]}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        png = base64.b64decode(chart_png(figures, "每日完成的申请"))
    assert png.startswith(b"\x89PNG")
    missing = [str(w.message) for w in caught if "missing from font" in str(w.message)]
    assert missing == []
