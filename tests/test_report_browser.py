"""The report opens in a real browser: headless Chromium renders it to a screenshot.

Needs Debian's ``chromium`` (``apt-get install chromium``; ``.ci/run`` installs it when it
can); skipped otherwise. The screenshot is written to ``test-artifacts/report.png`` (not
committed): look at it to see right-to-left Arabic with highlighted entities.
"""

from __future__ import annotations

import shutil
import subprocess

import numpy as np
import pytest

from helpers.paths import REPO_ROOT

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = REPO_ROOT / "test-artifacts"

ARTICLE = """---
title: الجزائر تستضيف اجتماعا لدول جوار ليبيا <script>alert(1)</script>
date: 2021-08-30
---
استضافت الجزائر اجتماعا لدول جوار ليبيا، وأكد وزير الخارجية الجزائري أن بلاده ترفض التدخل التركي والروسي.
وقال مسؤول إن <img src=x onerror=alert(1)> روسيا تدعم قوات حفتر في سرت، بينما تدعم تركيا حكومة الوفاق في طرابلس.
ورحبت مصر وتونس بالحوار، ودعت الأمم المتحدة إلى خروج المرتزقة.
"""


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (Debian: apt-get "
                    "install chromium); the browser check of the report is skipped")
def test_report_renders_in_headless_chromium(tmp_path, bundled_models):
    from helpers.__main__ import main

    source = tmp_path / "article.txt"
    source.write_text(ARTICLE, encoding="utf-8")
    out = tmp_path / "out"
    assert main(["analyze", str(source), "--out", str(out)]) == 0
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "report.png"
    shot.unlink(missing_ok=True)
    command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
               "--no-first-run", "--disable-background-networking",
               "--disable-component-update", "--disable-sync",
               f"--user-data-dir={tmp_path / 'profile'}", f"--screenshot={shot}",
               "--window-size=1200,1600", (out / "report.html").as_uri()]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert shot.is_file() and shot.stat().st_size > 20_000
    import matplotlib.image as mpimg

    pixels = mpimg.imread(shot)[..., :3]
    assert pixels.shape[:2] == (1600, 1200)
    assert pixels.std() > 0.05  # not a blank page
    # the entity highlights (colours of helpers.colors.ENTITY_COLORS at 20% opacity) are
    # in view: in the upper part of the page some pixels are clearly tinted, not grey
    top = pixels[:1000]
    tint = top.max(axis=2) - top.min(axis=2)
    light = top.min(axis=2) > 0.5  # pale highlight backgrounds, not blue link text
    highlight = (tint > 0.08) & light
    assert highlight.mean() > 0.002
    # the article is written right to left: its first line starts at the right margin with
    # a highlighted name (الجزائر), so pale highlights reach the right quarter of the page
    columns = np.flatnonzero(highlight[450:].any(axis=0))
    assert columns.max() > 1000
