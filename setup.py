"""Builds the compiled engine (``sim/engine/_core.pyx``) at ``pip install``; where it cannot be
built (no C compiler) the install goes on and ``run.engine=fast`` runs the pure-Python engine."""
from Cython.Build import cythonize
from setuptools import Extension, setup

setup(ext_modules=cythonize([Extension("sim.engine._core", ["sim/engine/_core.pyx"],
                                       optional=True)], quiet=True))
