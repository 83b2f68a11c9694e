"""What `make BOARD=... APP=...` freezes, and the ROMFS board settings
(CPython side, needs a MicroPython checkout with lib/micropython-lib):

    MICROPY_DIR=~/src/micropython pytest tests-device/test_firmware_app.py

Runs the kit's manifest through MicroPython's own manifest reader (what the
port's build does first), so it checks the list of frozen files in about a
second, without compiling an image.
"""
import importlib.util
import json
import os
import shutil
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def checkout():
    for top in (os.environ.get('MICROPY_DIR', ''),
                os.path.join(ROOT, 'micropython')):
        if top and os.path.exists(os.path.join(
                top, 'lib', 'micropython-lib', 'python-stdlib', 'hmac')):
            return os.path.abspath(top)
    return None


def load(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


MPY = checkout()


@unittest.skipIf(MPY is None, 'no MicroPython checkout with '
                 'lib/micropython-lib (set MICROPY_DIR)')
class FreezeAppTest(unittest.TestCase):
    def frozen(self, app_dir, build, board=None):
        manifestfile = load(os.path.join(MPY, 'tools', 'manifestfile.py'),
                            '_kit_manifestfile')
        port = os.path.join(MPY, 'ports', 'unix')
        saved = dict(os.environ)
        cwd = os.getcwd()
        try:
            if app_dir:
                os.environ['KIT_APP_DIR'] = app_dir
                os.environ['KIT_APP_BUILD'] = build
            else:
                os.environ.pop('KIT_APP_DIR', None)
            os.environ.pop('KIT_BOARD', None)
            if board:
                os.environ['KIT_BOARD'] = board
                os.environ['KIT_GEN_DIR'] = os.path.join(self.tmp, 'gen')
            os.chdir(ROOT)
            m = manifestfile.ManifestFile(manifestfile.MODE_FREEZE, {
                'MPY_DIR': MPY, 'PORT_DIR': port,
                'MPY_LIB_DIR': os.path.join(MPY, 'lib', 'micropython-lib'),
                'BOARD_DIR': os.path.join(port, 'variants', 'standard')})
            m.execute(os.path.join(ROOT, 'boards', 'UNIX', 'manifest.py'))
            return {f.target_path: f.full_path for f in m.files()}
        finally:
            os.chdir(cwd)
            os.environ.clear()
            os.environ.update(saved)

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix='kit-freeze-')

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def test_default_freezes_the_demo(self):
        files = self.frozen(None, None)
        self.assertEqual(os.path.realpath(files['app.py']), os.path.realpath(
            os.path.join(ROOT, 'examples', 'demo', 'app.py')))
        for name in ('microdot/__init__.py', 'kitboot.py', 'hmac.py',
                     'jwt.py', 'main.py'):
            self.assertIn(name, files)
        self.assertNotIn('kitapp_files.py', files)

    def test_board_settings_are_frozen(self):
        json_path = os.path.join(ROOT, 'boards', 'RPI_PICO_W', 'board.json')
        if not os.path.exists(json_path):
            self.skipTest('boards/RPI_PICO_W/board.json is absent')
        files = self.frozen(None, None, board='RPI_PICO_W')
        settings = load(files['kitboard.py'], '_kit_board').SETTINGS
        with open(json_path) as f:
            wanted = json.load(f)
        for key, value in wanted.items():
            self.assertEqual(settings[key], value)

    def test_app_folder_is_frozen(self):
        app = os.path.join(self.tmp, 'myapp')
        os.makedirs(os.path.join(app, 'static', 'css'))
        os.makedirs(os.path.join(app, 'lib_pkg'))
        os.makedirs(os.path.join(app, 'templates'))
        for name, text in (('app.py', 'app = None\n'),
                           ('helpers.py', 'X = 1\n'),
                           ('lib_pkg/__init__.py', ''),
                           ('static/css/site.css', 'body{}\n'),
                           ('templates/index.html', '<p>{{ name }}</p>\n')):
            with open(os.path.join(app, name), 'w') as f:
                f.write(text)
        build = os.path.join(self.tmp, 'build')
        files = self.frozen(app, build)
        self.assertEqual(files['app.py'], os.path.join(app, 'app.py'))
        self.assertIn('helpers.py', files)
        self.assertIn('lib_pkg/__init__.py', files)
        self.assertIn('microdot/__init__.py', files)
        data = load(files['kitapp_files.py'], '_kit_app_files')
        self.assertEqual(data.FILES, {'static/css/site.css': b'body{}\n'})
        self.assertEqual(data.open('/static/css/site.css').read(), b'body{}\n')
        if os.path.exists(os.path.join(ROOT, 'tools', 'compile_templates.py')):
            compiled = [n for n in files if n.startswith('templates_')]
            self.assertEqual(compiled, ['templates_index_html.py'])


class RomfsBoardTest(unittest.TestCase):
    def setUp(self):
        sys.path.insert(0, os.path.join(ROOT, 'firmware'))
        self.build = load(os.path.join(ROOT, 'firmware', 'build.py'),
                          '_kit_build')
        sys.path.pop(0)
        self.tmp = tempfile.mkdtemp(prefix='kit-romfs-')
        self.build.BUILD_ROOT = self.tmp

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def fake_port(self, port, board, files):
        top = os.path.join(self.tmp, 'mpy')
        path = os.path.join(top, 'ports', port, 'boards', board)
        os.makedirs(path)
        for name in files:
            with open(os.path.join(path, name), 'w') as f:
                f.write('// the port\'s own\n')
        return top

    def test_rp2_boards_get_a_romfs(self):
        for board in ('RPI_PICO', 'RPI_PICO_W'):
            top = self.fake_port('rp2', board, ['mpconfigboard.h',
                                                'mpconfigboard.cmake'])
            args = self.build.board_args(top, board)
            self.assertEqual(len(args), 1)
            self.assertTrue(args[0].startswith('BOARD_DIR='))
            path = args[0][len('BOARD_DIR='):]
            self.assertEqual(os.path.basename(path), board)
            with open(os.path.join(path, 'mpconfigboard.h')) as f:
                header = f.read()
            self.assertIn('the port\'s own', header)
            self.assertIn('#define MICROPY_HW_ROMFS_BYTES (128 * 1024)',
                          header)
            shutil.rmtree(top)

    def test_esp32_boards_get_the_romfs_partition_table(self):
        top = self.fake_port('esp32', 'ESP32_GENERIC', ['mpconfigboard.cmake'])
        path = self.build.board_args(top, 'ESP32_GENERIC')[0].split('=', 1)[1]
        with open(os.path.join(path, 'mpconfigboard.cmake')) as f:
            cmake = f.read()
        self.assertIn('list(APPEND SDKCONFIG_DEFAULTS', cmake)
        with open(os.path.join(path, 'sdkconfig.kit_romfs')) as f:
            self.assertIn('CONFIG_PARTITION_TABLE_CUSTOM_FILENAME="%s"' % (
                os.path.join(path, 'partitions-kit-romfs.csv')), f.read())
        rows = {}
        with open(os.path.join(path, 'partitions-kit-romfs.csv')) as f:
            for line in f:
                if line.strip() and not line.startswith('#'):
                    cells = [c.strip() for c in line.split(',')]
                    rows[cells[0]] = (int(cells[3], 16), int(cells[4], 16))
        app = self.build.BOARDS['ESP32_GENERIC']['app_partition']
        self.assertEqual(rows['factory'], (0x10000, app))
        # ROMFS right after the app, 128 KB, inside a 4 MB flash.
        self.assertEqual(rows['romfs'], (0x10000 + app, 0x20000))
        self.assertLessEqual(sum(rows['romfs']), 4 * 1024 * 1024)


if __name__ == '__main__':
    unittest.main()
