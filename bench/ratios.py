#!/usr/bin/env python3
"""Ratios of one server to a reference from peerbench JSON lines (medians over runs).

  bench/ratios.py [--subject dadgate] [--reference openssh] dadgate.jsonl openssh.jsonl

For every (workload, op, client) both servers ran: the median value of each, the ratio subject/reference
(throughput: > 1 = subject faster; W5 memory per session: < 1 = subject leaner), and the server's CPU cost:
seconds per GiB moved (W1, W3), milliseconds per file (W2), per session (W4), per request (P1, bench/propfind.py).
"""
import argparse, json, statistics

GIB = 1 << 30


def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def cost(r):
    """Server CPU per unit of work for one result line, with its unit."""
    s = r.get('server_cpu_s')
    if s is None:
        return None, ''
    if r.get('bytes'):
        return s / (r['bytes'] / GIB), 's/GiB'
    if r.get('files'):
        return 1000 * s / r['files'], 'ms/file'
    if r.get('cycles'):
        return 1000 * s / r['cycles'], 'ms/session'
    if r.get('requests'):
        return 1000 * s / r['requests'], 'ms/request'
    return None, ''


def f(v, nd=2):
    if v is None:
        return '-'
    return f'{v:.0f}' if abs(v) >= 100 else f'{v:.{nd}f}'


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--subject', default='dadgate')
    ap.add_argument('--reference', default='openssh')
    ap.add_argument('files', nargs='+')
    a = ap.parse_args()
    rs = []
    for fn in a.files:
        with open(fn) as fh:
            rs += [json.loads(line) for line in fh if line.strip()]
    rs = [r for r in rs if r.get('workload') not in (None, 'probe')]
    keys = list(dict.fromkeys((r['workload'], r['op'], r['client']) for r in rs))
    keys.sort()

    def sel(label, k):
        return [r for r in rs if r['label'] == label and (r['workload'], r['op'], r['client']) == k]

    S, R = a.subject, a.reference
    print(f'### {S} / {R} (medians; throughput ratio > 1 means {S} is faster, memory ratio < 1 means leaner)\n')
    print(f'| workload | op | client | {S} | {R} | unit | ratio {S}/{R} | {S} server CPU | {R} server CPU | '
          f'CPU ratio | runs ok {S} / {R} |')
    print('|---|---|---|---|---|---|---|---|---|---|---|')
    for k in keys:
        s, r = sel(S, k), sel(R, k)
        if not s or not r:
            continue
        okS, okR = [x for x in s if x['ok']], [x for x in r if x['ok']]
        vS, vR = med([x['value'] for x in okS]), med([x['value'] for x in okR])
        unit = s[0]['unit']
        if k[0] == 'W5':
            pS, pR = med([x.get('pss_per_session_kib') for x in s]), med([x.get('pss_per_session_kib') for x in r])
            rss = f'{f(vS / vR) if vS and vR else "-"}'
            pss = f'{f(pS / pR) if pS and pR else "-"}'
            print(f'| W5 | {k[1]} | {k[2]} | RSS {f(vS, 0)} / PSS {f(pS, 0)} | RSS {f(vR, 0)} / PSS {f(pR, 0)} | '
                  f'KiB/session | RSS {rss}, PSS {pss} | - | - | - | {len(okS)}/{len(s)} / {len(okR)}/{len(r)} |')
            continue
        cS = [cost(x) for x in s]
        cR = [cost(x) for x in r]
        cu = next((u for _, u in cS + cR if u), '')
        mS, mR = med([c for c, _ in cS]), med([c for c, _ in cR])
        print(f'| {k[0]} | {k[1]} | {k[2]} | {f(vS)} | {f(vR)} | {unit} | '
              f'**{f(vS / vR) if vS and vR else "FAIL"}** | {f(mS)} {cu} | {f(mR)} {cu} | '
              f'{f(mS / mR) if mS and mR else "-"} | {len(okS)}/{len(s)} / {len(okR)}/{len(r)} |')
    fails = [r for r in rs if not r['ok']]
    if fails:
        print('\nFailures:')
        for r in fails:
            print(f"- {r['label']} {r['workload']} {r['op']} {r['client']} run {r['run']}: {str(r.get('err'))[:300]}")


if __name__ == '__main__':
    main()
