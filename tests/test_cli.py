"""`uccn-bot` as a person or a script runs it. The acceptance questions run as real
subprocesses (`run_cli`); the rest through the CLI's `main()` in this process (`call_cli`),
where a process would add only its start-up."""

import json

import pytest

from uccn_bot.reader import MANIFEST_FILE

pytestmark = pytest.mark.usefixtures("bundled_index")  # most of these run on the bundled corpus


def test_ask_json_acceptance(run_cli):
    result = run_cli("ask", "--json", "Kapan Pekalongan jadi Kota Kreatif?")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["answered"] is True
    first = data["passages"][0]
    assert "2014" in first["text"] and first["title"] and first["source"]


def test_ask_text_shows_passage_and_citation(run_cli):
    result = run_cli("ask", "Kapan Pekalongan jadi Kota Kreatif?")
    assert result.returncode == 0
    assert "Jawaban singkat:" in result.stdout and "2014" in result.stdout
    assert "Liputan6.com" in result.stdout and "\x1b[" not in result.stdout  # no colour in a pipe


def test_ask_declines_politely(call_cli):
    result = call_cli("ask", "siapa presiden pertama amerika serikat")
    assert result.returncode == 0 and result.stdout.startswith("Maaf")
    assert "Liputan6" not in result.stdout  # no passage forced on the user


@pytest.mark.parametrize("question, words", [("", "kosong"), ("x" * 10_000, "panjang"), ("😀😀🎉", "kata-kata")])
def test_ask_bad_input_exits_cleanly(call_cli, question, words):
    result = call_cli("ask", question)
    assert result.returncode == 0 and words in result.stdout and "Traceback" not in result.stderr


def test_malformed_corpus_names_file_and_line(call_cli, tmp_path):
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "baik.md").write_text("Judul\n\nIsi.\n", encoding="utf-8")
    (corpus / "rusak.md").write_text("---\nid: x\ntitle: [\n---\nIsi.\n", encoding="utf-8")
    result = call_cli("ask", "--corpus", str(corpus), "apa")
    assert result.returncode == 1 and "rusak.md:3" in result.stderr and "Traceback" not in result.stderr


def test_other_corpus_directory(call_cli, tmp_path):
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "ambon.txt").write_text("Ambon Kota Musik\n\nAmbon ditetapkan sebagai Kota Musik UNESCO pada 31 Oktober 2019.\n", encoding="utf-8")
    result = call_cli("ask", "--json", "--corpus", str(corpus), "kapan ambon jadi kota musik")
    data = json.loads(result.stdout)
    assert data["answered"] and "2019" in data["short_answer"] and data["passages"][0]["title"] == "Ambon Kota Musik"


def test_bad_config_key_is_named(call_cli, tmp_path):
    config = tmp_path / "c.yaml"
    config.write_text("answer:\n  min_confidense: 0.5\n", encoding="utf-8")
    result = call_cli("ask", "--config", str(config), "apa")
    assert result.returncode == 1 and "answer.min_confidense" in result.stderr


def test_sources_lists_articles(call_cli):
    result = call_cli("sources")
    assert result.returncode == 0 and result.stdout.count("•") == 5 and "SINDOnews, 20 Juli 2017" in result.stdout


def test_eval_json_on_a_small_qa_file(call_cli, tmp_path):
    qa = tmp_path / "qa.yaml"
    qa.write_text('- {q: "Kapan Pekalongan jadi Kota Kreatif?", answers: ["2014"], kind: paraphrase}\n'
                  '- {q: "siapa presiden pertama amerika serikat", answers: [], kind: unanswerable}\n', encoding="utf-8")
    result = call_cli("eval", "--qa", str(qa), "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    bot, naive = data["systems"]["uccn-bot"], data["systems"]["naive BM25"]
    assert bot["overall"]["hit1"] == 1.0 and bot["overall"]["correct_decline"] == 1.0
    assert set(bot["per_kind"]) == {"paraphrase", "unanswerable"} and "overall" in naive


def test_no_command_prints_help(call_cli):
    result = call_cli()
    assert result.returncode == 2 and "ask" in result.stdout


def test_index_command_reports_the_index(call_cli):
    result = call_cli("index")
    assert result.returncode == 0, result.stderr
    assert "98 passages" in result.stdout or "passages)" in result.stdout
    places = next(line for line in result.stdout.splitlines() if line.startswith("names:"))
    assert "ambon" in places and "bandung" in places  # alphabetical: the first of the list


def test_index_says_how_it_answers_and_fails_when_it_skipped_a_file(call_cli, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.md").write_text("# Kota Kreatif\n\nPekalongan menjadi Kota Kreatif UNESCO pada 2014.\n", encoding="utf-8")
    clean = call_cli("index", "--corpus", str(corpus))
    assert clean.returncode == 0 and "answering:" in clean.stdout and "skipped" not in clean.stdout
    assert "(built in" in clean.stdout and "(loaded in" in call_cli("index", "--corpus", str(corpus)).stdout
    (corpus / "gambar.md").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    partial = call_cli("index", "--corpus", str(corpus))
    assert partial.returncode == 1, partial.stderr
    assert "skipped:" in partial.stdout and "gambar.md" in partial.stdout
    assert "Traceback" not in partial.stderr


@pytest.mark.parametrize("k", ["0", "-1", "dua"])
def test_ask_k_below_one_is_a_usage_error(call_cli, k):
    result = call_cli("ask", "-k", k, "Kapan Pekalongan jadi Kota Kreatif?")
    assert result.returncode == 2 and result.stdout == ""
    assert "-k/--passages" in result.stderr and "1 or more" in result.stderr and "Traceback" not in result.stderr


def test_ask_says_how_to_see_the_other_passages_and_k_shows_them(call_cli):
    question = "Kapan Pekalongan jadi Kota Kreatif?"
    result = call_cli("ask", question)
    hint = result.stdout.strip().splitlines()[-1]
    assert result.returncode == 0 and hint.startswith("(4 passage lain tersedia")
    assert f"uccn-bot ask -k 5 '{question}'" in hint
    shown = call_cli("ask", "-k", "5", question)
    assert shown.returncode == 0 and "[passage 5 dari 5]" in shown.stdout and "passage lain tersedia" not in shown.stdout


def test_ask_with_the_answer_model_as_shipped(run_cli, call_cli):
    """The product as installed reads with its answer model (the other CLI tests run without it).
    `index` says so; it runs in this process, where the model is loaded once for every test."""
    reader = {"UCCN_BOT_READER": "1"}
    result = run_cli("ask", "--json", "Kapan Pekalongan jadi Kota Kreatif?", env=reader)
    data = json.loads(result.stdout)
    assert result.returncode == 0 and data["answered"] and "2014" in data["short_answer"]
    assert data["highlight"] in data["passages"][0]["text"]
    manifest = json.loads(MANIFEST_FILE.read_text(encoding="utf-8"))
    mode = call_cli("index", env=reader).stdout
    assert f"answer model + rules (reader.npz {manifest['sha256'][:8]}, e5 layers 0-" in mode
    assert "rules only" in call_cli("index").stdout
