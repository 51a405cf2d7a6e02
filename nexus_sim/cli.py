"""psvm-nexus-sim: run lab Nexus switches until stopped.

    psvm-nexus-sim --listen 127.0.0.1:8830 --listen lab2=127.0.0.1:8831 \\
        --user admin:secret --ports 1/1-48 --fex 101-104 --lif-limit 32000

Prints one line per switch, ``ready NAME HOST:PORT SHA256:...``, one line
per NX-API front end (``--nxapi-http``/``--nxapi-https``, on the switch's
host), ``nxapi NAME URL [SHA256:...]`` (the fingerprint of the self-signed
certificate made at start), then ``control URL`` (the loopback control
interface), and serves until SIGINT or SIGTERM.
"""

import argparse
import logging
import os
import signal
import sys
import threading

from nexus_sim import LabSwitch
from nexus_sim import control
from nexus_sim import interfaces as port_names
from nexus_sim import model
from nexus_sim import vlans as vlan_sets


def _listen(text):
    name, _, address = text.rpartition('=')
    host, _, port = address.rpartition(':')
    if not host or not port.isdigit():
        raise argparse.ArgumentTypeError(f'{text!r} is not [NAME=]HOST:PORT')
    return name or None, host, int(port)


def _user(text):
    username, sep, password = text.partition(':')
    if not username or not sep:
        raise argparse.ArgumentTypeError('expected USER:PASSWORD')
    return username, password


def _id_list(text):
    """'101-104' or '20,21' → sorted ids (NX-OS list syntax)."""
    try:
        ids = vlan_sets.parse(text)
    except vlan_sets.BadVlanList:
        raise argparse.ArgumentTypeError(f'{text!r} is not a list of ids 1-4094 like 101-104')
    if ids is vlan_sets.ALL:
        raise argparse.ArgumentTypeError('expected a list of ids, not all')
    return sorted(ids)


def _ports(text):
    try:
        model.expand_ports(text)
    except port_names.InvalidPortName as exc:
        raise argparse.ArgumentTypeError(str(exc))
    return text


def _nxapi_port(text):
    name, _, port = text.rpartition('=')
    if not port.isdigit() or int(port) > 65535:
        raise argparse.ArgumentTypeError(f'{text!r} is not [NAME=]PORT')
    return name or None, int(port)


def _nxapi_ports(choices, name):
    """The one port ``name`` serves on, from --nxapi-http or --nxapi-https; None: off."""
    ports = [port for wanted, port in choices if wanted in (None, name)]
    if len(ports) > 1 and ports.count(0) != len(ports):
        raise ValueError(f'switch {name}: two NX-API ports of one kind: {ports}')
    return ports[0] if ports else None


def parser():
    p = argparse.ArgumentParser(prog='psvm-nexus-sim', description=__doc__.split('\n')[0])
    p.add_argument('--listen', action='append', type=_listen, metavar='[NAME=]HOST:PORT',
                   help='address of one switch (repeat for several; default 127.0.0.1:0); '
                        'switches are named lab1, lab2, ... unless NAME is given')
    p.add_argument('--user', action='append', type=_user, metavar='USER:PASSWORD',
                   help='login accepted by every switch (repeatable; default admin:secret)')
    p.add_argument('--ports', type=_ports, default='1/1-48',
                   help='ethernet ports of each switch (default 1/1-48)')
    p.add_argument('--fex', type=_id_list, default=[], metavar='IDS',
                   help='FEX ids, 48 host ports each, e.g. 101-104')
    p.add_argument('--port-channels', type=_id_list, default=[], metavar='IDS',
                   help='port-channel numbers, e.g. 20,21')
    p.add_argument('--lif-limit', type=int, default=32000,
                   help='STP logical interface limit (ports*VLANs; default 32000)')
    p.add_argument('--max-list-items', type=int, default=64,
                   help='most items in one add/remove VLAN list (default 64)')
    p.add_argument('--max-list-chars', type=int, default=512,
                   help='most characters in one add/remove VLAN list (default 512)')
    p.add_argument('--max-sessions', type=int, default=8,
                   help='concurrent XML sessions per switch (default 8, as NX-OS)')
    p.add_argument('--host-key-dir', metavar='DIR',
                   help='keep each switch host key in DIR/NAME.key (created if missing) '
                        'so fingerprints survive restarts; default: fresh keys')
    p.add_argument('--nxapi-http', action='append', type=_nxapi_port, default=[],
                   metavar='[NAME=]PORT',
                   help='serve NX-API over HTTP on PORT (0: any) of the named switch, '
                        'or of every switch without NAME (repeatable)')
    p.add_argument('--nxapi-https', action='append', type=_nxapi_port, default=[],
                   metavar='[NAME=]PORT',
                   help='serve NX-API over HTTPS likewise, with a self-signed certificate')
    p.add_argument('--control-port', type=int, default=0,
                   help='port of the control interface on 127.0.0.1 (default: any)')
    p.add_argument('--verbose', action='store_true',
                   help="log every session's end and paramiko's own messages")
    return p


def configure_logging(verbose):
    """Clients that hang up are routine for a switch: paramiko's socket
    errors about them are noise unless asked for."""
    logging.basicConfig(level=logging.DEBUG if verbose else logging.WARNING,
                        format='%(asctime)s %(name)s %(levelname)s %(message)s')
    if not verbose:
        logging.getLogger('paramiko').setLevel(logging.CRITICAL)


def build_switches(args):
    listens = args.listen or [(None, '127.0.0.1', 0)]
    names = [name or f'lab{index}' for index, (name, _, _) in enumerate(listens, 1)]
    if len(set(names)) != len(names):
        raise ValueError(f'switch names must differ: {names}')
    users = dict(args.user or [('admin', 'secret')])
    return [LabSwitch(users=users, ports=args.ports, fex=args.fex,
                      port_channels=args.port_channels, lif_limit=args.lif_limit,
                      max_list_items=args.max_list_items, max_list_chars=args.max_list_chars,
                      max_sessions=args.max_sessions, host=host, port=port, name=name,
                      nxapi_http_port=_nxapi_ports(args.nxapi_http, name),
                      nxapi_https_port=_nxapi_ports(args.nxapi_https, name),
                      host_key_file=(os.path.join(args.host_key_dir, f'{name}.key')
                                     if args.host_key_dir else None))
            for name, (_, host, port) in zip(names, listens, strict=True)]


def main(argv=None):
    p = parser()
    args = p.parse_args(argv)
    configure_logging(args.verbose)
    try:
        switches = build_switches(args)
        controller = control.ControlServer(switches, args.control_port)
    except (OSError, ValueError) as exc:
        p.error(str(exc))
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    for switch in switches:
        switch.start()
        host, port = switch.address
        print(f'ready {switch.name} {host}:{port} {switch.fingerprint}', flush=True)
    for switch in switches:
        for scheme, front in switch.nxapi.items():
            words = [front.url] + ([switch.tls_fingerprint] if scheme == 'https' else [])
            print(f'nxapi {switch.name} ' + ' '.join(words), flush=True)
    controller.start()
    print(f'control {controller.url}', flush=True)
    stop.wait()
    controller.stop()
    for switch in switches:
        switch.stop()
    return 0


if __name__ == '__main__':
    sys.exit(main())
