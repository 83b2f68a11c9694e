"""Put images on a device, and open its REPL.

    python3 firmware/device.py flash BOARD [PORT]
    python3 firmware/device.py repl BOARD [PORT]

PORT is a serial port (/dev/ttyACM0, /dev/ttyUSB0, COM3); without one,
mpremote and esptool look for the board themselves. A number (the top
Makefile's HTTP PORT) is not a serial port and is ignored.

flash: ESP32 boards with esptool, the Pico W with picotool or by copying the
.uf2 to its RPI-RP2 drive. repl: mpremote's REPL on a board, the image
itself for UNIX, the emulator for QEMU. (Copying an app folder to a board
is tools/deploy.py, `make deploy`.)
"""
import glob
import os
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import build  # noqa: E402  (board table, image locations)
sys.path.insert(0, os.path.join(REPO, 'tools'))
from deploy import mpremote, connect_args  # noqa: E402

QEMU_CMD = ['qemu-system-arm', '-machine', 'mps2-an385', '-nographic',
            '-monitor', 'null', '-semihosting']
SKIP = ('__pycache__', '.git', '.pytest_cache')


def fail(message):
    print('firmware: ' + message, file=sys.stderr)
    sys.exit(2)


def serial_port(port):
    if not port or port.isdigit():
        return None
    return port


def image(board, name):
    path = os.path.join(build.BUILD_ROOT, board, name)
    if not os.path.exists(path):
        fail('no %s image at %s: build it with `make BOARD=%s`'
             % (board, os.path.relpath(path, REPO), board))
    return path


def tool(names):
    for name in names:
        found = shutil.which(name)
        if found:
            return [found]
    return None


def run(cmd):
    print('+ ' + ' '.join(cmd))
    return subprocess.call(cmd)


def flash_esp32(board, port):
    spec = build.BOARDS[board]
    firmware = image(board, 'firmware.bin')
    import importlib.util
    if importlib.util.find_spec('esptool') is not None:
        esptool = [sys.executable, '-m', 'esptool']  # `make flash` installs it
    else:
        esptool = tool(["esptool", "esptool.py"])
    if esptool is None:
        fail('esptool not found: run `make flash BOARD=%s` (it installs '
             'esptool into .venv) or `pip install esptool`' % board)
    cmd = esptool + ['--chip', spec['chip']]
    if port:
        cmd += ['--port', port]
    cmd += ['--baud', '460800', 'write_flash', spec['flash_offset'],
            firmware]
    if run(cmd):
        fail('esptool could not flash %s (is the board in bootloader mode? '
             'hold BOOT while pressing RESET)' % board)


def rp2_drives():
    found = []
    for pattern in ('/media/*/RPI-RP2', '/run/media/*/RPI-RP2',
                    '/media/RPI-RP2', '/Volumes/RPI-RP2'):
        found += glob.glob(pattern)
    return found


def flash_rp2(board, port):
    uf2 = image(board, 'firmware.uf2')
    picotool = tool(["picotool"])
    if picotool:
        if run(picotool + ['load', '-x', '-f', uf2]) == 0:
            return
        print('firmware: picotool could not load the image; trying the '
              'RPI-RP2 drive')
    drives = rp2_drives()
    if not drives and port:
        # A board running MicroPython can reboot itself into its bootloader.
        run(mpremote() + connect_args(port) + ['bootloader'])
        for _ in range(20):
            time.sleep(0.5)
            drives = rp2_drives()
            if drives:
                break
    if not drives:
        fail('no RPI-RP2 drive: hold BOOTSEL while plugging the Pico W in, '
             'then copy %s to the RPI-RP2 drive (or install picotool and run '
             'this again)' % os.path.relpath(uf2, REPO))
    shutil.copyfile(uf2, os.path.join(drives[0], 'firmware.uf2'))
    print('firmware: copied %s to %s; the board restarts with it'
          % (os.path.relpath(uf2, REPO), drives[0]))


def flash(board, port):
    if board not in build.BOARDS:
        fail('unknown BOARD=%s: choose one of %s'
             % (board, ', '.join(sorted(build.BOARDS))))
    if board == 'UNIX':
        fail('BOARD=UNIX runs on this machine, there is nothing to flash: '
             'run firmware/build/UNIX/micropython -m kitboot')
    if board == 'QEMU':
        fail('BOARD=QEMU is emulated, there is nothing to flash: '
             '`make repl BOARD=QEMU` starts it')
    if build.BOARDS[board]['port'] == 'esp32':
        flash_esp32(board, port)
    else:
        flash_rp2(board, port)


def repl(board, port):
    if port:
        os.execv(mpremote()[0], mpremote() + connect_args(port) + ['repl'])
    if board == 'UNIX':
        os.execv(image(board, 'micropython'), ['micropython'])
    if board == 'QEMU':
        if shutil.which(QEMU_CMD[0]) is None:
            fail('qemu-system-arm not found: apt-get install qemu-system-arm')
        print('firmware: QEMU board; Ctrl-A then X quits')
        os.execvp(QEMU_CMD[0], QEMU_CMD + ['-serial', 'mon:stdio', '-kernel',
                                           image(board, 'firmware.elf')])
    os.execv(mpremote()[0], mpremote() + connect_args(port) + ['repl'])


def main(argv):
    args = list(argv[1:])
    if len(args) not in (2, 3) or args[0] not in ('flash', 'repl'):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    port = serial_port(args[2] if len(args) == 3 else None)
    if args[0] == 'flash':
        flash(args[1], port)
    else:
        repl(args[1], port)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
