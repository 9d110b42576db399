"""container_h: the Python binding of container.h (bindings/python in the repository).

    pip install --no-build-isolation ./bindings/python

builds the extension container_h._container from container.h with cffi's API mode
(container_h_build.py says which container.h), with the distribution's setuptools and cffi
(Debian: python3-setuptools python3-cffi python3-dev, and a C compiler).
"""
import os
import re
import sys

from setuptools import setup

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # for a PEP 517 build
import container_h_build  # noqa: E402

version = re.search(r'^#define CONTAINER_VERSION_STRING "([^"]+)"',
                    open(container_h_build.HEADER).read(), re.M).group(1)

setup(
    name="container_h",
    version=version,
    description="Run a process in its own Linux container, from Python (container.h)",
    long_description=open(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                       "README.md")).read(),
    long_description_content_type="text/markdown",
    license="MIT",
    packages=["container_h"],
    python_requires=">=3.7",
    setup_requires=["cffi>=1.12"],
    install_requires=["cffi>=1.12"],
    cffi_modules=["container_h_build.py:ffibuilder"],
    zip_safe=False,
)
