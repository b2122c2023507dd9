"""A CJK font from a Python package (mplfonts' Noto Sans CJK SC), so Chinese labels render on a
fresh machine without system fonts: Latin text stays DejaVu Sans, CJK glyphs fall back to Noto."""
from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

from matplotlib import font_manager, rcParams

LATIN = "DejaVu Sans"              # matplotlib's bundled default
CJK = "Noto Sans CJK SC"           # family name inside the file below
CJK_FILE = "NotoSansCJKsc-Regular.otf"


def cjk_font_path() -> Path:
    """The Noto Sans CJK SC file shipped by the ``mplfonts`` package (found without importing
    it: importing it does nothing we need)."""
    spec = importlib.util.find_spec("mplfonts")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("mplfonts is not installed: pip install 'mplfonts>=0.0.11'")
    path = Path(list(spec.submodule_search_locations)[0]) / "fonts" / CJK_FILE
    if not path.is_file():
        raise FileNotFoundError(f"{path}: the mplfonts package ships no {CJK_FILE}")
    return path


def register_cjk_font() -> None:
    """Register the CJK font with this process's font manager (the user's font cache and
    rcParams are left alone); idempotent."""
    names = {f.name for f in font_manager.fontManager.ttflist}
    if CJK not in names:
        font_manager.fontManager.addfont(str(cjk_font_path()))


def cjk_rc() -> dict[str, Any]:
    """The rcParams that draw Latin in DejaVu Sans and CJK glyphs in Noto (for an rc_context);
    registers the font first."""
    register_cjk_font()
    # a list of concrete families is what matplotlib (>= 3.6) falls back through glyph by glyph;
    # a generic name such as "sans-serif" would resolve to one font only
    return {"font.family": [LATIN, CJK, "sans-serif"],
            "axes.unicode_minus": True,          # DejaVu Sans has the minus sign
            "svg.fonttype": "path"}              # SVGs carry glyph outlines: no font needed


def use_cjk_font() -> None:
    """Make the CJK fallback this process's default (changes global rcParams: for scripts and
    notebooks; the figures package uses ``cjk_rc`` in an rc_context instead); idempotent."""
    rcParams.update(cjk_rc())
