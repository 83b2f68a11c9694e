"""Real servers for test_servers_live.py: ours, uvicorn (h11, httptools),
hypercorn and gunicorn (sync, gthread), each serving every example (see
server_targets.py) on loopback. CPython only.
"""
import json
import os
import re
import socket
import subprocess
import sys
import time

import server_targets

try:
    import requests
except ImportError:
    requests = None

HERE = os.path.dirname(os.path.abspath(__file__))
PY = sys.executable
SERVERS = {}   # name -> (base URL of the test app, url(example, path))
PROCS = []


def free_port(n=1):
    """A port with the n - 1 ports after it free too (below the ephemeral
    range, where a benchmark's TIME_WAIT sockets pile up)."""
    import random
    for _ in range(200):
        port = random.randrange(20000, 30000 - n)
        if all(is_free(port + i) for i in range(n)):
            return port
    raise RuntimeError('no free ports')


def is_free(port):
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(('127.0.0.1', port))
            return True
        except OSError:
            return False


def have(module):
    try:
        __import__(module)
        return True
    except ImportError:
        return False


def commands():
    """(name, argv, port, ports it needs) of each server to start."""
    out = []
    n = len(server_targets.names()) + 1
    port = free_port(n)
    out.append(('own', [PY, 'server_targets.py', 'own', str(port)], port, n))
    for http in ('h11', 'httptools'):
        if http == 'httptools' and not have('httptools'):
            continue
        port = free_port()
        out.append(('uvicorn-' + http, [
            PY, '-m', 'uvicorn', 'server_targets:asgi', '--port', str(port),
            '--host', '127.0.0.1', '--http', http, '--log-level', 'warning'],
            port, 1))
    if have('hypercorn'):
        port = free_port()
        out.append(('hypercorn', [PY, '-m', 'hypercorn', '--bind',
                                  '127.0.0.1:%d' % port,
                                  'server_targets:asgi'], port, 1))
    for worker in ('sync', 'gthread'):
        port = free_port()
        out.append(('gunicorn-' + worker, [
            PY, '-m', 'gunicorn', '-b', '127.0.0.1:%d' % port, '-w', '1',
            '-k', worker, '--threads', '4', '--log-level', 'warning',
            'server_targets:wsgi'], port, 1))
    return out


def _die_with_parent():
    # a test run that is killed (a timeout) must not leave servers behind
    try:
        import ctypes
        import signal
        ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except Exception:
        pass


def start():
    """Start every server; SERVERS maps each name to url(example, path)."""
    env = dict(os.environ, PYTHONPATH=HERE)
    starting = []
    for name, argv, port, n in commands():
        log = open('/tmp/microdot-live-%s-%d.log' % (name, os.getpid()),
                   'w+')
        proc = subprocess.Popen(argv, cwd=HERE, env=env, stdout=log,
                                stderr=subprocess.STDOUT,
                                preexec_fn=_die_with_parent)
        PROCS.append((proc, log))
        starting.append((name, port, n, proc, log))
    deadline = time.monotonic() + 30
    for name, port, n, proc, log in starting:
        for i in range(n):
            while True:
                if proc.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    raise RuntimeError('%s did not start: %s' % (
                        name, log.read()[-2000:]))
                try:
                    socket.create_connection(('127.0.0.1', port + i),
                                             1).close()
                    break
                except OSError:
                    time.sleep(0.05)
        if name == 'own':
            ports = dict(zip(['_t'] + server_targets.names(),
                             range(port, port + n)))
            SERVERS[name] = lambda ex, path, ports=ports: \
                'http://127.0.0.1:%d%s' % (ports[ex], path)
        else:
            SERVERS[name] = lambda ex, path, port=port: \
                'http://127.0.0.1:%d/%s%s' % (port, ex, path)


def stop():
    for proc, log in PROCS:
        proc.terminate()
    for proc, log in PROCS:
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
        os.remove(log.name)


def static_get_routes(app):
    """The GET routes of ``app`` whose URL has no variable part."""
    out = []
    for route in app.url_map:
        methods = getattr(route, 'methods', None) or route[0]
        pattern = getattr(route, 'pattern', None) or route[1]
        url = pattern.url_pattern
        if 'GET' in methods and '<' not in url and url not in out:
            out.append(url)
    return out


def fetch(method, url):
    """What must be the same on every server: status, type, Location,
    and the body (its digits masked; for JSON, its keys: values like
    uptimes differ; for an endless event stream, nothing past its head)."""
    with requests.request(method, url, allow_redirects=False, timeout=5,
                          stream=True) as res:
        ctype = res.headers.get('Content-Type', '')
        if ctype.startswith('text/event-stream'):
            body = None
        else:
            body = res.content
        if ctype.startswith('application/json') and body:
            data = json.loads(body)
            body = sorted(data) if isinstance(data, dict) else type(data)
        elif body:
            # pages show readings and uptimes that move between requests
            body = re.sub(rb'[0-9]+', b'#', body)
        return (res.status_code, ctype, res.headers.get('Location'), body)
