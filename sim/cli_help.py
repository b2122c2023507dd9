"""``python -m sim --help``: the tool, its presets, policies and plans (read from ``configs/``),
examples and where outputs go. The text is Hydra's help template (``configs/hydra/help/sim.yaml``);
the lists come from the ``sim.options`` resolver registered here, so a new config file shows up
without editing the help."""
from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from omegaconf import OmegaConf

CONFIG_DIR = Path(__file__).resolve().parent.parent / "configs"
WIDTH = 100


def describe(group: str, name: str, config_dir: Path = CONFIG_DIR) -> str:
    """The first sentence of a config file's leading comment (for a policy made only of levers,
    its first lever's), without its source references ``(seed ...)``."""
    path = config_dir / group / f"{name}.yaml"
    text = _comment(path)
    lever = re.search(r"^\s*-\s*/lever/(\w+)", path.read_text(encoding="utf-8"), re.M)
    if group == "policy" and lever:           # a lever's policy repeats its comment, cut short
        full = _comment(config_dir / "lever" / f"{lever.group(1)}.yaml")
        text = full if full.startswith(text) else text
    text = _without_sources(text).removeprefix("Study: ").split(": python -m")[0]
    end = re.search(r"(?<=[.;?])\s", text + " ")
    return (text[:end.start()] if end else text).rstrip(".;").replace(" :", ":")


def _without_sources(text: str) -> str:
    """``text`` without parentheses (nested ones included) that cite a seed document."""
    out, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch == "(":
            if depth == 0:
                out.append(text[start:i])
                start = i
            depth += 1
        elif ch == ")" and depth:
            depth -= 1
            if depth == 0:
                group = text[start:i + 1]
                out.append("" if "seed" in group else group)
                start = i + 1
    out.append(text[start:])
    return re.sub(r"\s+([,.;:?])", r"\1", re.sub(r"\s{2,}", " ", "".join(out))).strip()


def _comment(path: Path) -> str:
    """The comment lines at the top of a YAML file (``# @package`` left out), joined."""
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        if not line.startswith("# @package"):
            lines.append(line.lstrip("# ").rstrip())
    return " ".join(lines)


def options(group: str, config_dir: Path = CONFIG_DIR) -> str:
    """One line per config of ``group``: its name and description, cut to ``WIDTH``."""
    names = sorted(p.stem for p in (config_dir / group).glob("*.yaml"))
    width = max(map(len, names)) + 2
    return "\n".join(_fit(f"  {n:<{width}}{describe(group, n, config_dir)}") for n in names)


def _fit(line: str, width: int = WIDTH) -> str:
    """``line`` cut to ``width`` terminal columns (Chinese characters take two), with '…'."""
    used = 0
    for i, ch in enumerate(line):
        used += 2 if unicodedata.east_asian_width(ch) in "WF" else 1
        if used > width - 1 and i < len(line) - 1:
            return line[:i].rstrip() + "…"
    return line


def register() -> None:
    """``${sim.options:GROUP}`` for the help template."""
    if not OmegaConf.has_resolver("sim.options"):
        OmegaConf.register_new_resolver("sim.options", options)
