"""`make romfs`: put an app folder and its assets in a board's ROMFS.

    python tools/romfs.py APP_DIR [PORT]           deploy to the board
    python tools/romfs.py APP_DIR --output FILE    only build the image

ROMFS (MicroPython 1.25+) is a read-only filesystem in its own flash
partition, mounted at /rom, with /rom and /rom/lib first on sys.path.
Files there are read in place, from flash: a module imported from it
costs no RAM for its bytecode, as if frozen, but it is written without
rebuilding the firmware. The kit's rp2 and ESP32 images have a 128 KB
ROMFS partition (firmware/build.py).

The app folder is staged in build/romfs/<name>/ (caches skipped; its
templates/ compiled to modules by tools/compile_templates.py when the
kit has it, the sources kept beside them), then `mpremote romfs deploy`
compiles the .py files to .mpy, builds the image and writes it to the
board (`--output`: `mpremote romfs build` to a file instead). app.py
lands at /rom/app.py, where `import app` finds it.
"""
import argparse
import importlib.util
import os
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, 'tools'))
import deploy  # noqa: E402  (mpremote, tree, connect_args)


def stage(app_dir, out):
    if os.path.exists(out):
        shutil.rmtree(out)
    os.makedirs(out)
    _dirs, files = deploy.tree(app_dir)
    for name in files:
        target = os.path.join(out, name)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copyfile(os.path.join(app_dir, name), target)
    tool = os.path.join(ROOT, 'tools', 'compile_templates.py')
    templates = os.path.join(app_dir, 'templates')
    if os.path.isdir(templates) and os.path.exists(tool):
        spec = importlib.util.spec_from_file_location('_kit_ct', tool)
        ct = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(ct)
        ct.compile_dir(templates, out)
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('app_dir')
    parser.add_argument('port', nargs='?', default='')
    parser.add_argument('--output', help='build the image into this file '
                        'instead of deploying it')
    opts = parser.parse_args(sys.argv[1:] if argv is None else argv)
    if not os.path.isfile(os.path.join(opts.app_dir, 'app.py')):
        deploy.fail('APP=%s has no app.py: point APP at an app folder such '
                    'as examples/api' % opts.app_dir)
    name = os.path.basename(os.path.normpath(os.path.abspath(opts.app_dir)))
    staged = stage(opts.app_dir, os.path.join(ROOT, 'build', 'romfs', name))
    if opts.output:
        cmd = deploy.mpremote() + ['romfs', '--output', opts.output,
                                   'build', staged]
    else:
        cmd = deploy.mpremote() + deploy.connect_args(opts.port) + [
            'romfs', 'deploy', staged]
    print('+ ' + ' '.join(cmd), flush=True)
    if subprocess.call(cmd):
        deploy.fail('mpremote romfs failed (a board needs a firmware with '
                    'a ROMFS partition: MicroPython 1.25+, an image from '
                    '`make BOARD=RPI_PICO_W` or `ESP32_GENERIC`)', 1)
    return 0


if __name__ == '__main__':
    sys.exit(main())
