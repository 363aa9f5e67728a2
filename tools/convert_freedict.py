"""freedict-eng-ind (dictd format) → eng-ind.tsv.gz: `english<TAB>indonesian|indonesian...`."""
import gzip, re, sys
B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
def dec(s):
    n = 0
    for c in s: n = n * 64 + B64.index(c)
    return n
index, dictionary, target = sys.argv[1:4]
raw = gzip.open(dictionary).read()
out = {}
for line in open(index, encoding='utf-8'):
    w, off, ln = line.rstrip('\n').split('\t')
    if w.startswith('00database'):
        continue
    lines = raw[dec(off):dec(off) + dec(ln)].decode('utf-8').split('\n')
    if len(lines) < 2:
        continue
    for t in lines[1].split(','):
        t = re.sub(r"^\s*\d+\.\s*|\s*\d+\.\s*$", "", t).strip()
        if t and t not in out.setdefault(w.lower(), []):
            out[w.lower()].append(t)
with gzip.open(target, 'wt', encoding='utf-8') as f:
    f.write("# English -> Indonesian, from FreeDict eng-ind 2022.11.18 (CC-BY-SA-3.0); see ENGLISH.md\n")
    for w in sorted(out):
        f.write(w + "\t" + "|".join(out[w]) + "\n")
print(len(out), "headwords")
