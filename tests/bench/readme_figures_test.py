#!/usr/bin/env python3
"""readme_figures.py on a small report: the block between the README's markers is replaced by
the benches' own headline lines and tables (adjacent tables kept apart), the rest of the README
is left as it was, a README without markers is refused; and the committed README has its block,
naming the run it comes from. Run by ctest (unit_docs_readme_figures)."""
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, '..', '..'))
SCRIPT = os.path.join(HERE, 'readme_figures.py')
sys.path.insert(0, HERE)
import readme_figures  # noqa: E402

REPORT = '''# liseur benchmarks, 2026-12-07 08:00 UTC

- machine: vm, CPU, 2 cores, kernel 6
- code: commit abc1234
- load average at the start: 1.00 1.00 1.00

## first_audio

`first_audio_bench.py --build build`: exit 0, 137 s, load 1 before, 2 after

```
memory, two readers: daemon and workers 120 MiB RSS at rest
| image | first audio (ms) |
|---|---:|
| dialog | 32 |
| image (one core at half speed) | first audio (ms) |
|---|---:|
| dialog | 94 |
```

## adapt

`adapt_bench.py --build build`: exit 1, 12 s, load 1 before, 1 after

```
run 1: wall 2.11 s
median wall time 2.37 s (min 2.08, max 2.87) over 5 runs; target <= 3 s
```
- ended 08:16 UTC, load 1.5 1.2 1.1; failed: adapt
'''


class ReadmeFigures(unittest.TestCase):
    def test_the_block_is_replaced_and_nothing_else(self):
        with tempfile.TemporaryDirectory() as d:
            report, readme = os.path.join(d, 'r.md'), os.path.join(d, 'README.md')
            open(report, 'w').write(REPORT)
            before, after = 'intro\n\n', '\n\n## Next\ntext\n'
            open(readme, 'w').write(before + readme_figures.BEGIN + '\nold 1 ms\n' +
                                    readme_figures.END + after)
            subprocess.run([sys.executable, SCRIPT, report, '--readme', readme], check=True,
                           capture_output=True)
            text = open(readme).read()
            self.assertTrue(text.startswith(before + readme_figures.BEGIN))
            self.assertTrue(text.endswith(readme_figures.END + after))
            self.assertNotIn('old 1 ms', text)
            self.assertIn('Run of 2026-12-07 08:00 UTC', text)
            self.assertIn('commit abc1234', text)
            self.assertIn('ended 08:16 UTC', text)
            self.assertIn('- memory, two readers: daemon and workers 120 MiB RSS at rest', text)
            self.assertIn('- median wall time 2.37 s', text)
            self.assertNotIn('run 1:', text)  # each run's line stays in the report
            self.assertIn('(`adapt`, exit 1)', text)  # a failed bench says so
            # The two tables of first_audio stay two tables: a blank line between them.
            self.assertIn('| dialog | 32 |\n\n| image (one core at half speed)', text)

    def test_a_readme_without_markers_is_refused(self):
        with tempfile.TemporaryDirectory() as d:
            report, readme = os.path.join(d, 'r.md'), os.path.join(d, 'README.md')
            open(report, 'w').write(REPORT)
            open(readme, 'w').write('no markers here\n')
            r = subprocess.run([sys.executable, SCRIPT, report, '--readme', readme],
                               capture_output=True, text=True)
            self.assertNotEqual(r.returncode, 0)
            self.assertIn('markers', r.stderr)
            self.assertEqual(open(readme).read(), 'no markers here\n')

    def test_the_committed_readme_names_its_run(self):
        text = open(os.path.join(ROOT, 'README.md')).read()
        self.assertEqual(text.count(readme_figures.BEGIN), 1)
        self.assertEqual(text.count(readme_figures.END), 1)
        block = text[text.index(readme_figures.BEGIN):text.index(readme_figures.END)]
        self.assertRegex(block, r'Run of \d{4}-\d\d-\d\d \d\d:\d\d UTC')
        self.assertRegex(block, r'commit [0-9a-f]{7}')
        self.assertNotIn('with uncommitted changes', block)


if __name__ == '__main__':
    unittest.main()
