"""Only the compiled part of the build lives here; everything else is in pyproject.toml."""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "signalboost.ingest._fastjson",
            ["src/signalboost/ingest/_fastjson.cpp"],
            libraries=["simdjson"],
            language="c++",
            extra_compile_args=["-O3", "-std=c++17"],
            # Without simdjson or a compiler the install still succeeds, and the readers take the Python path.
            optional=True,
        )
    ]
)
