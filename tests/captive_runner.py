"""The whole boot in setup mode on the unix port, for the end-to-end tests
(test_captive_unix.py, test_improv_serial.py): a fake `network` module
(wifi_fakes.py) whose only joinable network is "home" / "secret12", real
sockets for the setup page and the DNS server, Improv on stdin/stdout.

    micropython tests/captive_runner.py ROOT HTTP_PORT DNS_PORT [improv]

ROOT holds config.json and the app module the boot serves once a network
joined. Prints '@@done OUTCOME' when the boot ends.
"""
import sys

from wifi_fakes import FakeNetwork

import kitboot


def main(argv):
    root, http_port, dns_port = argv[1], int(argv[2]), int(argv[3])
    net = FakeNetwork(accept=('home', 'secret12'), polls_needed=3,
                      status=FakeNetwork.STAT_WRONG_PASSWORD)
    boot = kitboot.Boot(root=root, network=net, machine=None,
                        serial='console' if 'improv' in argv[4:] else None,
                        board={'max_connections': 3},
                        log=lambda msg: print('kitboot: ' + msg))
    boot.setup_host = '127.0.0.1'
    boot.setup_port = http_port
    boot.dns_port = dns_port
    boot.setup_linger = 3
    outcome = boot.run()
    print('@@done', outcome)


main(sys.argv)
