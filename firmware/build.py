"""Build a MicroPython image with the framework frozen in.

    python3 firmware/build.py build BOARD   build firmware/build/BOARD/<image>
    python3 firmware/build.py check BOARD   freeze the manifest and check that
                                            the frozen code fits (ESP32 boards;
                                            needs no ESP-IDF)
    python3 firmware/build.py size BOARD    print the size of a built image

    python3 firmware/build.py build BOARD --app path/to/app   (or APP=...)
        freezes that app folder into the image instead of the demo: its
        modules (and packages) as `app`..., its templates compiled by
        tools/compile_templates.py when that tool exists, and its other
        files (static/, ...) as data in the frozen module `kitapp_files`
        (see manifest.py). The board boots straight into it.

Exit status: 0 done, 1 the build or check failed, 2 bad usage, 3 something
the build needs is missing.

BOARD is one of the folders in boards/. The MicroPython source (v1.28.0) is
taken from $MICROPY_DIR (the top Makefile points it at the micropython/
submodule when that is populated). Anything missing (source, submodule,
toolchain) stops the build with one line saying what and how to get it, and
a non-zero exit status; no half-built image is left in firmware/build/.

Boards with a `romfs` entry get a ROMFS partition (MicroPython 1.25+):
the build uses a copy of the port's board folder (firmware/build/BOARD/
board/) with the extra settings, so `make romfs APP=... PORT=...` can put
an app and its assets there without rebuilding the firmware.
"""
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
BUILD_ROOT = os.path.join(HERE, 'build')
JOBS = os.environ.get('JOBS', '2')
WANTED_VERSION = (1, 28, 0)

# A file that exists in each submodule once it is checked out.
SUBMODULE_PROBES = {
    'lib/micropython-lib': 'README.md',
    'lib/mbedtls': 'library/aes.c',
    'lib/pico-sdk': 'pico_sdk_init.cmake',
    'lib/tinyusb': 'src/tusb.h',
    'lib/cyw43-driver': 'src/cyw43.h',
    'lib/lwip': 'src/core/tcp.c',
    'lib/btstack': 'src/btstack.h',
    'lib/berkeley-db-1.xx': 'README',
}

APT_ARM = ('install Debian\'s ARM toolchain: apt-get install '
           'gcc-arm-none-eabi libnewlib-arm-none-eabi')

# ESP32 boards with 4 MB of flash or more: the port's partitions-4MiBplus.csv
# (a 0x1F0000 app partition) plus a 128 KB ROMFS partition after the app;
# the port makes the user filesystem ("vfs") from the flash after the last
# partition, so it is 128 KB smaller.
ESP32_ROMFS_TABLE = '''# Name,   Type, SubType, Offset,  Size, Flags
# The kit's table (firmware/build.py): partitions-4MiBplus.csv + ROMFS.
nvs,      data, nvs,     0x9000,  0x6000,
phy_init, data, phy,     0xf000,  0x1000,
factory,  app,  factory, 0x10000, 0x1F0000,
romfs,    data, 0x8f,    0x200000, 0x20000,
'''

BOARDS = {
    'UNIX': {
        'port': 'unix',
        'make': ['VARIANT=standard', 'MICROPY_PY_BTREE=0'],
        'tools': [('gcc', 'install a C compiler: apt-get install '
                   'build-essential'),
                  ('pkg-config', 'apt-get install pkg-config libffi-dev')],
        'submodules': ['lib/micropython-lib', 'lib/mbedtls'],
        'artifacts': [('micropython', 'micropython')],
    },
    'QEMU': {
        'port': 'qemu',
        'make': ['BOARD=MPS2_AN385'],
        'tools': [('arm-none-eabi-gcc', APT_ARM)],
        'submodules': ['lib/micropython-lib'],
        'artifacts': [('firmware.elf', 'firmware.elf')],
        'elf': 'firmware.elf',
        'size_tool': 'arm-none-eabi-size',
    },
    'RPI_PICO': {
        'port': 'rp2',
        'make': [],
        'port_board': 'RPI_PICO',
        'tools': [('arm-none-eabi-gcc', APT_ARM),
                  ('cmake', 'apt-get install cmake')],
        'submodules': ['lib/micropython-lib', 'lib/mbedtls', 'lib/pico-sdk',
                       'lib/tinyusb'],
        'artifacts': [('firmware.uf2', 'firmware.uf2'),
                      ('firmware.elf', 'firmware.elf'),
                      ('firmware.bin', 'firmware.bin')],
        'elf': 'firmware.elf',
        'size_tool': 'arm-none-eabi-size',
        # 2 MB flash: 1280 KB filesystem (the port's 1408 less the ROMFS),
        # 128 KB ROMFS at the top of the code space, 640 KB code.
        'flash_limit': 2048 * 1024 - 1280 * 1024 - 128 * 1024,
        'romfs': {'header': ['#undef MICROPY_HW_FLASH_STORAGE_BYTES',
                             '#define MICROPY_HW_FLASH_STORAGE_BYTES '
                             '(1280 * 1024)',
                             '#define MICROPY_HW_ROMFS_BYTES (128 * 1024)']},
    },
    'RPI_PICO_W': {
        'port': 'rp2',
        'make': [],
        'port_board': 'RPI_PICO_W',
        'tools': [('arm-none-eabi-gcc', APT_ARM),
                  ('cmake', 'apt-get install cmake')],
        'submodules': ['lib/micropython-lib', 'lib/mbedtls', 'lib/pico-sdk',
                       'lib/tinyusb', 'lib/cyw43-driver', 'lib/lwip',
                       'lib/btstack'],
        'artifacts': [('firmware.uf2', 'firmware.uf2'),
                      ('firmware.elf', 'firmware.elf'),
                      ('firmware.bin', 'firmware.bin')],
        'elf': 'firmware.elf',
        'size_tool': 'arm-none-eabi-size',
        # 2 MB flash, of which the board keeps 848 KB for the filesystem
        # and 128 KB for the ROMFS (taken from the code space).
        'flash_limit': 2048 * 1024 - 848 * 1024 - 128 * 1024,
        'romfs': {'header': ['#define MICROPY_HW_ROMFS_BYTES (128 * 1024)']},
    },
    'ESP32_GENERIC': {
        'port': 'esp32',
        'make': [],
        'port_board': 'ESP32_GENERIC',
        'idf': True,
        'romfs': {'partitions': ESP32_ROMFS_TABLE},
        'march': 'xtensawin',
        'submodules': ['lib/micropython-lib', 'lib/berkeley-db-1.xx'],
        'artifacts': [('firmware.bin', 'firmware.bin'),
                      ('micropython.bin', 'micropython.bin')],
        'app_partition': 0x1F0000,  # ESP32_ROMFS_TABLE, factory app
        'flash_offset': '0x1000',
        'chip': 'esp32',
    },
    'ESP32_GENERIC_S3': {
        'port': 'esp32',
        'make': [],
        'port_board': 'ESP32_GENERIC_S3',
        'idf': True,
        'romfs': {'partitions': ESP32_ROMFS_TABLE},
        'march': 'xtensawin',
        'submodules': ['lib/micropython-lib', 'lib/berkeley-db-1.xx',
                       'lib/tinyusb'],
        'artifacts': [('firmware.bin', 'firmware.bin'),
                      ('micropython.bin', 'micropython.bin')],
        'app_partition': 0x1F0000,
        'flash_offset': '0x0',
        'chip': 'esp32s3',
    },
}

# Size of a stock ESP32 image (the port's own frozen modules included)
# assumed by `check` when no ESP-IDF build is at hand: on the high side of
# the v1.2x ESP32_GENERIC images. Set ESP32_STOCK_BYTES to the size of a
# real stock micropython.bin to make the check exact.
ESP32_STOCK_BYTES = int(os.environ.get('ESP32_STOCK_BYTES', 1750000))


class Missing(Exception):
    """Something needed for the build is absent: the message says what
    and how to get it."""


# Exit statuses: 1 a build or check failed, 2 bad usage, 3 something the
# build needs is missing (ports-ci scripts may skip on 3).
EXIT_FAILED, EXIT_USAGE, EXIT_MISSING = 1, 2, 3


def fail(message, status=EXIT_FAILED):
    print('firmware: ' + message, file=sys.stderr)
    sys.exit(status)


def clean_env():
    """The environment for sub-makes, without our make's variables: a
    BOARD=UNIX or FROZEN_MANIFEST from the command line must not leak into
    MicroPython's makefiles (mpy-cross fails to link with a manifest)."""
    env = dict(os.environ)
    for key in ('MAKEFLAGS', 'MFLAGS', 'MAKELEVEL', 'MAKEOVERRIDES',
                'FROZEN_MANIFEST', 'BOARD', 'BUILD', 'VARIANT', 'PORT'):
        env.pop(key, None)
    return env


def micropython_dir():
    path = os.environ.get('MICROPY_DIR', '')
    if not path:
        sub = os.path.join(REPO, 'micropython')
        if os.path.exists(os.path.join(sub, 'py', 'mpconfig.h')):
            path = sub
    if not path:
        raise Missing(
            'no MicroPython source: run `git submodule update --init '
            'micropython` (pinned at v1.28.0) or set MICROPY_DIR to a '
            'MicroPython v1.28.0 checkout')
    path = os.path.abspath(path)
    if not os.path.exists(os.path.join(path, 'py', 'mpconfig.h')):
        raise Missing('MICROPY_DIR=%s is not a MicroPython source tree '
                      '(no py/mpconfig.h)' % path)
    return path


def micropython_version(mpy):
    version = {}
    with open(os.path.join(mpy, 'py', 'mpconfig.h')) as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 3 and parts[0] == '#define' and \
                    parts[1].startswith('MICROPY_VERSION_') and \
                    parts[2].isdigit():
                version[parts[1][16:]] = int(parts[2])
    return (version.get('MAJOR'), version.get('MINOR'), version.get('MICRO'))


def check_sources(mpy, spec, submodules=None):
    version = micropython_version(mpy)
    if version != WANTED_VERSION:
        print('firmware: warning: %s is MicroPython %s, this kit is tested '
              'with %s' % (mpy, '.'.join(str(v) for v in version),
                           '.'.join(str(v) for v in WANTED_VERSION)))
    for sub in submodules or spec['submodules']:
        probe = os.path.join(mpy, sub, SUBMODULE_PROBES[sub])
        if not os.path.exists(probe):
            raise Missing(
                'MicroPython submodule %s is not checked out in %s: run '
                '`git -C %s submodule update --init %s` (or `make -C %s/ports/'
                '%s submodules`)' % (sub, mpy, mpy, sub, mpy, spec['port']))


def check_tools(spec):
    for tool, how in spec.get('tools', []):
        if shutil.which(tool) is None:
            raise Missing('%s not found: %s' % (tool, how))
    if shutil.which('make') is None:
        raise Missing('make not found: apt-get install make')


def picotool_config():
    """Where CMake's find_package(picotool) will find picotool, or None:
    pico-sdk 2.x needs picotool >= 2.1.1 and otherwise downloads it."""
    prefixes = [p for p in os.environ.get('CMAKE_PREFIX_PATH', '').split(
        os.pathsep) if p]
    if os.environ.get('picotool_DIR'):
        return os.environ['picotool_DIR']
    for entry in os.environ.get('PATH', '').split(os.pathsep):
        if entry.rstrip('/').endswith('bin'):
            prefixes.append(os.path.dirname(entry.rstrip('/')))
    for prefix in prefixes:
        for sub in ('lib/cmake/picotool', 'lib64/cmake/picotool'):
            if os.path.exists(os.path.join(prefix, sub,
                                           'picotoolConfig.cmake')):
                return os.path.join(prefix, sub)
    return None


def run(cmd, cwd=None, log=None):
    """Run a build command. With ``log``, its output goes to that file
    and only its last lines are shown, if it fails."""
    if log is None:
        print('+ ' + ' '.join(cmd))
        return subprocess.call(cmd, cwd=cwd, env=clean_env())
    with open(log, 'w') as f:
        f.write('+ ' + ' '.join(cmd) + '\n')
        f.flush()
        code = subprocess.call(cmd, cwd=cwd, env=clean_env(), stdout=f,
                               stderr=subprocess.STDOUT)
    if code:
        with open(log) as f:
            tail = f.read().splitlines()[-20:]
        print('\n'.join(tail))
        print('firmware: (full output in %s)' % os.path.relpath(log, REPO))
    return code


def build_mpy_cross(mpy, log=None):
    """Build mpy-cross on its own first: given a FROZEN_MANIFEST, the
    port's build would pass it on to mpy-cross's build."""
    target = os.path.join(mpy, 'mpy-cross', 'build', 'mpy-cross')
    if os.path.exists(target):
        return target
    if run(['make', '-C', os.path.join(mpy, 'mpy-cross'), '-j' + JOBS],
           log=log):
        fail('mpy-cross did not build (see the errors above)')
    return target


def manifest_path(board):
    return os.path.join(REPO, 'boards', board, 'manifest.py')


def board_args(mpy, board):
    """The port make's board arguments: BOARD=NAME, or BOARD_DIR= a copy
    of the port's board folder with our ROMFS settings added."""
    spec = BOARDS[board]
    name = spec.get('port_board')
    if not name:
        return []
    romfs = spec.get('romfs')
    if not romfs:
        return ['BOARD=' + name]
    src = os.path.join(mpy, 'ports', spec['port'], 'boards', name)
    dst = os.path.join(BUILD_ROOT, board, 'board', name)
    wanted = {}
    for fname in os.listdir(src):
        if os.path.isfile(os.path.join(src, fname)):
            with open(os.path.join(src, fname), 'rb') as f:
                wanted[fname] = f.read()
    if romfs.get('header'):
        wanted['mpconfigboard.h'] = wanted.get('mpconfigboard.h', b'') + (
            '\n// Added by the kit (firmware/build.py): ROMFS.\n'
            + '\n'.join(romfs['header']) + '\n').encode()
    if romfs.get('partitions'):
        table = os.path.join(dst, 'partitions-kit-romfs.csv')
        wanted['partitions-kit-romfs.csv'] = romfs['partitions'].encode()
        extra = os.path.join(dst, 'sdkconfig.kit_romfs')
        wanted['sdkconfig.kit_romfs'] = (
            'CONFIG_PARTITION_TABLE_CUSTOM=y\n'
            'CONFIG_PARTITION_TABLE_CUSTOM_FILENAME="%s"\n' % table).encode()
        wanted['mpconfigboard.cmake'] = wanted.get(
            'mpconfigboard.cmake', b'') + (
            '\n# Added by the kit: a partition table with ROMFS.\n'
            'list(APPEND SDKCONFIG_DEFAULTS %s)\n' % extra).encode()
    # Files are only rewritten when they change: the port's build would
    # otherwise start again from scratch.
    os.makedirs(dst, exist_ok=True)
    for fname in os.listdir(dst):
        if fname not in wanted:
            os.remove(os.path.join(dst, fname))
    for fname, data in wanted.items():
        path = os.path.join(dst, fname)
        if os.path.exists(path):
            with open(path, 'rb') as f:
                if f.read() == data:
                    continue
        with open(path, 'wb') as f:
            f.write(data)
    return ['BOARD_DIR=' + dst]


def obj_dir(board):
    return os.path.join(BUILD_ROOT, board, 'obj')


def file_size(path):
    return os.stat(path).st_size


def elf_sizes(spec, elf):
    """(text, data, bss) of an ELF file, or None without the size tool."""
    tool = shutil.which(spec.get('size_tool', 'size'))
    if tool is None:
        return None
    out = subprocess.check_output([tool, elf]).decode().splitlines()
    text, data, bss = [int(v) for v in out[1].split()[:3]]
    return text, data, bss


def frozen_bytes(board, spec):
    """Flash bytes taken by the frozen code (frozen_content.o)."""
    obj = os.path.join(obj_dir(board), 'frozen_content.o')
    if not os.path.exists(obj):
        found = [os.path.join(d, f) for d, _s, fs in os.walk(obj_dir(board))
                 for f in fs if f in ('frozen_content.c.obj',
                                      'frozen_content.c.o')]
        if not found:
            return None
        obj = found[0]
    sizes = elf_sizes(spec, obj)
    return sizes[0] + sizes[1] if sizes else None


def report_size(board):
    spec = BOARDS[board]
    out = os.path.join(BUILD_ROOT, board)
    lines = []
    for _src, name in spec['artifacts']:
        path = os.path.join(out, name)
        if os.path.exists(path):
            lines.append('%s: %d bytes' % (os.path.relpath(path, REPO),
                                           file_size(path)))
    if not lines:
        raise Missing('no %s image in %s: run `make BOARD=%s` first'
                      % (board, os.path.relpath(out, REPO), board))
    if 'elf' in spec:
        sizes = elf_sizes(spec, os.path.join(out, spec['elf']))
        if sizes:
            lines.append('flash (text+data): %d bytes, static RAM (data+bss):'
                         ' %d bytes' % (sizes[0] + sizes[1],
                                        sizes[1] + sizes[2]))
            limit = spec.get('flash_limit')
            if limit:
                lines.append('flash left for the image: %d bytes of %d'
                             % (limit - sizes[0] - sizes[1], limit))
    frozen = frozen_bytes(board, spec)
    if frozen:
        lines.append('frozen code (all frozen modules, the port\'s own too): '
                     '%d bytes'
                     % frozen)
    for line in lines:
        print('firmware: %s %s' % (board, line))
    return lines


def use_app(board, app):
    """Freeze the app folder ``app`` (instead of the demo): manifest.py
    reads these from the environment of the port's build."""
    if not app:
        os.environ.pop('KIT_APP_DIR', None)
        return
    app = os.path.abspath(app)
    if not os.path.isfile(os.path.join(app, 'app.py')):
        fail('APP=%s has no app.py: point APP at an app folder such as '
             'examples/api' % app, EXIT_USAGE)
    os.environ['KIT_APP_DIR'] = app
    os.environ['KIT_APP_BUILD'] = os.path.join(BUILD_ROOT, board, 'app')
    print('firmware: freezing the app folder %s into the %s image'
          % (os.path.relpath(app, REPO), board))


def build(board):
    spec = BOARDS[board]
    mpy = micropython_dir()
    if spec.get('idf'):
        return build_esp32(board, mpy)
    check_tools(spec)
    check_sources(mpy, spec)
    if spec['port'] == 'rp2' and picotool_config() is None:
        raise Missing(
            'picotool >= 2.1.1 not found by CMake: build raspberrypi/picotool '
            '(tag 2.2.0) with `cmake -DPICOTOOL_NO_LIBUSB=1 '
            '-DPICO_SDK_PATH=$MICROPY_DIR/lib/pico-sdk`, install it and put '
            'its install prefix in CMAKE_PREFIX_PATH')
    build_mpy_cross(mpy)
    os.makedirs(obj_dir(board), exist_ok=True)
    cmd = ['make', '-C', os.path.join(mpy, 'ports', spec['port']),
           '-j' + JOBS, 'BUILD=' + obj_dir(board),
           'FROZEN_MANIFEST=' + manifest_path(board)] + spec['make'] + \
        board_args(mpy, board)
    if run(cmd):
        remove_images(board)  # no stale image to mistake for this build
        fail('the %s build failed (see the errors above)' % board)
    publish_images(board)
    report_size(board)


def remove_images(board):
    out = os.path.join(BUILD_ROOT, board)
    for _src, name in BOARDS[board]['artifacts']:
        if os.path.exists(os.path.join(out, name)):
            os.remove(os.path.join(out, name))


def publish_images(board):
    """Copy the build's images to firmware/build/BOARD/, each replaced in
    one step (a test run using the old image never sees half a file)."""
    out = os.path.join(BUILD_ROOT, board)
    for src, name in BOARDS[board]['artifacts']:
        src = os.path.join(obj_dir(board), src)
        tmp = os.path.join(out, name + '.tmp')
        shutil.copyfile(src, tmp)
        shutil.copymode(src, tmp)
        os.replace(tmp, os.path.join(out, name))


def idf_missing():
    if not os.environ.get('IDF_PATH') or shutil.which('idf.py') is None:
        return ('ESP-IDF not found (IDF_PATH unset or idf.py not on PATH): '
                'install ESP-IDF v5.5.1 as ports/esp32/README.md in the '
                'MicroPython source explains, then `source '
                '$IDF_PATH/export.sh` and run this again')
    return None


def build_esp32(board, mpy):
    spec = BOARDS[board]
    missing = idf_missing()
    if missing:
        # Say so first and last; in between, check quietly what can be
        # checked without the IDF (the build output goes to a log file).
        print('firmware: ' + missing, file=sys.stderr)
        print('firmware: meanwhile checking that the frozen code fits the '
              'app partition...')
        check_esp32(board, quiet=True)
        raise Missing(missing)
    check_sources(mpy, spec)
    build_mpy_cross(mpy)
    out = os.path.join(BUILD_ROOT, board)
    os.makedirs(obj_dir(board), exist_ok=True)
    cmd = ['make', '-C', os.path.join(mpy, 'ports', 'esp32'),
           'BUILD=' + obj_dir(board),
           'FROZEN_MANIFEST=' + manifest_path(board)] + spec['make'] + \
        board_args(mpy, board)
    if run(cmd):
        remove_images(board)
        fail('the %s build failed (see the errors above)' % board)
    publish_images(board)
    report_size(board)
    image = file_size(os.path.join(out, 'micropython.bin'))
    if image > spec['app_partition']:
        fail('%s image is %d bytes, the app partition holds %d'
             % (board, image, spec['app_partition']))


def frozen_object(mpy, board, manifest, port_dir, board_dir, march, tag,
                  quiet=False):
    """Freeze ``manifest`` with mpy-cross through MicroPython's
    makemanifest.py and compile the result for a 32-bit MCU (the qemu
    port's build, as ESP32's needs the IDF). Returns its flash bytes."""
    build = os.path.join(BUILD_ROOT, board, 'check-' + tag)
    os.makedirs(build, exist_ok=True)
    target = os.path.join(build, 'frozen_content.o')
    if os.path.exists(target):
        os.remove(target)
    cmd = ['make', '-C', os.path.join(mpy, 'ports', 'qemu'), '-j' + JOBS,
           'BOARD=MPS2_AN385', 'BUILD=' + build,
           'FROZEN_MANIFEST=' + manifest, 'MPY_CROSS_FLAGS=-march=' + march,
           'MICROPY_MANIFEST_PORT_DIR=' + port_dir,
           'MICROPY_MANIFEST_BOARD_DIR=' + board_dir, target]
    if run(cmd, log=os.path.join(build, 'build.log') if quiet else None):
        fail('freezing %s failed (see the errors above)' % manifest)
    sizes = elf_sizes({'size_tool': 'arm-none-eabi-size'}, target)
    return sizes[0] + sizes[1]


def check_esp32(board, quiet=False):
    """Freeze the board's manifest for Xtensa and check its size against
    the app partition, without the ESP-IDF."""
    spec = BOARDS[board]
    mpy = micropython_dir()
    check_sources(mpy, spec, ['lib/micropython-lib'])
    check_tools({'tools': [('arm-none-eabi-gcc', APT_ARM + ' (the check '
                            'compiles the frozen code with it)')]})
    os.makedirs(os.path.join(BUILD_ROOT, board), exist_ok=True)
    build_mpy_cross(mpy, log=os.path.join(BUILD_ROOT, board,
                                          'mpy-cross.log') if quiet else None)
    port_dir = os.path.join(mpy, 'ports', 'esp32')
    board_dir = os.path.join(port_dir, 'boards', board)
    ours = frozen_object(mpy, board, manifest_path(board), port_dir,
                         board_dir, spec['march'], 'kit', quiet)
    stock = frozen_object(mpy, board,
                          os.path.join(port_dir, 'boards', 'manifest.py'),
                          port_dir, board_dir, spec['march'], 'stock', quiet)
    added = ours - stock
    total = ESP32_STOCK_BYTES + added
    limit = spec['app_partition']
    print('firmware: %s frozen code %d bytes (stock manifest %d, ours adds '
          '%d)' % (board, ours, stock, added))
    print('firmware: %s estimated image %d bytes (stock ~%d + %d) of the '
          '%d-byte app partition: %s' % (
              board, total, ESP32_STOCK_BYTES, added, limit,
              'fits, %d bytes left' % (limit - total) if total <= limit
              else 'DOES NOT FIT'))
    if total > limit:
        fail('%s: the frozen code does not fit the app partition' % board)
    return ours, added


def main(argv):
    argv = list(argv)
    app = os.environ.get('APP', '')
    if '--app' in argv:
        i = argv.index('--app')
        app = argv[i + 1] if i + 1 < len(argv) else ''
        del argv[i:i + 2]
    if len(argv) != 3 or argv[1] not in ('build', 'check', 'size'):
        print(__doc__.strip(), file=sys.stderr)
        return EXIT_USAGE
    command, board = argv[1], argv[2]
    if board not in BOARDS:
        fail('unknown BOARD=%s: choose one of %s (folders in boards/)'
             % (board, ', '.join(sorted(BOARDS))), EXIT_USAGE)
    # manifest.py freezes boards/<BOARD>/board.json as `kitboard`.
    os.environ['KIT_BOARD'] = board
    os.environ['KIT_GEN_DIR'] = os.path.join(BUILD_ROOT, board, 'gen')
    try:
        if command in ('build', 'check'):
            use_app(board, app)
        if command == 'build':
            build(board)
        elif command == 'check':
            if 'app_partition' not in BOARDS[board]:
                fail('check is for the ESP32 boards; `make BOARD=%s` builds '
                     'the real image' % board, EXIT_USAGE)
            check_esp32(board)
        else:
            report_size(board)
    except Missing as exc:
        fail(str(exc), EXIT_MISSING)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
