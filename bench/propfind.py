#!/usr/bin/env python3
"""PROPFIND Depth 1 of a large folder (workload P1 of bench/webdav.sh; peerbench has no such workload).

  bench/propfind.py --url https://127.0.0.1:2443/files/ --label dadgate --server-pid PID \
      [--entries 10000] [--requests 20] [--repeat 3] [--out dadgate.propfind.jsonl]

Creates a folder of --entries empty files on the server with curl (PUTs on one keep-alive connection),
checks that one PROPFIND lists them all, then times --requests PROPFIND Depth 1 (allprop, no body) with
one curl on one keep-alive connection, --repeat times. Prints and appends one JSON line per run, in
peerbench's shape (workload P1, value requests/s, server_cpu_s of the server's process tree), so
bench/ratios.py compares servers. The folder is removed at the end. Loopback servers of your own only.
"""
import argparse, datetime, json, os, re, subprocess, sys, tempfile, time, urllib.parse

TICK = os.sysconf('SC_CLK_TCK')


def tree_cpu(root):
    """CPU seconds (own and reaped children) of `root` and its descendants."""
    parents = {}
    for d in os.listdir('/proc'):
        if d.isdigit():
            try:
                with open(f'/proc/{d}/stat') as f:
                    fields = f.read().rsplit(')', 1)[1].split()
                parents[int(d)] = (int(fields[1]), sum(int(x) for x in fields[11:15]))
            except (OSError, IndexError, ValueError):
                pass
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        if pid in parents:
            total += parents[pid][1]
        todo += [p for p, (pp, _) in parents.items() if pp == pid]
    return total / TICK


def curl_config(path, lines):
    with open(path, 'w') as f:
        f.write('\n'.join(lines) + '\n')


def curl(args, cfg=None, timeout=1800):
    cmd = ['curl', '-sS', '-k', '--fail', '-u', f'{A.user}:{A.password}'] + args + (['-K', cfg] if cfg else [])
    return subprocess.run(cmd, capture_output=True, timeout=timeout)


def emit(run, ok, value, **kw):
    r = {'ts': datetime.datetime.now().isoformat(timespec='seconds'), 'label': A.label, 'proto': A.proto,
         'port': urllib.parse.urlparse(A.url).port, 'workload': 'P1', 'op': f'propfind-depth1-{A.entries}',
         'client': 'curl', 'run': run, 'value': round(value, 2) if value is not None else None,
         'unit': 'req/s', 'ok': ok}
    r.update(kw)
    line = json.dumps(r)
    print(line, flush=True)
    if A.out:
        with open(A.out, 'a') as f:
            f.write(line + '\n')


def main():
    folder = A.url.rstrip('/') + f'/pb-propfind-{os.getpid()}/'
    work = tempfile.mkdtemp(prefix='pb-propfind-', dir='/dev/shm' if os.path.isdir('/dev/shm') else None)
    empty = os.path.join(work, 'empty')
    open(empty, 'wb').close()
    r = curl(['-X', 'MKCOL', '-o', '/dev/null', folder])
    if r.returncode:
        sys.exit(f'propfind.py: MKCOL {folder} failed: {r.stderr.decode()[-300:]}')
    cfg = os.path.join(work, 'put.cfg')
    curl_config(cfg, [f'url = "{folder}f{i:05d}.txt"\nupload-file = "{empty}"\noutput = "/dev/null"'
                      for i in range(A.entries)])
    started = time.monotonic()
    r = curl([], cfg)
    if r.returncode:
        sys.exit(f'propfind.py: creating {A.entries} entries failed: {r.stderr.decode()[-300:]}')
    print(f'propfind.py: {A.entries} entries created in {time.monotonic() - started:.1f} s', file=sys.stderr)
    r = curl(['-X', 'PROPFIND', '-H', 'Depth: 1', folder])
    listed = len(re.findall(rb'<(?:[A-Za-z0-9_]+:)?response[\s>]', r.stdout))
    size = len(r.stdout)
    ok_listing = r.returncode == 0 and listed == A.entries + 1
    cfg = os.path.join(work, 'propfind.cfg')
    # Method and header once (a header line given per URL would be sent that many times).
    curl_config(cfg, ['request = "PROPFIND"', 'header = "Depth: 1"'] +
                [f'url = "{folder}"\noutput = "/dev/null"' for _ in range(A.requests)])
    for run in range(1, A.repeat + 1):
        cpu0, t0 = tree_cpu(A.server_pid), time.monotonic()
        r = curl([], cfg)
        wall, cpu = time.monotonic() - t0, tree_cpu(A.server_pid) - cpu0
        ok = ok_listing and r.returncode == 0
        emit(run, ok, A.requests / wall if ok else None, wall_s=round(wall, 3), server_cpu_s=round(cpu, 3),
             requests=A.requests, entries=A.entries, response_bytes=size,
             err=None if ok else f'listed {listed} of {A.entries + 1}, curl {r.returncode}: '
                                 f'{r.stderr.decode()[-200:]}')
    curl(['-X', 'DELETE', '-o', '/dev/null', folder])
    for name in os.listdir(work):
        os.remove(os.path.join(work, name))
    os.rmdir(work)


if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--url', required=True, help='the folder to work in (WebDAV collection URL)')
    ap.add_argument('--user', default=os.environ.get('PB_USER', 'pbuser'))
    ap.add_argument('--password', default=os.environ.get('PB_PASS', 'pbpass'))
    ap.add_argument('--label', required=True)
    ap.add_argument('--proto', default='webdavs')
    ap.add_argument('--server-pid', type=int, required=True)
    ap.add_argument('--entries', type=int, default=10000)
    ap.add_argument('--requests', type=int, default=20)
    ap.add_argument('--repeat', type=int, default=3)
    ap.add_argument('--out')
    A = ap.parse_args()
    main()
