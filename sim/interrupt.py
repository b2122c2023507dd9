"""Ctrl-C: a run stops at once with one line, its workers ended (``sim.runner.run``), and leaves
no folder that looks like a run: the folder is removed when this command made it, else marked
``INCOMPLETE`` (which ``sim.compare`` and sweeps never read as a run, and sweeps re-run).

Standard library only, so ``python -m sim`` installs the handler before its heavy imports. The
handler also raises a flag, checked again where a run starts (``check``): a library that
swallows ``KeyboardInterrupt`` while the command starts up cannot make it run on regardless.
"""
from __future__ import annotations

import multiprocessing
import os
import shutil
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any, NoReturn

EXIT_CODE = 130          # 128 + SIGINT, as shells report a command ended by Ctrl-C
STARTED = time.monotonic()
requested = False        # Ctrl-C was pressed
folder: Path | None = None        # the single run's folder (cli.RunFolder, before Hydra makes it)
folder_existed = False            # ... and whether it was there before this command
sweep: str | None = None          # the sweep's name, for a sweep


def _on_sigint(signum: int, frame: Any) -> None:
    global requested
    requested = True
    raise KeyboardInterrupt


def install() -> None:
    """Ctrl-C raises ``KeyboardInterrupt`` and leaves ``requested`` set (main thread only)."""
    signal.signal(signal.SIGINT, _on_sigint)


def check() -> None:
    """Raise ``KeyboardInterrupt`` again if Ctrl-C was pressed and something swallowed it
    (in the main thread only: another thread's exception would not stop the run)."""
    if requested and threading.current_thread() is threading.main_thread():
        raise KeyboardInterrupt


def stop() -> NoReturn:
    """After Ctrl-C: tidy the run folder, say so in one line on stderr, exit 130."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)     # a second Ctrl-C cannot cut this short
    print(f"interrupted: stopped after {_seconds(time.monotonic() - STARTED)}{_tidy()}",
          file=sys.stderr, flush=True)
    if sweep is not None:             # the launcher's own exit handlers end its workers
        sys.exit(EXIT_CODE)
    _end_children()
    sys.stdout.flush()
    os._exit(EXIT_CODE)               # not sys.exit: CPython may turn a KeyboardInterrupt
    #                                   caught during an import into a second SIGINT at exit


def _end_children(grace: float = 1.0) -> None:
    """End any process this one started (workers, the progress queue's manager)."""
    children = multiprocessing.active_children()
    for child in children:
        child.terminate()
    deadline = time.monotonic() + grace
    for child in children:
        child.join(max(0.0, deadline - time.monotonic()))
        if child.is_alive():
            child.kill()


def _tidy() -> str:
    """Remove or mark the interrupted run's folder; what was done, for the one line."""
    if sweep is not None:
        return ("; finished jobs are kept, unfinished ones are marked INCOMPLETE and run again "
                f"by the same command with sweep_name={sweep}")
    if folder is None or not folder.exists():
        return "; nothing was written"
    from sim.runner.outputs import INCOMPLETE_MARKER, is_complete, mark_incomplete
    if is_complete(folder):
        return ""
    if folder_existed:                # not ours to delete: say it is not a run
        mark_incomplete(folder, "interrupted (Ctrl-C)")
        return f"; {folder} is marked {INCOMPLETE_MARKER}"
    shutil.rmtree(folder, ignore_errors=True)
    try:
        folder.parent.rmdir()         # the day's folder, if this run was its only one
    except OSError:
        pass
    return f"; removed its unfinished folder {folder}"


def _seconds(s: float) -> str:
    return f"{s:.1f} s" if s < 60 else f"{int(s // 60)} min {int(s % 60)} s"
