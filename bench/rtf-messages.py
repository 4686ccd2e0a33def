#!/usr/bin/env python3
"""Writes COPIES copies of one message with a generated RTF document attached, for timing the inspection of RTF
files and their OLE objects (bench/RESULTS.md, "Fourteenth session").

    bench/rtf-messages.py OUTDIR [--text-kb N] [--picture-kb N] [--object-kb N] [--copies N]

The document holds N KiB of Japanese and English contract text (escaped as RTF writes it), a picture of N KiB (a
\\pict destination in hexadecimal, as Word saves pictures into RTF), and an embedded object of N KiB (an OLE 1.0
object of class Word.Document.8 in an \\objdata destination, its native data random bytes, so that the nested
inspection finds an unknown binary). Standard library only."""
import argparse
import base64
import os
import random
import struct

ap = argparse.ArgumentParser()
ap.add_argument("outdir")
ap.add_argument("--text-kb", type=int, default=200)
ap.add_argument("--picture-kb", type=int, default=0)
ap.add_argument("--object-kb", type=int, default=0)
ap.add_argument("--copies", type=int, default=60)
args = ap.parse_args()

rnd = random.Random(42)


def hexlines(data):
    h = data.hex()
    return "\r\n".join(h[i:i + 128] for i in range(0, len(h), 128))


def escaped(text):
    return "".join(c if ord(c) < 128 else "\\u%d?" % (ord(c) if ord(c) < 32768 else ord(c) - 65536) for c in text)


parts = ["{\\rtf1\\ansi\\ansicpg932\\deff0{\\fonttbl{\\f0\\fnil\\fcharset128 MS Mincho;}}\\pard\\f0\\fs21 "]
paragraph = escaped("第%d条 本契約の条項について、甲および乙は誠実に協議するものとする。Section %d text.") + "\\par\r\n"
size = 0
i = 0
while size < args.text_kb * 1024:
    p = paragraph.replace("%d", str(i))
    parts.append(p)
    size += len(p)
    i += 1
if args.picture_kb:
    parts.append("{\\pict\\pngblip\\picw100\\pich100\r\n" + hexlines(rnd.randbytes(args.picture_kb * 1024)) + "}\\par\r\n")
if args.object_kb:
    native = rnd.randbytes(args.object_kb * 1024)
    cls = b"Word.Document.8\0"
    ole1 = (struct.pack("<II", 0x0501, 2) + struct.pack("<I", len(cls)) + cls + struct.pack("<II", 0, 0)
            + struct.pack("<I", len(native)) + native)
    parts.append("{\\object\\objemb{\\*\\objclass Word.Document.8}\\objw100\\objh100{\\*\\objdata\r\n"
                 + hexlines(ole1) + "}{\\result{\\pict\\wmetafile8 0100}}}\\par\r\n")
parts.append("}")
rtf = "".join(parts).encode("ascii")
attachment = base64.encodebytes(rtf).decode().replace("\n", "\r\n")
message = ("From: legal@partner.example.com\r\nTo: keiri@example.co.jp\r\nSubject: contract\r\nMIME-Version: 1.0\r\n"
           "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
           "Please see the contract.\r\n--b\r\nContent-Type: application/rtf; name=contract.rtf\r\n"
           "Content-Disposition: attachment; filename=contract.rtf\r\nContent-Transfer-Encoding: base64\r\n\r\n"
           + attachment + "--b--\r\n")
os.makedirs(args.outdir, exist_ok=True)
for k in range(args.copies):
    with open(os.path.join(args.outdir, "m%d.eml" % k), "w") as f:
        f.write(message)
print("%d messages, RTF %d bytes" % (args.copies, len(rtf)))
