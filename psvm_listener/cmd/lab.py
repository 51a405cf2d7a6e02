"""psvm-lab: the whole product working on its embedded defaults, in one command.

The demo ships with the product; its lab switches are the nexus-sim
distribution, which a product host does not install (``make lab`` does).
"""

import argparse
import os
import sys
import threading

from oslo_log import log as logging

from psvm_listener import version

try:
    from psvm_listener.lab import progress as progress_
    from psvm_listener.lab import scenario as scenario_
    from psvm_listener.lab import stack as stack_
except ModuleNotFoundError as missing:
    if missing.name != 'nexus_sim':
        raise
    sys.exit('psvm-lab: the lab switches are the nexus-sim distribution, not installed here: '
             'pip install ./nexus_sim from the source tree (make lab does)')


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog='psvm-lab', description='Run lab switches, a lab nova, psvm-listener and '
                                     'psvm-api on loopback and play a scenario against them.')
    parser.add_argument('--version', action='version', version=version.version_string())
    parser.add_argument('--state-dir', default=os.path.join('state', 'lab'),
                        help='where the lab writes its databases, key, config and log '
                             '(default: state/lab)')
    parser.add_argument('--events', type=int, default=300,
                        help='nova events to publish (default: 300)')
    parser.add_argument('--rate', type=float, default=50.0,
                        help='nova events per second (default: 50)')
    parser.add_argument('--rabbit-url', default=stack_.RABBIT_URL,
                        help='RabbitMQ to use when it answers; otherwise the lab uses '
                             'an in-process transport (default: %(default)s)')
    parser.add_argument('--keep-running', action='store_true',
                        help='leave everything up after the scenario, until Ctrl-C')
    args = parser.parse_args(argv)
    if args.events < 0 or args.rate <= 0:
        parser.error('--events must be >= 0 and --rate > 0')
    return args


def how_to_use(stack):
    return f"""
The lab keeps running. Try, from another shell in this directory:
  .venv/bin/psvm-manage --config-file {stack.config_file} switch list
  .venv/bin/psvm-manage --config-file {stack.config_file} report
  .venv/bin/psvm-manage --config-file {stack.config_file} plan --format json
  .venv/bin/psvm --os-url http://127.0.0.1:{stack.api_port}/v2 switch list
  curl http://127.0.0.1:{stack.api_port}/v2/os-psvm
Stop it with Ctrl-C."""


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    progress = progress_.Progress()
    transport_url, words = stack_.choose_transport(args.rabbit_url)
    progress.say(f'psvm-lab: messaging through {words}')
    stack = stack_.Stack(args.state_dir, transport_url=transport_url)
    try:
        stack.prepare()
        logging.setup(stack.conf, 'psvm')
        progress.say(f'psvm-lab: {len(stack.switches)} lab switches, '
                     f'{len(stack.port_of_host)} bound ports, {stack.spec.hosts} hosts, '
                     f'{stack.spec.networks} networks; state in {stack.state_dir}')
        progress.start(stack.switches)
        figures = scenario_.Scenario(stack, progress, events=args.events,
                                     rate=args.rate).run()
        progress.phase('done')
        progress.stop()
        progress.summary(figures)
        if figures.wrong_ports:
            progress.say(f'psvm-lab: FAILED: ports still wrong: {figures.wrong_ports}')
            return 1
        progress.say('psvm-lab: every bound port allows exactly what nova needs')
        if args.keep_running:
            progress.say(how_to_use(stack))
            threading.Event().wait()
        return 0
    except scenario_.ScenarioFailed as exc:
        progress.stop()
        progress.say(f'psvm-lab: FAILED: {exc}')
        return 1
    except KeyboardInterrupt:
        progress.stop()
        return 0
    finally:
        stack.stop()


if __name__ == '__main__':
    sys.exit(main())
