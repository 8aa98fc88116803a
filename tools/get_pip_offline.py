#!/usr/bin/env python
"""Offline stand-in for the ``get-pip.py`` bootstrap script that ansible-test downloads.

Why: ansible-test creates every virtual environment (``--venv`` and the per-test sanity
environments under ``~/.ansible/test/venv``) without pip and then bootstraps pip by running
``get-pip-<version>.py``, downloaded from a host that is not a package registry. Only the
package registries are reachable here, so that download fails ("does not have pip
available"). ansible-test first looks for a cached copy at
``~/.ansible/test/cache/get_pip_<version with _>.py``; this file is put there.

Two ways to run it:

``python tools/get_pip_offline.py --install-stand-in [--ansible-test-python PYTHON]``
    Find the pip version pinned by the installed ansible-test and copy this file to the
    cache path for that version (kept up to date; a real get-pip script already cached there
    is left alone).

As the cached ``get_pip_X_Y.py`` (ansible-test runs it with pip's ``install`` arguments,
e.g. ``--disable-pip-version-check pip==24.2 --no-setuptools --no-wheel``)
    Install pip with the standard library's ``ensurepip`` (offline, bundled wheel), then
    ``pip install`` the requested packages (the pinned pip) from the configured registry, and
    honour ``--no-setuptools`` / ``--no-wheel`` like the real script.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

MARKER = 'oncall.pagerduty get-pip offline stand-in'  # identifies files written by us
CACHE_DIR = os.path.join('~', '.ansible', 'test', 'cache')


def _log(message: str) -> None:
    sys.stderr.write('get-pip stand-in: %s\n' % message)
    sys.stderr.flush()


def _run(*args: str) -> int:
    return subprocess.call([sys.executable] + list(args))


def bootstrap(argv: list[str]) -> int:
    """Do what get-pip.py does: install pip (and the given packages) into this interpreter."""
    no_setuptools = '--no-setuptools' in argv
    no_wheel = '--no-wheel' in argv
    pip_args = [a for a in argv if a not in ('--no-setuptools', '--no-wheel')]

    env_python = sys.executable
    _log('bootstrapping pip with ensurepip into %s' % env_python)
    rc = _run('-m', 'ensurepip', '--upgrade', '--default-pip')
    if rc:
        _log('ensurepip failed (exit %d)' % rc)
        return rc

    if any(not a.startswith('-') for a in pip_args):
        rc = _run('-m', 'pip', 'install', '--disable-pip-version-check', *pip_args)
        if rc:
            # The bundled pip works for everything ansible-test does; a registry hiccup
            # should not fail a sanity run.
            _log('WARNING: "pip install %s" failed (exit %d); keeping the pip that ensurepip installed'
                 % (' '.join(pip_args), rc))

    # ensurepip of Python < 3.12 also installs setuptools; the real script skips it on request.
    unwanted = [name for name, unwanted in (('setuptools', no_setuptools), ('wheel', no_wheel))
                if unwanted and _installed(name)]
    if unwanted:
        _run('-m', 'pip', 'uninstall', '--disable-pip-version-check', '-q', '-y', *unwanted)
    return 0


def _installed(name: str) -> bool:
    code = 'import importlib.metadata as m, sys\ntry:\n    m.distribution(sys.argv[1])\nexcept m.PackageNotFoundError:\n    sys.exit(1)'
    return _run('-c', code, name) == 0


def pinned_pip_version(python: str) -> str:
    """Return the pip version pinned by the ansible-test installed for ``python``."""
    code = (
        'import ansible_test, os; '
        'print(os.path.join(os.path.dirname(ansible_test.__file__), "_internal", "python_requirements.py"))'
    )
    path = subprocess.check_output([python, '-c', code], text=True).strip()
    with open(path, encoding='utf-8') as handle:
        source = handle.read()
    match = re.search(r"default_packages\s*=\s*dict\(\s*pip\s*=\s*'([0-9][0-9.]*)'", source)
    if not match:
        raise SystemExit('cannot find the pip version pinned by ansible-test in %s' % path)
    return match.group(1)


def install_stand_in(python: str) -> int:
    version = pinned_pip_version(python)
    cache_dir = os.path.expanduser(CACHE_DIR)
    target = os.path.join(cache_dir, 'get_pip_%s.py' % version.replace('.', '_'))
    me = os.path.abspath(__file__)
    with open(me, encoding='utf-8') as handle:
        mine = handle.read()

    if os.path.exists(target):
        with open(target, encoding='utf-8', errors='replace') as handle:
            current = handle.read()
        if MARKER not in current:
            print('%s is a real get-pip script: left as it is' % target)
            return 0
        if current == mine:
            return 0

    os.makedirs(cache_dir, exist_ok=True)
    tmp = target + '.tmp'
    shutil.copyfile(me, tmp)
    os.replace(tmp, target)
    print('installed the offline get-pip stand-in for pip %s: %s' % (version, target))
    return 0


def main() -> int:
    argv = sys.argv[1:]
    if argv[:1] == ['--install-stand-in']:
        python = sys.executable
        if len(argv) == 3 and argv[1] == '--ansible-test-python':
            python = argv[2]
        elif len(argv) != 1:
            raise SystemExit('usage: get_pip_offline.py --install-stand-in [--ansible-test-python PYTHON]')
        return install_stand_in(python)
    return bootstrap(argv)


if __name__ == '__main__':
    sys.exit(main())
