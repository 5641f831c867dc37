#!/usr/bin/env python3
"""The README's figures, taken from a run_all.py report and written into the README.

    /usr/bin/python3 tests/bench/readme_figures.py [REPORT] [--readme README.md]

REPORT (default build/bench-report.md) is what tests/bench/run_all.py wrote. From each bench's
output this keeps its headline lines and tables (the ratios against the named baselines and the
targets), quoted as the bench printed them, under the run's date, machine, commit and load; with
--readme the block between the README's two markers is replaced by them (report.py, i.e.
run_all.py --readme, does this at the end of a run), else it is printed. Nothing is computed here: every figure is a bench's
own output, so the README cannot quote a figure the run did not measure.
"""
import argparse
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, '..', '..'))
BEGIN = '<!-- figures:begin (written by tests/bench/report.py: do not edit by hand) -->'
END = '<!-- figures:end -->'

# Per bench: (what it measures, lines kept, table rows kept). A line is kept when it matches one
# of the line patterns; a table (lines starting with '|') is kept whole when rows is None, else
# its header, its separator and the rows matching the pattern.
BENCHES = {
    'ocr_quality': ('Recognition: liseur and the tesseract CLI on real-dev and corpus-dev',
                    [r'^## (real-dev|corpus-dev)', r'^CER liseur', r'^photos liseur',
                     r'^median time per image', r'^screen-(en|fr)-01 '],
                    r'^\| (ALL|photo|scan) '),
    'first_audio': ('First audio, against `tesseract | espeak-ng`; memory; an old laptop',
                    [r'^memory, '], None),
    'speech': ('The speech path', [], None),
    'speechd': ('Through speech-dispatcher, against liseur\'s own voice', [r'^ratio '], None),
    'adapt': ('`liseur adapt` of a photographed worksheet', [r'^median wall time'], None),
    'pdf': ('`liseur adapt` of a two-page PDF, against the same pages as two images',
            [r'^median wall time', r'^typed PDF text'], None),
    'answers': ('Answer places on worksheets, and on real-dev pages that are not worksheets',
                [r'^real-dev \(not worksheets\)', r'^answer places:'], None),
    'hotkey': ('Hotkey to first audio under Xvfb, the unchanged window, the watch tick', [], None),
    'pointer': ('Read under the pointer on a full screen, against reading the whole screen', [], None),
    'wayland': ('A window on headless sway against X11', [], None),
    'plugins': ('The plugin chain', [r'^added by the chain'], r'^\| all '),
    'load': ('64 clients while a full screen is read', [r'^p99 '], None),
    'syllables': ('French syllables', [r'^\s*(exact match|handcheck exact|vs hyphen-fr)'], None),
}


def sections(report):
    """{bench: (command line, output lines)} and the report's header lines."""
    head, out, name = [], {}, None
    lines = report.split('\n')
    i = 0
    while i < len(lines):
        line = lines[i]
        m = re.match(r'^## (\w+)$', line)
        if m and m.group(1) in BENCHES:
            name = m.group(1)
            out[name] = ['', []]
        elif name is None or line.startswith('- ended '):
            head.append(line)
        elif line.startswith('`') and not out[name][0]:
            out[name][0] = line
        elif line.startswith('```'):
            i += 1
            while i < len(lines) and not lines[i].startswith('```'):
                out[name][1].append(lines[i])
                i += 1
        i += 1
    return head, out


def kept(lines, patterns, rows):
    """The bench's headline lines and tables, in its order, as markdown."""
    md, i = [], 0
    while i < len(lines):
        line = lines[i]
        if line.startswith('|'):
            table = []
            while i < len(lines) and lines[i].startswith('|'):
                table.append(lines[i])
                i += 1
                # A header and its separator right under a row: the next table begins.
                if (len(table) > 2 and i + 1 < len(lines) and lines[i].startswith('|') and
                        lines[i + 1].startswith('|---')):
                    break
            if rows is not None:
                body = [r for r in table[2:] if re.search(rows, r)]
                if not body:
                    continue
                table = table[:2] + body
            md += [''] + table + ['']
            continue
        if any(re.search(p, line) for p in patterns):
            text = line.strip()
            if text.startswith('## '):  # a sub-corpus of the bench: its name, not its paths
                md += ['', '*' + text[3:].split(';')[0] + '*']
            else:
                md.append('- ' + text)
        i += 1
    return md


def figures(report):
    head, out = sections(report)
    meta = [h[2:] for h in head if h.startswith('- ')]
    title = next((h[2:] for h in head if h.startswith('# ')), 'liseur benchmarks')
    md = [BEGIN, '', '*%s* — %s.' % (title.replace('liseur benchmarks, ', 'Run of '),
                                    '; '.join(meta)), '']
    for name, (what, patterns, rows) in BENCHES.items():
        if name not in out:
            continue
        command, lines = out[name]
        status = re.search(r': (exit \d+|failed[^,]*), ', command)
        md += ['**%s** (`%s`%s)' % (what, name, ', ' + status.group(1)
                                     if status and status.group(1) != 'exit 0' else ''), '']
        body = kept(lines, patterns, rows)
        md += body if body else ['- (no figure in its output)']
        md.append('')
    md.append(END)
    # Tables need a blank line before them, and one blank line is enough anywhere.
    text = '\n'.join(md)
    return re.sub(r'\n{3,}', '\n\n', text)


def write_readme(path, block):
    text = open(path).read()
    a, b = text.find(BEGIN), text.find(END)
    if a < 0 or b < a:
        sys.exit('readme_figures.py: %s has no figures markers (%s ... %s)' % (path, BEGIN, END))
    new = text[:a] + block + text[b + len(END):]
    tmp = path + '.new'
    with open(tmp, 'w') as f:
        f.write(new)
    os.replace(tmp, path)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('report', nargs='?', default=os.path.join(ROOT, 'build', 'bench-report.md'))
    ap.add_argument('--readme', help='write the figures into this README between its markers')
    a = ap.parse_args()
    block = figures(open(a.report).read())
    if a.readme:
        write_readme(a.readme, block)
        print('readme_figures.py: figures of %s written into %s' % (a.report, a.readme))
    else:
        print(block)


if __name__ == '__main__':
    main()
