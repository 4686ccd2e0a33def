#!/usr/bin/python3
"""Sends every message below a directory to a running rspamd or spamd on loopback and writes one JSON line per
message (file, score, verdict, rules). Standard library only; used by bench/peer-detection.sh.

The messages are the ones `mamori eval` reads (app/.../MailFiles.java, mirrored here so that every filter sees the
same messages): every .eml file; every .mbox file, or file that begins with an mbox "From " line, split into its
messages ("From " after an empty line, one level of ">From " quoting removed); a file without an extension, with a
numeric one or a maildir name, if it begins like a mail header. Other files (expected-output .txt, .xml, TNEF .dat)
are not messages.

    peer_scan.py rspamd HOST:PORT DIR OUT.jsonl [--threads N]
    peer_scan.py spamd  HOST:PORT DIR OUT.jsonl [--threads N]

rspamd: HTTP POST of the message to /checkv2 (rspamd's own protocol); the verdict is rspamd's action.
spamd: the SPAMC/1.5 protocol's SYMBOLS request; the verdict is spamd's spam flag (score >= required_score).
A message the peer could not scan is written with "error" and counted apart, never as a verdict.
Only 127.0.0.0/8 and ::1 are accepted as the peer's address.
"""
import argparse
import http.client
import ipaddress
import json
import os
import re
import socket
import sys
import threading

MAX_BYTES = 32 * 1024 * 1024  # the largest corpus message is about 10 MB; anything larger is reported, not sent


HEADER_START = re.compile(rb'(From |[A-Za-z0-9-]{1,76}:)')
FROM_LINE = re.compile(rb'From [^ \t:]')  # an mbox separator, not "From  : name" (obsolete header syntax)


def head(path):
    with open(path, 'rb') as f:
        return f.read(80)


def is_mail(path):
    n = os.path.basename(path).lower()
    if n.endswith('.eml') or n.endswith('.mbox'):
        return True
    if '.' not in n or re.fullmatch(r'.*\.\d+', n) or ':2,' in n or '_2_' in n:
        return HEADER_START.match(head(path)) is not None
    return False


def messages(path):
    """(name, bytes or None, error or None) of each message of one file: an mbox file split like eval splits it (a
    message past MAX_BYTES is reported, not kept), any other file as one message read later."""
    if not (path.lower().endswith('.mbox') or FROM_LINE.match(head(path))):
        yield path, None, None
        return
    current, index, previous_blank = None, 0, True

    def done():
        if len(current) > MAX_BYTES:
            return f'{path}#{index}', None, f'more than {MAX_BYTES} bytes'
        return f'{path}#{index}', bytes(current), None

    with open(path, 'rb') as f:
        for line in f:
            if previous_blank and FROM_LINE.match(line):
                if current is not None:
                    yield done()
                index += 1
                current, previous_blank = bytearray(), False
                continue
            previous_blank = line in (b'\n', b'\r\n', b'')
            if current is not None and len(current) <= MAX_BYTES:
                current += line[1:] if re.match(rb'>+From ', line) else line
    if current is not None:
        yield done()


def loopback(hostport):
    host, port = hostport.rsplit(':', 1)
    if not ipaddress.ip_address(host).is_loopback:
        sys.exit(f"peer_scan: {host} is not a loopback address")
    return host, int(port)


def rspamd(host, port, data):
    conn = http.client.HTTPConnection(host, port, timeout=120)
    try:
        conn.request('POST', '/checkv2', body=data, headers={'Pass': 'all'})
        reply = conn.getresponse()
        body = reply.read()
        if reply.status != 200:
            return {'error': f'HTTP {reply.status}'}
        j = json.loads(body)
        return {'score': j.get('score'), 'verdict': j.get('action'),
                'rules': sorted(k for k, v in j.get('symbols', {}).items() if v.get('score', 0) > 0)}
    finally:
        conn.close()


def spamd(host, port, data):
    with socket.create_connection((host, port), timeout=300) as s:
        s.sendall(b'SYMBOLS SPAMC/1.5\r\nContent-length: %d\r\nUser: bench\r\n\r\n' % len(data) + data)
        s.shutdown(socket.SHUT_WR)
        reply = b''
        while chunk := s.recv(65536):
            reply += chunk
    head, _, body = reply.partition(b'\r\n\r\n')
    lines = head.decode('latin-1').split('\r\n')
    if not lines[0].endswith('EX_OK'):
        return {'error': lines[0]}
    for line in lines[1:]:
        if line.startswith('Spam:'):
            # "Spam: True ; 15.3 / 5.0"
            flag, _, scores = line[5:].partition(';')
            score = float(scores.split('/')[0])
            rules = [r for r in body.decode('latin-1').strip().split(',') if r]
            return {'score': score, 'verdict': 'spam' if flag.strip() == 'True' else 'ham', 'rules': sorted(rules)}
    return {'error': 'no Spam: header in the reply'}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('peer', choices=['rspamd', 'spamd'])
    ap.add_argument('address')
    ap.add_argument('dir')
    ap.add_argument('out')
    ap.add_argument('--threads', type=int, default=2)
    a = ap.parse_args()
    host, port = loopback(a.address)
    scan = rspamd if a.peer == 'rspamd' else spamd
    files = sorted(os.path.join(d, f) for d, _, fs in os.walk(a.dir, followlinks=True) for f in fs)
    lock, results = threading.Lock(), []
    todo = (m for path in files if is_mail(path) for m in messages(path))

    def work():
        while True:
            with lock:
                path, data, error = next(todo, (None, None, None))
            if path is None:
                return
            size = len(data) if data is not None else os.path.getsize(path)
            if error or size > MAX_BYTES:
                r = {'error': error or f'{size} bytes, larger than {MAX_BYTES}'}
            else:
                if data is None:
                    with open(path, 'rb') as f:
                        data = f.read()
                try:
                    r = scan(host, port, data)
                except (OSError, ValueError) as e:
                    r = {'error': f'{type(e).__name__}: {e}'}
            r['file'] = os.path.relpath(path, a.dir)
            with lock:
                results.append(r)

    threads = [threading.Thread(target=work) for _ in range(a.threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with open(a.out, 'w') as out:
        for r in sorted(results, key=lambda r: r['file']):
            out.write(json.dumps(r, ensure_ascii=False) + '\n')


if __name__ == '__main__':
    main()
