#!/usr/bin/env python3
"""Wraps every file under a directory into a message of its own, as an attachment, for `mamori eval` over a set of
sample files (bench/RESULTS.md, "Fourteenth session": oletools' test data).

    bench/attachment-messages.py SAMPLES_DIR OUTDIR [--password WORD]

Each message: a partner's From, a one-line body, the file attached as application/octet-stream under its own name;
for a .zip, the body also gives the password (--password, default oletools' `infected-test`), as a PPAP mail does.
The message file is named after the sample's path (`msodde__dde-test.docx.eml`). Standard library only."""
import argparse
import email.message
import email.policy
import os

ap = argparse.ArgumentParser()
ap.add_argument("samples")
ap.add_argument("outdir")
ap.add_argument("--password", default="infected-test")
args = ap.parse_args()

os.makedirs(args.outdir, exist_ok=True)
count = 0
for root, dirs, files in os.walk(args.samples):
    dirs.sort()
    for name in sorted(files):
        path = os.path.join(root, name)
        rel = os.path.relpath(path, args.samples)
        m = email.message.EmailMessage()
        m["From"] = "Alice <alice@partner.example>"
        m["To"] = "bob@evaluation.invalid"
        m["Subject"] = "document"
        m["Date"] = "Sun, 29 Nov 2026 10:00:00 +0000"
        m["Message-ID"] = "<%d@partner.example>" % count
        body = "Please see the attached file."
        if name.endswith(".zip"):
            body += "\nPassword: " + args.password
        m.set_content(body)
        with open(path, "rb") as f:
            m.add_attachment(f.read(), maintype="application", subtype="octet-stream", filename=name)
        with open(os.path.join(args.outdir, rel.replace(os.sep, "__") + ".eml"), "wb") as out:
            out.write(m.as_bytes(policy=email.policy.SMTP))
        count += 1
print("%d messages in %s" % (count, args.outdir))
