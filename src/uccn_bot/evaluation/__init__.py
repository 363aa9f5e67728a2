"""Measuring answer quality: Q&A files and external benchmarks, the bot beside a naive BM25
baseline (`uccn-bot eval`)."""
