"""Builds the compiled hot paths at ``pip install``: the engine (``sim/engine/_core.pyx``), the log's
rows (``sim/domain/_rows.pyx``) and the model's modules on a visit's path: the care pathways,
the policy, the pathways' context, the network, the population, the episode types and the
appointment books (``sim/model/pathways.py``, ``policy.py``, ``context.py``, ``network.py``,
``population.py``, ``demand.py``, ``slots.py`` compiled as they are, to ``sim.model._pathways``,
``_policy`` and so on: ``sim.model.group.ModelModules``). Where they cannot be built (no C compiler,
no Cython) the install goes on without them and the pure-Python code runs, same results."""
import os

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

FALLBACK = "the pure-Python code runs instead (same results, several times slower)"
# modules whose own code runs while a replication is built, not on a visit's path (the compiled
# pathways read their C types' fields inline): compiled with -O1, three times faster to build
SET_UP = ("sim.model._network", "sim.model._population", "sim.model._demand")


class OptionalBuildExt(build_ext):
    """``build_ext`` that warns instead of failing: the extension only makes runs faster."""

    def finalize_options(self) -> None:
        super().finalize_options()
        if self.parallel is None:               # the modules compile side by side
            self.parallel = os.cpu_count() or 1

    def run(self) -> None:
        try:
            super().run()
        except Exception as err:            # compiler missing or failing: keep the pure engine
            print(f"warning: the compiled engine was not built ({err}); {FALLBACK}")

    def build_extension(self, ext: Extension) -> None:
        if self.compiler.compiler_type == "unix":       # gcc, clang: no debug information
            ext.extra_compile_args = ["-g0"] + (["-O1"] if ext.name in SET_UP else [])
        try:
            super().build_extension(ext)
        except Exception as err:
            print(f"warning: {ext.name} was not built ({err}); {FALLBACK}")


try:
    from Cython.Build import cythonize
    extensions = cythonize([Extension("sim.engine._core", ["sim/engine/_core.pyx"]),
                            Extension("sim.domain._rows", ["sim/domain/_rows.pyx"]),
                            # the care pathways compiled from their Python source, as they are
                            Extension("sim.model._pathways", ["sim/model/pathways.py"]),
                            # the policy, an episode, the pathways' context, facilities and
                            # services, cohorts, episode types and appointment books compiled
                            # as C types (their fields in sim/model/_policy.pxd, _context.pxd,
                            # _network.pxd, ...)
                            *(Extension(f"sim.model._{name}", [f"sim/model/{name}.py"])
                              for name in ("policy", "context", "network", "population",
                                           "demand", "slots"))],
                           # force: cythonize does not see an edit of the modules' own .pxd
                           # (named after the module, e.g. _policy.pxd), so all are translated anew
                           quiet=True, force=True, nthreads=os.cpu_count() or 1,
                           compiler_directives={"annotation_typing": False})
except ImportError:                          # installs without build isolation and no Cython
    extensions = []

setup(ext_modules=extensions, cmdclass={"build_ext": OptionalBuildExt})
