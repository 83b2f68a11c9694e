"""The emulated Raspberry Pi Pico: rp2040js behind a pseudo-terminal.

    python tests-device/rp2040_board.py [--firmware firmware/build/RPI_PICO/firmware.bin]
                                        [--port-file FILE]

Prints the serial port it offers (/dev/pts/N): the board's USB CDC REPL,
for mpremote and `pytest --device`. tests-device/rp2040/runner.mjs runs
the image in rp2040js (npm, pinned by tests-device/rp2040/package-lock.json,
installed with `npm ci` on first use) and this relays its serial bytes.

The emulator needs the RP2040 boot ROM, Raspberry Pi's code, which the kit
does not ship: it is built from Raspberry Pi's published source
(github raspberrypi/pico-bootrom-rp2040, with its pico_sdk submodule) when
PICO_BOOTROM_DIR names a checkout, into build/rp2040/bootrom.bin.
`missing()` says in one line what is absent.
"""
import argparse
import os
import select
import shutil
import signal
import subprocess
import sys
import tty

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
EMU = os.path.join(HERE, 'rp2040')
BUILD = os.path.join(ROOT, 'build', 'rp2040')
BOOTROM = os.path.join(BUILD, 'bootrom.bin')
DEFAULT_FIRMWARE = os.path.join(ROOT, 'firmware', 'build', 'RPI_PICO',
                                'firmware.bin')


def bootrom_source():
    path = os.environ.get('PICO_BOOTROM_DIR', '')
    if path and os.path.exists(os.path.join(path, 'bootrom', 'bootrom.ld')):
        return os.path.abspath(path)
    return None


def missing(firmware=DEFAULT_FIRMWARE):
    """One line saying what this place lacks, or None."""
    if not shutil.which('node') or not shutil.which('npm'):
        return 'node/npm missing (apt-get install nodejs npm)'
    if not os.path.exists(BOOTROM) and not bootrom_source():
        return ('no RP2040 boot ROM: set PICO_BOOTROM_DIR to a checkout of '
                'raspberrypi/pico-bootrom-rp2040 (with its pico_sdk '
                'submodule) to build it')
    if not os.path.exists(firmware):
        return '%s not built (make BOARD=RPI_PICO)' % os.path.relpath(
            firmware, ROOT)
    return None


ROM_BYTES = 16 * 1024


def build_bootrom():
    """build/rp2040/bootrom.bin from Raspberry Pi's source (cmake, the Arm
    toolchain).

    Built with today's GCC (12+), the B2 source comes out a little over
    the chip's 16 KB (the chip's ROM was built with GCC 9): the build here
    uses a copy of the source tree whose linker script allows 32 KB, then
    keeps the first 16 KB, checking that every function and the ROM's
    lookup tables lie inside them. What falls past 16 KB is read-only data
    of the USB boot mode (BOOTSEL mass storage and PICOBOOT descriptors),
    which the emulator never enters."""
    if os.path.exists(BOOTROM):
        return BOOTROM
    src = bootrom_source()
    copy = os.path.join(BUILD, 'bootrom-src')
    obj = os.path.join(BUILD, 'bootrom-obj')
    for path in (copy, obj):
        if os.path.exists(path):
            shutil.rmtree(path)
    shutil.copytree(src, copy, ignore=shutil.ignore_patterns(
        '.git', 'pico_sdk', 'build'))
    for name in ('pico_sdk', '.git'):  # .git: the build records HEAD
        os.symlink(os.path.join(src, name), os.path.join(copy, name))
    ld = os.path.join(copy, 'bootrom', 'bootrom.ld')
    with open(ld) as f:
        script = f.read()
    with open(ld, 'w') as f:
        f.write(script.replace('LENGTH = 16K', 'LENGTH = 32K', 1))
    log = os.path.join(BUILD, 'bootrom-build.log')
    with open(log, 'w') as f:
        for cmd in (['cmake', '-S', copy, '-B', obj,
                     '-DCMAKE_BUILD_TYPE=Debug'],
                    ['make', '-C', obj, '-j2', 'bootrom']):
            if subprocess.call(cmd, stdout=f, stderr=subprocess.STDOUT):
                raise RuntimeError('building the boot ROM failed: see %s'
                                   % os.path.relpath(log, ROOT))
    elf = os.path.join(obj, 'bootrom.elf')
    check_rom_fits(elf)
    full = os.path.join(obj, 'bootrom-full.bin')
    subprocess.check_call(['arm-none-eabi-objcopy', '-O', 'binary', '-j',
                           '.text', elf, full])
    with open(full, 'rb') as f:
        data = f.read()[:ROM_BYTES]
    with open(BOOTROM + '.tmp', 'wb') as f:
        f.write(data)
    os.replace(BOOTROM + '.tmp', BOOTROM)
    return BOOTROM


def check_rom_fits(elf):
    """Every function (and the ROM's tables, which the code reaches through
    fixed pointers at 0x14-0x18) lies within the chip's 16 KB."""
    out = subprocess.check_output(['arm-none-eabi-readelf', '-sW', elf],
                                  text=True)
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 8 and parts[3] == 'FUNC':
            addr, size = int(parts[1], 16), int(parts[2], 0)
            if addr < 0x10000000 and (addr & ~1) + size > ROM_BYTES:
                raise RuntimeError('boot ROM function %s ends past 16 KB'
                                   % parts[7])


def npm_install():
    if not os.path.isdir(os.path.join(EMU, 'node_modules', 'rp2040js')):
        subprocess.check_call(['npm', 'ci', '--no-audit', '--no-fund',
                               '--silent'], cwd=EMU)


class PicoBoard:
    """The runner in a child process, relayed to a pty of our own."""

    def __init__(self, firmware=DEFAULT_FIRMWARE):
        self.firmware = firmware

    def start(self):
        npm_install()
        bootrom = build_bootrom()
        self.master, self.slave = os.openpty()
        tty.setraw(self.slave)
        self.port = os.ttyname(self.slave)
        self.proc = subprocess.Popen(
            ['node', os.path.join(EMU, 'runner.mjs'), '--bootrom', bootrom,
             '--firmware', self.firmware], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, bufsize=0)
        return self.port

    def serve(self):
        out = self.proc.stdout.fileno()
        while self.proc.poll() is None:
            readable, _w, _x = select.select([self.master, out], [], [], 0.5)
            if self.master in readable:
                try:
                    data = os.read(self.master, 4096)
                except OSError:
                    data = b''
                if data:
                    self.proc.stdin.write(data)
            if out in readable:
                data = os.read(out, 4096)
                if not data:
                    break
                os.write(self.master, data)

    def close(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for fd in (self.master, self.slave):
            try:
                os.close(fd)
            except OSError:
                pass


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--firmware', default=DEFAULT_FIRMWARE)
    parser.add_argument('--port-file')
    opts = parser.parse_args(argv)
    why = missing(opts.firmware)
    if why:
        sys.exit('rp2040: ' + why)
    board = PicoBoard(opts.firmware)
    port = board.start()

    def stop(_signum, _frame):
        board.close()
        sys.exit(0)
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if opts.port_file:
        with open(opts.port_file + '.tmp', 'w') as f:
            f.write(port + '\n')
        os.replace(opts.port_file + '.tmp', opts.port_file)
    print('emulated Raspberry Pi Pico (rp2040js, %s) on %s'
          % (os.path.relpath(opts.firmware, ROOT), port), flush=True)
    try:
        board.serve()
    finally:
        board.close()
        if opts.port_file and os.path.exists(opts.port_file):
            os.remove(opts.port_file)


if __name__ == '__main__':
    main()
