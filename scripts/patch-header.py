#!/usr/bin/env python3
"""patch-header.py PATCH < HEADER: replace a quilt patch's description."""
import re
import sys

path = sys.argv[1]
text = open(path).read()
m = re.search(r"^(--- a/|Index: |diff )", text, re.M)
body = text[m.start():] if m else text
header = sys.stdin.read().rstrip("\n") + "\n\n---\n"
open(path, "w").write(header + body)
