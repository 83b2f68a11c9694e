"""The per-board settings (boards/<BOARD>/board.json, checked by
firmware/kitconfig.py's validate_board): every board has one, the limits
match the network stacks (lwIP on rp2: 5 TCP PCBs; ESP32: 12 active TCP
connections, TIME-WAIT included), and the boot reads them (kitboard)."""
import json
import os
import sys
import unittest

from boot_fakes import kitboot, kitconfig


def boards_dir():
    for path in ('boards', '../boards'):
        try:
            os.stat(path + '/UNIX')
            return path
        except OSError:
            pass
    return None


class BoardSettingsTest(unittest.TestCase):
    def load(self, board):
        with open(boards_dir() + '/' + board + '/board.json') as f:
            return kitconfig.validate_board(json.load(f))

    def test_every_board_has_settings(self):
        root = boards_dir()
        if root is None:
            self.skipTest('the repository is not the working directory')
        names = [n for n in os.listdir(root) if not n.startswith('.')]
        self.assertIn('RPI_PICO_W', names)
        for name in names:
            board = self.load(name)
            self.assertIn('max_connections', board)

    def test_limits_fit_the_stacks(self):
        if boards_dir() is None:
            self.skipTest('the repository is not the working directory')
        pico = self.load('RPI_PICO_W')
        self.assertEqual(pico['tcp_pcbs'], 5)
        self.assertLess(pico['max_connections'], 5)
        for name in ('ESP32_GENERIC', 'ESP32_GENERIC_S3'):
            esp = self.load(name)
            self.assertEqual(esp['tcp_pcbs'], 12)
            self.assertLess(esp['max_connections'], 12)
            self.assertTrue(esp['wifi'] and esp['improv'])
        self.assertIsNone(self.load('UNIX')['max_connections'])

    def test_bad_settings(self):
        for bad in ([], {'max_connections': 0}, {'max_connections': '4'},
                    {'tcp_pcbs': True}, {'wifi': 'yes'},
                    {'tcp_pcbs': 5, 'max_connections': 6}):
            with self.assertRaises(kitconfig.ConfigError):
                kitconfig.validate_board(bad)
        self.assertEqual(kitconfig.validate_board({'x': 1})['x'], 1)

    def test_boot_reads_the_frozen_module(self):
        class Board:
            SETTINGS = {'max_connections': 4}
        # {} on the unix port; an image may freeze a kitboard of its own
        before = kitboot.board_settings()
        saved = sys.modules.get('kitboard')
        sys.modules['kitboard'] = Board
        try:
            self.assertEqual(kitboot.board_settings(),
                             {'max_connections': 4})
        finally:
            if saved is None:
                del sys.modules['kitboard']
            else:
                sys.modules['kitboard'] = saved
        self.assertEqual(kitboot.board_settings(), before)


if __name__ == '__main__':
    unittest.main()
