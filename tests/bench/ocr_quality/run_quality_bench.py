#!/usr/bin/env python3
"""OCR quality benchmark: liseur's engine (liseur-ocr-lab) against the tesseract CLI on the same
corpus, in one run, with ../shared/bench/ocr_eval.py. Prints both tables per kind, the ratio of
median times, and the warm 1920x1080 time.

  tests/bench/ocr_quality/run_quality_bench.py --lab build/tests/bench/ocr_quality/liseur-ocr-lab \
      [--corpus ../shared/bench/corpus-dev] [--jobs 1] [--filter REGEX]

Quote times only from --jobs 1 runs on an otherwise idle machine (2 cores)."""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.path.normpath(os.path.join(HERE, "..", "..", "..", "..", "shared", "bench"))


def run_eval(corpus, cmd, jobs, filt, out):
    args = [sys.executable, os.path.join(SHARED, "ocr_eval.py"), "--corpus", corpus, "--jobs",
            str(jobs), "--env", "OMP_THREAD_LIMIT=1", "--out", out]
    if cmd:
        args += ["--cmd", cmd]
    if filt:
        args += ["--filter", filt]
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL)
    return json.load(open(out))["results"]


def table(results, manifest):
    kinds = {}
    for r in results:
        k = manifest[r["id"]]["kind"]
        kinds.setdefault(k, []).append(r)
    kinds["ALL"] = results
    rows = {}
    for k, rs in kinds.items():
        c = {key: sum(r["counts"][key] for r in rs) for key in rs[0]["counts"]}
        cer = c["char_edits"] / max(1, c["ref_chars"])
        wer = c["word_edits"] / max(1, c["ref_words"])
        rows[k] = (len(rs), 100 * cer, 100 * wer, statistics.median(r["ocr_s"] for r in rs))
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lab", required=True)
    ap.add_argument("--corpus", default=os.path.join(SHARED, "corpus-dev"))
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--filter", default="")
    a = ap.parse_args()
    manifest = {}
    for line in open(os.path.join(a.corpus, "manifest.jsonl")):
        d = json.loads(line)
        manifest[d["id"]] = d
    tmp = tempfile.mkdtemp()
    ours = run_eval(a.corpus, os.path.abspath(a.lab) + " {img}", a.jobs, a.filter,
                    os.path.join(tmp, "ours.json"))
    base = run_eval(a.corpus, None, a.jobs, a.filter, os.path.join(tmp, "tesseract.json"))
    t_ours, t_base = table(ours, manifest), table(base, manifest)
    print("| kind | n | liseur CER % | liseur WER % | tesseract CER % | tesseract WER % |"
          " liseur median s | tesseract median s |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for k in sorted(t_ours, key=lambda k: (k == "ALL", k)):
        n, c, w, t = t_ours[k]
        _, bc, bw, bt = t_base[k]
        print(f"| {k} | {n} | {c:.2f} | {w:.2f} | {bc:.2f} | {bw:.2f} | {t:.2f} | {bt:.2f} |")
    ratio = t_ours["ALL"][3] / t_base["ALL"][3]
    print(f"\nmedian time ratio liseur / tesseract CLI: {ratio:.2f} (target <= 1.3)")
    screens = [r for r in ours if manifest[r["id"]]["width"] >= 1920]
    for r in screens:
        img = os.path.join(a.corpus, manifest[r["id"]]["image"])
        p = subprocess.run([a.lab, "--timings", img], capture_output=True, text=True,
                           env=dict(os.environ, OMP_THREAD_LIMIT="1"))
        print(f"{r['id']} warm (after model load): {p.stderr.strip()}")


if __name__ == "__main__":
    main()
