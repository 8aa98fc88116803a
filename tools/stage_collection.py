#!/usr/bin/env python
"""Mirror the collection's source files into a real ``ansible_collections/NS/NAME`` directory.

ansible-test only runs from a real ``.../ansible_collections/oncall/pagerduty/`` directory (a
symlink is rejected), so ``make sanity`` works on a copy. The copy holds exactly what git
would: tracked files plus untracked files that are not ignored
(``git ls-files -co --exclude-standard``), minus files deleted from the work tree.

The copy is synchronised, not rebuilt: unchanged files are left alone, stale ones are removed,
and ``tests/output/`` (ansible-test's results and its ``--venv`` environment) and the copy's own
``.git`` are kept, so re-runs stay warm. The copy gets its own (empty) git repository so that
ansible-test lists its files with git, honouring the copied ``.gitignore``, instead of walking
up to the enclosing checkout.

Usage: stage_collection.py SOURCE_ROOT DEST_COLLECTION_DIR
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

KEEP = ('.git', os.path.join('tests', 'output'))


def source_files(root: str) -> set[str]:
    out = subprocess.check_output(
        ['git', '-C', root, 'ls-files', '-z', '--cached', '--others', '--exclude-standard'])
    names = {n for n in out.decode('utf-8', 'surrogateescape').split('\0') if n}
    return {n for n in names if os.path.lexists(os.path.join(root, n))}


def same(src: str, dst: str) -> bool:
    try:
        s, d = os.lstat(src), os.lstat(dst)
    except FileNotFoundError:
        return False
    if os.path.islink(src) or os.path.islink(dst):
        return os.path.islink(src) and os.path.islink(dst) and os.readlink(src) == os.readlink(dst)
    return s.st_size == d.st_size and s.st_mtime_ns == d.st_mtime_ns and s.st_mode == d.st_mode


def kept(rel: str) -> bool:
    return any(rel == k or rel.startswith(k + os.sep) for k in KEEP)


def main() -> int:
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    src_root, dest = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    if dest == src_root or src_root.startswith(dest + os.sep):
        raise SystemExit('refusing to stage into %s: it contains the source' % dest)
    files = source_files(src_root)
    os.makedirs(dest, exist_ok=True)

    copied = 0
    for rel in sorted(files):
        src, dst = os.path.join(src_root, rel), os.path.join(dest, rel)
        if same(src, dst):
            continue
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        if os.path.lexists(dst) or os.path.isdir(dst):
            if os.path.isdir(dst) and not os.path.islink(dst):
                shutil.rmtree(dst)
            else:
                os.unlink(dst)
        if os.path.islink(src):
            os.symlink(os.readlink(src), dst)
        else:
            shutil.copy2(src, dst)
        copied += 1

    removed = 0
    seen_dirs = []
    for dirpath, dirnames, filenames in os.walk(dest, topdown=True):
        rel_dir = os.path.relpath(dirpath, dest)
        rel_dir = '' if rel_dir == '.' else rel_dir
        if rel_dir:
            seen_dirs.append(dirpath)
        dirnames[:] = [d for d in dirnames if not kept(os.path.join(rel_dir, d))]
        for name in filenames + [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]:
            rel = os.path.join(rel_dir, name)
            if rel not in files:
                os.unlink(os.path.join(dirpath, name))
                removed += 1
    for dirpath in reversed(seen_dirs):  # deepest first: prune directories left empty
        if not os.path.islink(dirpath) and os.path.isdir(dirpath) and not os.listdir(dirpath):
            os.rmdir(dirpath)

    if not os.path.isdir(os.path.join(dest, '.git')):
        subprocess.check_call(['git', 'init', '-q', dest])

    print('staged %d files in %s (%d copied, %d removed)' % (len(files), dest, copied, removed))
    return 0


if __name__ == '__main__':
    sys.exit(main())
