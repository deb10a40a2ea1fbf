"""The benchmark runs end to end on the tiny demo checkpoint (no timing thresholds: numbers vary by machine)."""

import json

import pytest

from test_cli import cli


def test_quick_bench_writes_json_and_table(tiny_dir, tmp_path):
    r = cli("bench", "--quick", "--checkpoint", str(tiny_dir), "--out", str(tmp_path), timeout=600)
    assert r.returncode == 0, r.stderr
    report = json.loads((tmp_path / "bench.json").read_text())
    for impl in ("ours", "hf"):
        res = report[impl]
        assert res["load_s"] > 0 and res["peak_rss_mb"] > 0 and res["decode_tokens_per_s"] > 0
        assert set(res["prefill_s"]) == {"16", "32"} and all(v > 0 for v in res["prefill_s"].values())
        assert len(res["greedy_tokens"]) == report["settings"]["new_tokens"]
    assert report["ours"]["no_cache_tokens_per_s"] > 0
    assert report["greedy_tokens_agree"] is True  # same weights, same greedy tokens as transformers
    table = (tmp_path / "bench.md").read_text()
    assert "| decode 8 tokens, KV cache (tokens/s) |" in table and table in r.stdout


@pytest.mark.parametrize("args,match", [
    (["--repeats", "0"], "at least 1"),
    (["--prefill", "12,abc"], "--prefill"),
    (["--dtype", "int8"], "invalid choice"),
])
def test_bad_arguments(tiny_dir, tmp_path, args, match):
    r = cli("bench", "--checkpoint", str(tiny_dir), "--out", str(tmp_path), *args)
    assert r.returncode == 2 and "Traceback" not in r.stderr and match in r.stderr
