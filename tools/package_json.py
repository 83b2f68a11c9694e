"""Write (or check) package.json, the manifest `mpremote mip install` reads.

    python tools/package_json.py           write package.json at the repo root
    python tools/package_json.py --check   exit 1 if it is out of date

`mpremote mip install github:OWNER/REPO` fetches package.json from the
repository, then every file it lists under "urls" (relative to it, so the
same file installs from a local checkout: `mpremote mip install
./package.json`), then the "deps" from the package index. The list is made
from modules/microdot/*.py, so a new extension module is never forgotten:
the test suite runs --check.
"""
import json
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PACKAGE = os.path.join(ROOT, 'modules', 'microdot')
TARGET = os.path.join(ROOT, 'package.json')
# micropython-lib packages the extensions import (sessions and login sign
# with HMAC and JWT), installed from the index by name.
DEPS = [['hmac', 'latest'], ['pyjwt', 'latest']]
# modules that only run on CPython (as manifest.py leaves them out of
# images): a board has no use for them
CPYTHON_ONLY = ('asgi.py', 'wsgi.py', 'jinja.py', 'cpython.py')


def version():
    with open(os.path.join(PACKAGE, '__init__.py')) as f:
        match = re.search(r"^__version__ = '([^']+)'", f.read(), re.M)
    return match.group(1) if match else '0'


def package_json():
    urls = []
    for root, dirs, files in os.walk(PACKAGE):
        dirs[:] = sorted(d for d in dirs if d != '__pycache__')
        for name in sorted(files):
            if name.endswith('.py') and name not in CPYTHON_ONLY:
                path = os.path.relpath(os.path.join(root, name), ROOT)
                path = path.replace(os.sep, '/')
                urls.append([path[len('modules/'):], path])
    return {'urls': urls, 'deps': DEPS, 'version': version()}


def text():
    """package.json with one line per file."""
    data = package_json()
    lines = ['{', '  "urls": [']
    lines += ['    %s,' % json.dumps(u) for u in data['urls']]
    lines[-1] = lines[-1].rstrip(',')
    lines += ['  ],', '  "deps": %s,' % json.dumps(data['deps']),
              '  "version": %s' % json.dumps(data['version']), '}']
    return '\n'.join(lines) + '\n'


def main(argv):
    wanted = text()
    if '--check' in argv:
        try:
            with open(TARGET) as f:
                current = f.read()
        except OSError:
            current = None
        if current != wanted:
            print('package.json is out of date: run `python3 '
                  'tools/package_json.py`')
            return 1
        print('package.json lists the %d modules of modules/microdot'
              % len(package_json()['urls']))
        return 0
    with open(TARGET, 'w') as f:
        f.write(wanted)
    print('wrote package.json (%d files)' % len(package_json()['urls']))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
