#!/usr/bin/env python3
"""Per-case table of an ocr_eval.py JSON result (sorted by CER), optionally diffed against
another result: cases.py NEW.json [OLD.json]."""
import json
import sys


def load(path):
    return {r["id"]: r for r in json.load(open(path))["results"]}


new = load(sys.argv[1])
old = load(sys.argv[2]) if len(sys.argv) > 2 else {}
for cid, r in sorted(new.items(), key=lambda kv: -kv[1]["cer"]):
    line = f"{cid:18s} cer {100*r['cer']:6.2f} wer {100*r['wer']:6.2f} bow {100*r['bow_miss']:6.2f} t {r['ocr_s']:.2f}"
    if cid in old:
        line += f"   was {100*old[cid]['cer']:6.2f}"
    print(line)
