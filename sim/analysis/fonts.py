"""A CJK font from a Python package (mplfonts' Noto Sans CJK SC), so Chinese labels render on a
fresh machine without system fonts: Latin text stays DejaVu Sans, CJK glyphs fall back to Noto.
matplotlib is imported by the functions that set it up, not here: a report's font subset needs
only fontTools."""
from __future__ import annotations

import functools
import hashlib
import importlib.util
import os
import re
from pathlib import Path
from typing import Any

from sim.runner.files import atomic_path

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
    from matplotlib import font_manager
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
    from matplotlib import rcParams
    rcParams.update(cjk_rc())


# the blocks a Latin system font lacks: CJK punctuation, kana, ideographs, compatibility
# ideographs, vertical and full-width forms (dashes, ≥, curly quotes stay with the Latin font,
# whose glyphs fit Latin text: the CJK font's are full-width)
CJK_RANGES = ((0x2E80, 0x9FFF), (0xF900, 0xFAFF), (0xFE30, 0xFE4F), (0xFF00, 0xFFEF))
_CJK = re.compile("[" + "".join(f"{chr(lo)}-{chr(hi)}" for lo, hi in CJK_RANGES) + "]")


def cjk_chars(text: str) -> str:
    """The distinct characters of ``text`` in ``CJK_RANGES``, sorted (a report's page holds
    hundreds of thousands of characters: one regular expression, not a test per character)."""
    return "".join(sorted(set(_CJK.findall(text))))


def cache_dir() -> Path:
    """Where cut fonts are kept between processes: ``$XDG_CACHE_HOME/medgroup-sim/fonts``
    (``~/.cache`` without it)."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "medgroup-sim" / "fonts"


@functools.lru_cache(maxsize=8)
def subset_woff(chars: str) -> bytes:
    """The CJK font cut down to the glyphs of ``chars``, as WOFF (zlib-compressed, so no
    brotli is needed): a few kilobytes instead of the 16 MB file, for embedding in a page.

    Cutting (with fontTools' import) takes about 0.5 s of each run's report and gives the same
    bytes every time (the font keeps its own timestamp rather than the time of cutting), so the
    result is kept in ``cache_dir()`` under a key of the characters, the font file and
    fontTools' version; a cache that cannot be read or written is skipped."""
    path = cache_dir() / f"{_subset_key(chars)}.woff"
    try:
        return path.read_bytes()
    except OSError:
        pass
    data = _cut(chars)
    try:
        with atomic_path(path) as tmp:        # parallel sweep jobs may write the same key
            tmp.write_bytes(data)
    except OSError:
        pass
    return data


def _subset_key(chars: str) -> str:
    """A hash of what a subset depends on: the characters, the font file, fontTools."""
    from importlib.metadata import version
    font = cjk_font_path()
    stat = font.stat()
    parts = (chars, str(font), str(stat.st_size), str(stat.st_mtime_ns), version("fonttools"))
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def _cut(chars: str) -> bytes:
    """``subset_woff`` without the cache."""
    import io
    import logging

    from fontTools import subset
    from fontTools.ttLib import TTFont
    logging.getLogger("fontTools").setLevel(logging.WARNING)   # its INFO lines reach Hydra's log
    options = subset.Options()
    options.flavor, options.layout_features, options.hinting = "woff", [], False
    options.name_IDs, options.notdef_outline = [], True
    font = TTFont(cjk_font_path(), lazy=True, recalcTimestamp=False)   # same input, same bytes
    cutter = subset.Subsetter(options)
    cutter.populate(text=chars)
    cutter.subset(font)
    out = io.BytesIO()
    font.flavor = "woff"
    font.save(out)
    return out.getvalue()


def font_face_css(chars: str, family: str = "Report CJK") -> str:
    """An ``@font-face`` rule embedding the glyphs of ``chars`` (base64 WOFF) under ``family``;
    '' when ``chars`` is empty. A page lists ``family`` first: the subset holds only these
    characters, so a browser takes every other one from the next family."""
    import base64
    if not chars:
        return ""
    data = base64.b64encode(subset_woff(chars)).decode("ascii")
    return (f'@font-face{{font-family:"{family}";font-style:normal;font-weight:400;'
            f'src:url(data:font/woff;base64,{data}) format("woff")}}')
