#!/usr/bin/python3
"""Summary of bench/peer-detection.sh: per set and half, each filter's own verdicts; then every filter at the same
false-alarm rate on the legitimate sets (the score at which at most 1 % / 0.2 % of the pooled legitimate messages
reach it, the issue's limits for TAG+ / QUAR+) and what it catches of each phishing set there; then speed.

    peer_summary.py OUT_DIR RSPAMD_CPU_MS SPAMD_CPU_MS SET:EXPECT...
"""
import collections
import json
import os
import sys

out, rspamd_ms, spamd_ms, specs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4:]
RSPAMD_ORDER = ['no action', 'greylist', 'add header', 'rewrite subject', 'soft reject', 'reject']
FILTERS = ['mamori', 'rspamd', 'spamd']


def mamori(name, half):
    """Every message of one half: {message: (score, action)} from eval's two wrong-way lists, and the byAction."""
    seen, by_action = {}, None
    for expect in ('phishing', 'ham'):
        path = os.path.join(out, f'{name}-{half}.mamori-{expect}.json')
        try:
            j = json.load(open(path))
        except (OSError, ValueError):
            return None, None
        by_action = j['byAction']
        for w in j['wrongWay']:
            seen[w['message']] = (w['score'], w['action'])
        if j['total'] != sum(by_action.values()):
            sys.exit(f'{path}: total is not the sum of byAction')
    return seen, by_action


def peer(name, half, which):
    path = os.path.join(out, f'{name}-{half}.{which}.jsonl')
    return [json.loads(line) for line in open(path)] if os.path.exists(path) else []


def pct(k, n):
    return f'{100.0 * k / n:6.1f}%' if n else '      -'


scores = {f: collections.defaultdict(list) for f in FILTERS}   # filter -> expect -> [score]
per_set = {f: collections.defaultdict(list) for f in FILTERS}  # filter -> set -> [(score, record)]
print(f"{'SET':26s} {'HALF':4s} {'EXPECT':8s} {'N':>5s} | {'mamori TAG+':>11s} {'QUAR+':>7s} | "
      f"{'rspamd HDR+':>11s} {'REJ':>7s} {'err':>4s} | {'SA SPAM':>7s} {'>=10':>7s} {'err':>4s}")
for spec in specs:
    name, expect = spec.split(':')[0].replace('/', '-'), spec.split(':')[1]
    for half in 'AB':
        m, a = mamori(name, half)
        if m is None:
            if os.path.exists(os.path.join(out, f'{name}-{half}.mamori-phishing.json')):
                print(f'{name:26s} {half:4s} mamori eval FAILED (see {out}/{name}-{half}.mamori-*.err)')
            continue
        n = sum(a.values())
        if len(m) != n:
            sys.exit(f'{name} {half}: eval listed {len(m)} messages of {n}')
        for msg, (score, action) in m.items():
            scores['mamori'][expect].append(score)
            per_set['mamori'][name].append((score, {'file': msg, 'action': action}))
        r, s = peer(name, half, 'rspamd'), peer(name, half, 'spamd')
        rok, sok = [x for x in r if 'error' not in x], [x for x in s if 'error' not in x]
        for which, ok in (('rspamd', rok), ('spamd', sok)):
            for x in ok:
                scores[which][expect].append(x['score'])
                per_set[which][name].append((x['score'], x))
        hdr = sum(1 for x in rok if RSPAMD_ORDER.index(x['verdict']) >= 2)
        rej = sum(1 for x in rok if x['verdict'] == 'reject')
        spam = sum(1 for x in sok if x['verdict'] == 'spam')
        ten = sum(1 for x in sok if x['score'] >= 10)
        print(f"{name:26s} {half:4s} {expect:8s} {n:5d} | {pct(n - a['DELIVER'], n):>11s} "
              f"{pct(a['QUARANTINE'] + a['REJECT'], n):>7s} | {pct(hdr, len(rok)):>11s} {pct(rej, len(rok)):>7s} "
              f"{len(r) - len(rok):4d} | {pct(spam, len(sok)):>7s} {pct(ten, len(sok)):>7s} {len(s) - len(sok):4d}")


def threshold(ham, limit):
    """The lowest score t at which at most limit of the legitimate messages score t or more."""
    allowed = int(limit * len(ham))
    for t in sorted(set(ham)):
        if sum(1 for x in ham if x >= t) <= allowed:
            return t
    return max(ham) + 1


phishing_sets = [s.split(':')[0].replace('/', '-') for s in specs if s.endswith(':phishing')]
print('\nAt the same false-alarm rate on the legitimate sets (pooled, both halves), by score alone:')
print(f"{'FILTER':7s} {'HAM N':>6s} {'T(1%)':>7s} {'ham':>7s} {'T(0.2%)':>8s} {'ham':>7s} | " +
      ' | '.join(f'{s[:18]:>18s} >=T1   >=T2' for s in phishing_sets))
cut = {}
for f in FILTERS:
    ham = scores[f]['ham']
    if not ham:
        continue
    t1, t2 = threshold(ham, 0.01), threshold(ham, 0.002)
    cut[f] = t1
    row = f'{f:7s} {len(ham):6d} {t1:7.2f} {pct(sum(x >= t1 for x in ham), len(ham))} {t2:8.2f} ' \
          f'{pct(sum(x >= t2 for x in ham), len(ham))} |'
    for s in phishing_sets:
        got = [x for x, _ in per_set[f][s]]
        row += f' {len(got):18d} {pct(sum(x >= t1 for x in got), len(got))} {pct(sum(x >= t2 for x in got), len(got))} |'
    print(row)

print('\nRules of each peer most often on phishing messages it reaches at T(1%) while Mamori delivers them '
      '(counts of messages; rules with a positive score):')
for s in phishing_sets:
    delivered = {os.path.basename(rec['file']) for _, rec in per_set['mamori'][s] if rec['action'] == 'DELIVER'}
    for which in ('rspamd', 'spamd'):
        if which not in cut:
            continue
        caught = [rec for score, rec in per_set[which][s]
                  if score >= cut[which] and os.path.basename(rec['file']) in delivered]
        top = collections.Counter(r for rec in caught for r in rec['rules']).most_common(12)
        print(f'  {s} / {which}: {len(caught)} of Mamori\'s {len(delivered)} delivered: '
              + ', '.join(f'{r} {k}' for r, k in top))

print()
try:
    j = json.load(open(os.path.join(out, 'all.mamori.json')))
    print(f"mamori  {j['total']:5d} messages in one eval (one JVM, 2 threads): {j['cpuSeconds']:7.1f} s of CPU "
          f"(scanner start and scanning, without the JVM's start) = {j['total'] / j['cpuSeconds']:7.1f} per CPU second")
except (OSError, ValueError, ZeroDivisionError):
    print('mamori  whole-corpus eval FAILED')
for which, ms in (('rspamd', rspamd_ms), ('spamd', spamd_ms)):
    n = sum(len(v) for v in per_set[which].values())
    if ms and n:
        print(f'{which:7s} {n:5d} messages, daemon process tree (warm, 2 workers): {ms / 1000:7.1f} s of CPU '
              f'= {n / (ms / 1000):7.1f} per CPU second')
