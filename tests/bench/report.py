#!/usr/bin/env python3
"""The README's figures, measured: every benchmark in one run, one report, and the README's
Performance figures written from that report.

    python3 tests/bench/report.py [--build build] [--out build/bench-report.md]

The same as `tests/bench/run_all.py --readme README.md` (run_all.py runs the benches one after
the other and writes the report; readme_figures.py writes the block between the README's
markers). For part of the benches, without touching the README: run_all.py --only/--skip.
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import run_all  # noqa: E402

if __name__ == '__main__':
    if any(a.startswith(('--only', '--skip', '--readme')) for a in sys.argv[1:]):
        sys.exit('report.py: every bench, README included; for part of them use run_all.py --only/--skip')
    sys.argv = [os.path.join(HERE, 'run_all.py')] + sys.argv[1:] + [
        '--readme', os.path.join(run_all.ROOT, 'README.md')]
    sys.exit(run_all.main())
