"""`make dev`: run an app folder on a board straight from this machine.

    python tools/devloop.py APP_DIR [PORT] [--code CODE]

Soft-resets the board, mounts APP_DIR on it with mpremote's mount (the
board reads the files over USB, nothing is copied), runs the kit's boot
program there (`import kitboot; kitboot.main()`: config.json from the
folder or the board, Wi-Fi, then the app) and shows its output. Ctrl-C
stops the app and leaves the board at its REPL, ready for the next run.

PORT is a serial port (/dev/ttyACM0, /dev/pts/N for the virtual board);
without one (or given a number, the Makefile's HTTP port) the first USB
serial board is used, as `mpremote` does.

Why not `mpremote mount APP_DIR exec "..."`: mpremote 1.2x does not pass
Ctrl-C on to the board while `exec` follows a program's output; it exits
its loop and then waits forever for the board's prompt to unmount, while
the server keeps running. This tool sends the board its Ctrl-C (as a UART
would) and waits for the program to end before unmounting. With plain
mpremote, `mpremote mount APP_DIR` and typing `import kitboot;
kitboot.main()` at its REPL works too (the REPL passes Ctrl-C on).
"""
import argparse
import os
import signal
import sys
import time

CODE = 'import kitboot\nkitboot.main()\n'
# Shown instead of a traceback when the board's image lacks the boot code.
CHECK = ('try:\n import kitboot\nexcept ImportError:\n'
         ' print("devloop: this board has no kitboot module: flash an image '
         'built with `make BOARD=...` (or use the virtual board, `make '
         'vdevice`)")\n raise SystemExit\n')


def parse(argv):
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n')[0].strip('`: '))
    parser.add_argument('app_dir')
    parser.add_argument('port', nargs='?', default='')
    parser.add_argument('--code', default=CODE,
                        help='what to run in the mounted folder (default: '
                        'the boot program)')
    return parser.parse_args(argv)


def connect(port):
    from mpremote.transport_serial import SerialTransport
    from mpremote.transport import TransportError
    if port and not port.isdigit():
        return SerialTransport(port, baudrate=115200)
    import serial.tools.list_ports
    for info in sorted(serial.tools.list_ports.comports()):
        if info.vid is not None and info.pid is not None:
            try:
                return SerialTransport(info.device, baudrate=115200)
            except TransportError:
                continue
    sys.exit('devloop: no board found: plug one in or pass PORT=/dev/...')


def out(data):
    sys.stdout.buffer.write(data.replace(b'\x04', b''))
    sys.stdout.buffer.flush()


class CtrlC:
    """Ctrl-C as a flag: a KeyboardInterrupt in the middle of a mount
    request would leave the board waiting for the rest of the reply."""

    def __init__(self):
        self.pressed = 0

    def __enter__(self):
        self.old = signal.signal(signal.SIGINT, self.press)
        return self

    def press(self, _signum, _frame):
        self.pressed += 1

    def __exit__(self, *exc):
        signal.signal(signal.SIGINT, self.old)


def follow(transport, ctrl_c):
    """Show the program's output until it ends. On Ctrl-C, send the board
    a Ctrl-C (what a terminal does on a board's UART), once a second until
    the program ends: a board ignores it while its mount code waits for a
    reply."""
    from mpremote.transport import TransportError
    sent_at = None
    while True:
        if ctrl_c.pressed and (sent_at is None
                               or time.monotonic() - sent_at > 1):
            if sent_at is not None and time.monotonic() - first > 15:
                raise SystemExit('devloop: the board does not stop; reset it')
            if sent_at is None:
                first = time.monotonic()
            transport.serial.write(b'\x03')
            sent_at = time.monotonic()
        try:
            transport.follow(timeout=0.5, data_consumer=out)
            return
        except TransportError:  # no end of the program yet
            continue


def run(app_dir, port, code):
    transport = connect(port)
    # mpremote reads a pty (the virtual board, an emulator) without a
    # timeout; polling, as for a serial port, lets Ctrl-C through.
    transport.is_pty = False
    try:
        transport.enter_raw_repl(soft_reset=True)
        transport.mount_local(app_dir)
        print('devloop: %s mounted at /remote on %s; Ctrl-C stops the app'
              % (app_dir, transport.device_name), flush=True)
        with CtrlC() as ctrl_c:
            transport.exec_raw_no_follow(CHECK + code)
            follow(transport, ctrl_c)
            transport.umount_local()
            # A soft reset frees what the app held (its listening socket),
            # so the next run can bind the same port.
            transport.enter_raw_repl(soft_reset=True)
            transport.exit_raw_repl()
        print('devloop: stopped; the board is soft-reset, at its REPL')
    finally:
        transport.close()


def main(argv=None):
    opts = parse(sys.argv[1:] if argv is None else argv)
    if not os.path.isdir(opts.app_dir):
        sys.exit('devloop: APP=%s is not a folder' % opts.app_dir)
    try:
        run(os.path.abspath(opts.app_dir), opts.port, opts.code)
    except KeyboardInterrupt:
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
