#!/usr/bin/env python3
"""Splits corpus sets into the two halves every benchmark uses, as trees of symbolic links.

    bench/halves.py CORPUS_DIR OUT_DIR SET[/FOLDER]...

A file belongs to half A (the tuning and training half) when the last number in its name (maildir flags ":2,"
aside) is odd, to half B (held out, never looked at message by message) when it is even; a file whose name has no
number goes by the parity of the CRC-32 of its path inside the set. Writes OUT_DIR/<set>/{A,B}/... ("/" in a set name
becomes "-").
"""
import os, re, sys, zlib

corpus, out = sys.argv[1], sys.argv[2]
for spec in sys.argv[3:]:
    name = spec.split(':')[0]
    data = os.path.join(corpus, name.split('/')[0], 'data', *name.split('/')[1:])
    name = name.replace('/', '-')
    for dirpath, _, files in os.walk(data):
        for f in files:
            rel = os.path.relpath(os.path.join(dirpath, f), data)
            # maildir file names end in ":2,FLAGS" (stored as "_2_FLAGS"): that 2 is no message number
            numbers = re.findall(r'\d+', re.sub(r'_2_[A-Za-z]*$', '', f))
            parity = int(numbers[-1]) % 2 if numbers else zlib.crc32(rel.encode()) % 2
            half = 'A' if parity == 1 else 'B'
            target = os.path.join(out, name, half, rel)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            os.symlink(os.path.join(dirpath, f), target)
