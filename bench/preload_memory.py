"""Memory of berth's Python worker tree with and without --preload, by PSS.

    dotnet build Berth.slnx -c Release
    /usr/bin/python3 bench/preload_memory.py [--workers 4] [--runs 3] [--requests 400]

Serves the Django test app (tests/apps/django_app) with `berth serve --workers N`, once per mode and
run, and sums Pss from /proc/PID/smaps_rollup over every Python process under berth: the N workers
without --preload; the zygote and its N forked workers with it. PSS (proportional set size) charges
each shared page to its sharers in equal parts, so the sum is what the tree really costs in RAM;
RSS would count every shared page once per process. Each mode is measured right after boot and again
after --requests requests (spread over the workers by the least-busy dispatcher), since a worker
that serves touches objects, and copy-on-write then copies the pages they sit on.
Standard library only; Linux (smaps_rollup needs 4.14).
"""

import argparse
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BERTH = os.path.join(ROOT, 'src', 'Berth', 'bin', 'Release', 'net10.0', 'berth.dll')
DJANGO = os.path.join(ROOT, 'tests', 'apps', 'django_app')
PATHS = ('/hello', '/json', '/environ', '/pid')


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def parent_of(pid):
    with open('/proc/%d/stat' % pid) as f:
        stat = f.read()
    return int(stat[stat.rindex(')') + 2:].split()[1])


def python_tree(root):
    """Every berth_worker process below root (the zygote's children are berth's grandchildren)."""
    parents = {}
    for name in os.listdir('/proc'):
        if name.isdigit():
            try:
                parents[int(name)] = parent_of(int(name))
            except (OSError, ValueError):
                pass
    tree, frontier = set(), {root}
    while frontier:
        frontier = {pid for pid, parent in parents.items() if parent in frontier}
        tree |= frontier
    found = []
    for pid in sorted(tree):
        try:
            with open('/proc/%d/cmdline' % pid, 'rb') as f:
                if b'berth_worker.py' in f.read():
                    found.append(pid)
        except OSError:
            pass
    return found


def rollup(pid):
    """smaps_rollup's fields in kB."""
    fields = {}
    with open('/proc/%d/smaps_rollup' % pid) as f:
        for line in f:
            match = re.match(r'(\w+):\s+(\d+) kB', line)
            if match:
                fields[match.group(1)] = int(match.group(2))
    return fields


def measure(pids):
    rows = {pid: rollup(pid) for pid in pids}
    totals = {key: sum(r.get(key, 0) for r in rows.values()) for key in ('Pss', 'Rss', 'Private_Clean', 'Private_Dirty')}
    # The zygote is the one the others were forked from (they share its command line).
    parents = {parent_of(pid) for pid in pids}
    totals['zygote_pss'] = sum(r['Pss'] for pid, r in rows.items() if pid in parents)
    totals['worker_pss'] = statistics.mean(r['Pss'] for pid, r in rows.items() if pid not in parents)
    return totals


def run(workers, preload, requests):
    port = free_port()
    args = ['dotnet', BERTH, 'serve', 'djapp.wsgi:application', '--python', '/usr/bin/python3',
            '--chdir', DJANGO, '-w', str(workers), '-b', '127.0.0.1:%d' % port]
    if preload:
        args.append('--preload')
    berth = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        for line in berth.stdout:
            if 'listening on' in line:
                break
        else:
            raise SystemExit('berth did not start:\n' + berth.stdout.read())
        time.sleep(1)  # let the workers settle after READY
        pids = python_tree(berth.pid)
        expected = workers + (1 if preload else 0)
        assert len(pids) == expected, (pids, expected)
        booted = measure(pids)
        for i in range(requests):
            with urllib.request.urlopen('http://127.0.0.1:%d%s' % (port, PATHS[i % len(PATHS)])) as response:
                response.read()
        time.sleep(0.5)
        served = measure(pids)
        return booted, served
    finally:
        berth.send_signal(signal.SIGTERM)
        berth.communicate(timeout=30)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--workers', type=int, default=4)
    parser.add_argument('--runs', type=int, default=3)
    parser.add_argument('--requests', type=int, default=400)
    args = parser.parse_args()
    if not os.path.exists(BERTH):
        raise SystemExit('build berth first: dotnet build Berth.slnx -c Release')

    results = {}
    for run_index in range(args.runs):
        for preload in (False, True):
            results.setdefault(preload, []).append(run(args.workers, preload, args.requests))

    def median(preload, phase, key):
        return statistics.median(r[phase][key] for r in results[preload]) / 1024

    print('Django test app, %d workers, median of %d runs, MiB (Python %s)'
          % (args.workers, args.runs, subprocess.check_output(['/usr/bin/python3', '-V'], text=True).split()[1]))
    print('%-44s %10s %10s %14s' % ('', 'PSS total', 'RSS total', 'private total'))
    for phase, label in ((0, 'after boot'), (1, 'after %d requests' % args.requests)):
        for preload in (False, True):
            name = ('--preload (zygote + %d)' if preload else 'without (%d workers)') % args.workers
            private = median(preload, phase, 'Private_Clean') + median(preload, phase, 'Private_Dirty')
            print('%-44s %10.1f %10.1f %14.1f' % ('%s, %s' % (name, label), median(preload, phase, 'Pss'),
                                                   median(preload, phase, 'Rss'), private))
        saved = median(False, phase, 'Pss') - median(True, phase, 'Pss')
        print('%-44s %10.1f  (%.0f%% less)' % ('saved by --preload, ' + label, saved,
                                               100 * saved / median(False, phase, 'Pss')))
        print('%-44s %10s  one worker %.1f without; zygote %.1f + one worker %.1f with'
              % ('  PSS per process, ' + label, '', median(False, phase, 'worker_pss'),
                 median(True, phase, 'zygote_pss'), median(True, phase, 'worker_pss')))


if __name__ == '__main__':
    sys.exit(main())
