"""Turn the raw seed articles into the bundled corpus (run once; the output is committed).

Usage: python tools/import_seeds.py ../shared/seeds corpus

Why a script rather than hand edits: the cleaning rules and the metadata (where each article
came from) stay on record, and re-running it reproduces `corpus/` exactly. The body keeps the
article's own words verbatim, inconsistencies included; only site chrome is removed.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import yaml

# Metadata per seed file. Dates are the article's own where it states one, otherwise the date
# in the publisher's URL; url is empty where the original address is unknown.
SEEDS = {
    "000": {
        "id": "liputan6-thailand-belajar-kota-kreatif-pekalongan",
        "title": "Thailand Belajar Soal Kota Kreatif ke Pekalongan",
        "source": "Liputan6.com",
        "date": "2016-03-10",
        "url": "https://regional.liputan6.com/read/2455909/thailand-belajar-soal-kota-kreatif-ke-pekalongan",
        "drop_lines": ["Sukses", "Thailand Belajar Soal Kota Kreatif ke Pekalongan", "Video Terkini"],
        "drop_patterns": [r"^\* Fakta atau Hoaks\?.*WhatsApp.*$"],
    },
    "001": {
        "id": "teknopreneur-pekalongan-anggota-kota-kreatif-dunia",
        "title": "Pekalongan Jadi Anggota Kota Kreatif Dunia, Kenapa Ya?",
        "source": "Teknopreneur.com",
        "date": "2014-12-15",
        "url": "http://teknopreneur.com/2014/12/15/pekalongan-jadi-anggota-kota-kreatif-dunia-kenapa-ya/",
        "drop_lines": [],
        "drop_patterns": [],
    },
    "002": {
        "id": "harrywaluyo-jejaring-kota-kreatif-unesco",
        "title": "Kerja Sama Internasional di antara Anggota Jejaring Kota-kota Kreatif UNESCO",
        "source": "harrywaluyo.com",
        "date": "",
        "url": "https://harrywaluyo.com/tag/uccn/",
        "drop_lines": ["Kerja Sama Internasional di antara Anggota Jejaring Kota-kota Kreatif UNESCO"],
        "drop_patterns": [],
    },
    "003": {
        "id": "radarsemarang-pertahankan-pekalongan-kota-kreatif",
        "title": "Pertahankan Pekalongan sebagai Kota Kreatif Dunia",
        "source": "Radar Semarang",
        "date": "2022-12-01",
        "url": "https://radarjawatengah.com/berita/jateng/pekalongan/2022/12/01/pertahankan-pekalongan-sebagai-kota-kreatif-dunia",
        "drop_lines": [],
        "drop_patterns": [],
    },
    "004": {
        "id": "sindonews-rakernas-apeksi-malang-kota-kreatif",
        "title": "Rakernas Apeksi Momentum Belajar Bersama Membangun Kota Kreatif",
        "source": "SINDOnews",
        "date": "2017-07-20",
        "url": "",
        "drop_lines": [
            "Rakernas Apeksi Momentum Belajar Bersama Membangun Kota Kreatif",
            "A A A",
            "(poe)",
            "All Rights Reserved",
        ],
        "drop_patterns": [
            r"^(Senin|Selasa|Rabu|Kamis|Jumat|Sabtu|Minggu), \d{1,2} \w+ \d{4} - \d{2}:\d{2} WIB$",
            r"^Copyright ©.*$",
            r"^berita/ rendering in .*$",
        ],
    },
}


def clean(text: str, drop_lines: list[str], drop_patterns: list[str]) -> str:
    """Drop site chrome line by line; keep every other line as written."""
    kept = []
    for line in text.replace("\r\n", "\n").split("\n"):
        stripped = line.strip()
        if stripped in drop_lines or any(re.match(p, stripped) for p in drop_patterns):
            continue
        kept.append(line.rstrip())
    body = "\n".join(kept)
    body = re.sub(r"\n{3,}", "\n\n", body)
    return body.strip() + "\n"


def main(seeds_dir: str, out_dir: str) -> None:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for path in sorted(Path(seeds_dir).glob("*.txt")):
        meta = SEEDS[path.name[:3]]
        body = clean(path.read_text(encoding="utf-8"), meta["drop_lines"], meta["drop_patterns"])
        front = {k: meta[k] for k in ("id", "title", "source", "date", "url")}
        header = yaml.safe_dump(front, allow_unicode=True, sort_keys=False, width=1000)
        (out / f"{meta['id']}.md").write_text(f"---\n{header}---\n\n{body}", encoding="utf-8")
        print(f"{path.name} -> {out / (meta['id'] + '.md')}")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
