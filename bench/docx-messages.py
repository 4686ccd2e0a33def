#!/usr/bin/env python3
"""Writes COPIES copies of one message with a generated Word document attached, for timing the attachment
inspection of Office documents (bench/RESULTS.md, "Thirteenth session").

    bench/docx-messages.py OUTDIR [--paragraphs N] [--fields] [--copies N]

The document's word/document.xml holds N paragraphs of Japanese and English contract text (about 190 bytes each);
with --fields, a PAGE field every 500 paragraphs (fields are what the DDE search parses). Standard library only."""
import argparse
import base64
import io
import os
import zipfile

ap = argparse.ArgumentParser()
ap.add_argument("outdir")
ap.add_argument("--paragraphs", type=int, default=10000)
ap.add_argument("--fields", action="store_true")
ap.add_argument("--copies", type=int, default=60)
args = ap.parse_args()

paras = []
for i in range(args.paragraphs):
    paras.append('<w:p><w:r><w:rPr><w:lang w:val="ja-JP"/></w:rPr><w:t>第%d条 本契約の条項について、甲および乙は'
                 '誠実に協議するものとする。Section %d text.</w:t></w:r></w:p>' % (i, i))
    if args.fields and i % 500 == 0:
        paras.append('<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve">'
                     ' PAGE </w:instrText></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>')
doc = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w='
       '"http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>' + ''.join(paras)
       + '</w:body></w:document>')
buf = io.BytesIO()
with zipfile.ZipFile(buf, 'w', zipfile.ZIP_DEFLATED) as z:
    z.writestr('[Content_Types].xml', '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>')
    z.writestr('word/document.xml', doc)
attachment = base64.encodebytes(buf.getvalue()).decode().replace('\n', '\r\n')
message = ("From: legal@partner.example.com\r\nTo: keiri@example.co.jp\r\nSubject: contract\r\nMIME-Version: 1.0\r\n"
           "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
           "Please see the contract.\r\n--b\r\nContent-Type: application/vnd.openxmlformats-officedocument."
           "wordprocessingml.document; name=contract.docx\r\nContent-Disposition: attachment; filename=contract.docx\r\n"
           "Content-Transfer-Encoding: base64\r\n\r\n" + attachment + "--b--\r\n")
os.makedirs(args.outdir, exist_ok=True)
for k in range(args.copies):
    with open(os.path.join(args.outdir, 'm%d.eml' % k), 'w') as f:
        f.write(message)
print('%d messages, word/document.xml %d bytes, docx %d bytes' % (args.copies, len(doc.encode()), len(buf.getvalue())))
