#!/usr/bin/env python3
"""OCR quality benchmark: liseur's engine (liseur-ocr-lab) against the tesseract CLI on the same
corpora, in one run, scored by ../shared/bench/ocr_eval.py. For each corpus (by default the real
images of ../shared/bench/real-dev, then the synthetic ../shared/bench/corpus-dev) it prints both
side by side per kind (CER, WER, the order-free word-miss rate, median time), the overall CER
ratio and the issue-12 targets, the ratio of median times per image, and the warm time of each
1920x1080 screen with one reader and with two (the OCR worker's default on two cores; issue 17).

  tests/bench/ocr_quality/run_quality_bench.py --lab build/tests/bench/ocr_quality/liseur-ocr-lab \
      [--corpus DIR ...] [--filter REGEX] [--warm-repeat 3]

Both commands run with OMP_THREAD_LIMIT=1 and liseur with one reader, one image at a time, interleaved (liseur then
tesseract on each image), so that the load of a shared machine hits both alike; each is a fresh
process that loads its models, like the tesseract CLI. The warm times are measured inside the lab
after its models are loaded (what the OCR worker does for every request), as wall and CPU time:
on a loaded machine the CPU time tells the work apart from the wait for a core."""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.path.normpath(os.path.join(HERE, "..", "..", "..", "..", "shared", "bench"))
TESSERACT = "tesseract {img} stdout -l eng+fra"


def run_case(corpus, cid, cmd, out):
    """Scores one case with ocr_eval.py; returns its result dict."""
    args = [sys.executable, os.path.join(SHARED, "ocr_eval.py"), "--corpus", corpus, "--jobs",
            "1", "--env", "OMP_THREAD_LIMIT=1", "--out", out, "--cmd", cmd,
            "--filter", "^" + re.escape(cid) + "$"]
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    results = json.load(open(out))["results"]
    if len(results) != 1:
        sys.exit(f"ocr_eval.py scored {len(results)} cases for {cid}, expected 1")
    return results[0]


def table(results, manifest):
    kinds = {}
    for r in results:
        kinds.setdefault(manifest[r["id"]]["kind"], []).append(r)
    kinds["ALL"] = results
    rows = {}
    for k, rs in kinds.items():
        c = {key: sum(r["counts"][key] for r in rs) for key in rs[0]["counts"]}
        cer = c["char_edits"] / max(1, c["ref_chars"])
        wer = c["word_edits"] / max(1, c["ref_words"])
        miss = c["bow_missed"] / max(1, c["ref_words"])
        rows[k] = (len(rs), 100 * cer, 100 * wer, statistics.median(r["ocr_s"] for r in rs),
                   100 * miss)
    return rows


def warm_times(lab, image, repeat, readers=1):
    walls, cpus, firsts = [], [], []
    for _ in range(repeat):
        p = subprocess.run([lab, "--timings", "--readers", str(readers), image],
                           capture_output=True, text=True,
                           env=dict(os.environ, OMP_THREAD_LIMIT="1"))
        m = re.search(r"first block ([\d.]+) ms.*warm total ([\d.]+) ms \(cpu ([\d.]+) ms\)",
                      p.stderr)
        if p.returncode != 0 or not m:
            sys.exit(f"liseur-ocr-lab --timings {image} failed: {p.stderr.strip()}")
        firsts.append(float(m.group(1)))
        walls.append(float(m.group(2)))
        cpus.append(float(m.group(3)))
    return statistics.median(walls), statistics.median(cpus), statistics.median(firsts)


def bench_corpus(corpus, lab, flt, warm_repeat):
    manifest = {}
    for line in open(os.path.join(corpus, "manifest.jsonl")):
        d = json.loads(line)
        manifest[d["id"]] = d
    ids = [cid for cid in sorted(manifest) if re.search(flt, cid)]
    if not ids:
        sys.exit(f"no case of {corpus} matches '{flt}'")
    tmp = tempfile.mkdtemp()
    ours, base = [], []
    for i, cid in enumerate(ids):
        ours.append(run_case(corpus, cid, lab + " {img}", os.path.join(tmp, "ours.json")))
        base.append(run_case(corpus, cid, TESSERACT, os.path.join(tmp, "tess.json")))
        print(f"\r{i + 1}/{len(ids)} {cid:24s}", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    t_ours, t_base = table(ours, manifest), table(base, manifest)
    name = os.path.basename(os.path.normpath(corpus))
    print(f"\n## {name} ({len(ids)} cases); liseur: {lab}; tesseract: {TESSERACT}\n")
    print("| kind | n | liseur CER % | tesseract CER % | liseur WER % | tesseract WER % |"
          " liseur word-miss % | tesseract word-miss % | liseur median s | tesseract median s |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for k in sorted(t_ours, key=lambda k: (k == "ALL", k)):
        n, c, w, t, m = t_ours[k]
        _, bc, bw, bt, bm = t_base[k]
        print(f"| {k} | {n} | {c:.2f} | {bc:.2f} | {w:.2f} | {bw:.2f} | {m:.2f} | {bm:.2f} |"
              f" {t:.2f} | {bt:.2f} |")
    worse = [k for k in t_ours if k != "ALL" and t_ours[k][1] > t_base[k][1]]
    ratio = t_ours["ALL"][1] / max(1e-9, t_base["ALL"][1])
    print(f"\nCER liseur / tesseract: {t_ours['ALL'][1]:.2f} % / {t_base['ALL'][1]:.2f} % = "
          f"{ratio:.2f}; kinds worse than tesseract: {', '.join(worse) or 'none'}")
    if "photo" in t_ours:
        print(f"photos liseur / tesseract: {t_ours['photo'][1] / max(1e-9, t_base['photo'][1]):.2f}"
              " (target <= 0.5)")
    per_image = [o["ocr_s"] / b["ocr_s"] for o, b in zip(ours, base) if b["ocr_s"] > 0]
    print(f"median time per image liseur / tesseract CLI: {t_ours['ALL'][3]:.2f} s / "
          f"{t_base['ALL'][3]:.2f} s = {t_ours['ALL'][3] / t_base['ALL'][3]:.2f} "
          f"(median of per-image ratios {statistics.median(per_image):.2f}; target <= 1.3)")
    for cid in ids:
        if (manifest[cid].get("width"), manifest[cid].get("height")) == (1920, 1080):
            img = os.path.join(corpus, manifest[cid]["image"])
            # One reader (the engine as the rows above ran it, and as on a one-core machine),
            # then two (the OCR worker's default on two cores), one after the other.
            wall, cpu, first = warm_times(lab, img, warm_repeat)
            wall2, cpu2, first2 = warm_times(lab, img, warm_repeat, readers=2)
            print(f"{cid} {manifest[cid]['width']}x{manifest[cid]['height']} warm (models "
                  f"loaded, median of {warm_repeat}): one reader {wall:.0f} ms wall, {cpu:.0f} ms "
                  f"CPU, first block {first:.0f} ms; two readers {wall2:.0f} ms wall, {cpu2:.0f} "
                  f"ms CPU, first block {first2:.0f} ms; speed-up {wall / max(wall2, 0.1):.2f}x "
                  f"(targets: <= 1000 ms, >= 1.5x)")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lab", required=True)
    ap.add_argument("--corpus", action="append",
                    help="corpus directory (repeatable; default real-dev then corpus-dev)")
    ap.add_argument("--filter", default="")
    ap.add_argument("--warm-repeat", type=int, default=3)
    a = ap.parse_args()
    lab = os.path.abspath(a.lab)
    corpora = a.corpus or [os.path.join(SHARED, "real-dev"), os.path.join(SHARED, "corpus-dev")]
    print(f"# OCR quality, {time.strftime('%Y-%m-%d %H:%M')}, {os.uname().nodename}, "
          f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}; "
          "OMP_THREAD_LIMIT=1, one image at a time")
    for corpus in corpora:
        bench_corpus(corpus, lab, a.filter, a.warm_repeat)


if __name__ == "__main__":
    main()
