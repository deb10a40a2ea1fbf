"""Training the tiny Llama: the corpus, the full-vocabulary loss, the loop, the written checkpoint, the command."""

import json
import math

import pytest
import torch
import torch.nn.functional as F

import llama_scratch as ls
from llama_scratch import checkpoints
from llama_scratch.checkpoints.hf import hf_model_from_state_dict
from llama_scratch.tools.cli import main
from llama_scratch.training import TrainConfig, corpus, generate_corpus, learning_rate, train, train_demo
from llama_scratch.training.loop import init_model
from llama_scratch.training.vocab import CompactVocab, full_vocab_cross_entropy
from llama_scratch.training.write import state_dict_for_meta
from test_forward import ATOL, check_against_peers

# A few steps, enough to check the machinery; the unused ids' column comes in late (see vocab.py).
QUICK = dict(steps=30, warmup_steps=5, eval_every=10, time_budget=0.0, unused_ramp=(0.6, 0.9))


@pytest.fixture(scope="module")
def generated():
    return generate_corpus(0)


def test_corpus_is_deterministic_and_holds_its_questions_out(generated, tokenizer):
    assert generated.train == generate_corpus(0).train and generated.train != generate_corpus(1).train
    train_text = "\n".join(generated.train)
    assert len(generated.probes) >= 20
    for p in generated.probes:
        assert p["prompt"] not in train_text  # the question is never asked in training ...
        assert p["answer"] in train_text  # ... but the fact is stated there
        ids = tokenizer.encode(p["prompt"] + (" " if p["prompt"].endswith(":") else "") + p["answer"])
        assert ids[:len(tokenizer.encode(p["prompt"]))] == tokenizer.encode(p["prompt"])  # same tokens as in text
    assert not set(generated.val) & set(generated.train)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in train_text)  # some Chinese
    assert all(corpus.DOC_SEPARATOR not in d for d in generated.train + generated.val)
    train_ids = {i for d in generated.train for i in tokenizer.encode(d)}
    assert {i for d in generated.val for i in tokenizer.encode(d)} <= train_ids


def test_user_text_is_split_into_documents_and_one_held_out():
    c = corpus.corpus_from_text("\n\n".join(f"Paragraph {i} about llamas." for i in range(20)), seed=0)
    assert len(c.val) == 2 and len(c.train) == 18 and not c.probes
    assert corpus.split_documents(c.val_text()) == c.val
    with pytest.raises(ValueError, match="at least 2"):
        corpus.corpus_from_text("only one line")


def test_full_vocab_loss_of_the_compact_model_is_the_loaded_checkpoints_loss(tmp_path, generated, tokenizer):
    """The identity the vocabulary trick rests on: compact logits plus one column log(n_unused) give exactly the
    cross-entropy of the written full-vocabulary checkpoint, as load_model reads it."""
    cfg = TrainConfig(seed=1)
    ids = [i for d in generated.train[:50] for i in tokenizer.encode(d)] + [tokenizer.bos_id, tokenizer.eos_id]
    vocab = CompactVocab(ids, cfg.params["vocab_size"])
    model = init_model(ls.config_from_params(cfg.params).replace(vocab_size=vocab.size), cfg)
    with torch.no_grad():
        for p in model.parameters():
            p.mul_(5.0).copy_(p.to(torch.bfloat16).float())  # larger logits; exactly representable in bf16
    sd = state_dict_for_meta(model, vocab)
    torch.save(sd, tmp_path / "consolidated.00.pth")
    (tmp_path / "params.json").write_text(json.dumps(cfg.params))
    full = ls.load_model(tmp_path)
    assert full.is_tied and (sd["tok_embeddings.weight"][vocab.full_ids].float() != 0).any()
    unused = torch.ones(cfg.params["vocab_size"], dtype=torch.bool)
    unused[vocab.full_ids] = False
    assert (sd["tok_embeddings.weight"][unused] == 0).all()
    tokens = torch.tensor([[tokenizer.bos_id] + tokenizer.encode(generated.train[0])])  # [1, s]
    targets = torch.cat([tokens[0, 1:], torch.tensor([tokenizer.encode(" zebra")[0] + 7])])  # last: an unused id
    assert not torch.isin(targets[-1:], vocab.full_ids).any()
    with torch.no_grad():
        expected = F.cross_entropy(full(tokens)[0], targets)
        got = full_vocab_cross_entropy(model(vocab.compact(tokens))[0], vocab.compact(targets), vocab.n_unused)
        restricted = full_vocab_cross_entropy(model(vocab.compact(tokens))[0, :-1], vocab.compact(targets[:-1]),
                                              vocab.n_unused, unused_weight=0.0)
    torch.testing.assert_close(got, expected, atol=1e-4, rtol=1e-5)
    assert restricted < got  # without the unused ids' column the loss is lower: it is not the full loss


def test_schedule_warms_up_then_decays_by_cosine():
    cfg = TrainConfig(steps=100, peak_lr=1e-2, min_lr=1e-3, warmup_steps=10)
    assert learning_rate(0.0, cfg) == pytest.approx(1e-3)  # step 0: 1/10 of the peak
    assert learning_rate(0.04, cfg) == pytest.approx(5e-3)  # step 4: 5/10
    assert learning_rate(0.09, cfg) == pytest.approx(1e-2, rel=0.03)  # step 9: the peak, cosine barely begun
    assert learning_rate(0.5, cfg) == pytest.approx((1e-2 + 1e-3) / 2)  # cos(pi/2) = 0: halfway
    assert learning_rate(1.0, cfg) == pytest.approx(1e-3)


@pytest.fixture(scope="module")
def quick_run(generated, tokenizer):
    return train(generated, tokenizer, TrainConfig(seed=0, **QUICK), progress=False)


def test_a_few_steps_lower_the_loss(quick_run):
    h = quick_run.history
    assert h["steps_done"] == QUICK["steps"] and not h["time_bound"]
    assert h["loss"][0] == pytest.approx(math.log(quick_run.vocab.n_used), abs=0.1)  # tiny logits: uniform
    first = sum(h["loss"][:5]) / 5
    assert sum(h["loss"][16:21]) / 5 < first - 0.7  # before the unused ids' column comes in at step 18
    assert h["eval_val"] == sorted(h["eval_val"], reverse=True)  # held-out, full vocabulary, every 10 steps
    assert h["eval_val"][-1] < math.log(128256) - 1.5


def test_training_is_deterministic_for_a_seed(quick_run, generated, tokenizer):
    again = train(generated, tokenizer, TrainConfig(seed=0, **QUICK), progress=False)
    assert again.history["loss"] == quick_run.history["loss"]
    for (name, a), b in zip(quick_run.model.state_dict().items(), again.model.state_dict().values()):
        assert torch.equal(a, b), name
    other = train(generated, tokenizer, TrainConfig(seed=1, steps=3, time_budget=0), progress=False)
    assert other.history["loss"][:3] != quick_run.history["loss"][:3]


def test_time_budget_compresses_the_schedule(generated, tokenizer, monkeypatch):
    from llama_scratch.training import loop

    clock = iter(range(0, 10**6))  # a fake clock: one second passes at every reading
    monkeypatch.setattr(loop, "_clock", lambda: float(next(clock)))
    cfg = TrainConfig(seed=0, steps=100_000, time_budget=40.0, eval_every=100_000)
    h = train(generated, tokenizer, cfg, progress=False).history
    assert h["time_bound"] and 10 < h["steps_done"] < 40
    assert h["progress"] == sorted(h["progress"]) and h["progress"][-1] > 0.9
    assert h["lr"][-1] < 0.2 * cfg.peak_lr and h["unused_weight"][-1] == 1.0  # decayed, full objective


@pytest.fixture(scope="module")
def quick_checkpoint(tmp_path_factory):
    return train_demo(tmp_path_factory.mktemp("trained") / "original", seed=0, steps=QUICK["steps"],
                      time_budget=0.0, progress=False)


def test_written_checkpoint_is_a_meta_checkpoint(quick_checkpoint):
    config = checkpoints.verify_checkpoint(quick_checkpoint)
    params = json.loads((quick_checkpoint / "params.json").read_text())
    assert set(params) == set(ls.LLAMA_3_2_1B_PARAMS)  # Meta's keys, nothing else
    assert config.vocab_size == 128256 and config.n_kv_heads < config.n_heads and config.use_scaled_rope
    assert config.n_layers >= 2
    sd = ls.read_state_dict(quick_checkpoint / "consolidated.00.pth")
    assert "output.weight" not in sd and all(t.dtype == torch.bfloat16 for t in sd.values())
    assert (quick_checkpoint / "tokenizer.model").read_bytes() == checkpoints.meta_tokenizer_path().read_bytes()
    assert ls.load_model(quick_checkpoint).is_tied
    assert sorted(p.name for p in quick_checkpoint.iterdir()) == sorted(
        ["consolidated.00.pth", "params.json", "tokenizer.model", "training.json", "val.txt", "probes.json",
         checkpoints.TRAINED_MARKER])
    assert not [p for p in quick_checkpoint.parent.iterdir() if p.name.startswith(".")]  # no temporary left


def test_trained_checkpoint_logits_equal_meta_and_hf(quick_checkpoint):
    check_against_peers(quick_checkpoint, 600, scale_factor=32.0)


def test_written_side_files(quick_checkpoint, generated):
    record = json.loads((quick_checkpoint / "training.json").read_text())
    for key in ("config", "steps_done", "train_seconds", "loss_curve", "eval_curve", "learned", "peak_rss_bytes"):
        assert key in record, key
    assert record["config"]["seed"] == 0 and record["steps_done"] == QUICK["steps"]
    assert len(record["loss_curve"]["loss"]) == QUICK["steps"]
    val = corpus.split_documents((quick_checkpoint / "val.txt").read_text(encoding="utf-8"))
    assert val == generated.val and not set(val) & set(generated.train)
    probes = json.loads((quick_checkpoint / "probes.json").read_text(encoding="utf-8"))
    assert probes == generated.probes and all(set(p) == {"prompt", "answer"} for p in probes)
    assert checkpoints.checkpoint_kind(quick_checkpoint) == "trained-demo"
    info = checkpoints.checkpoint_from_arg(str(quick_checkpoint))
    assert info.kind == "trained-demo" and not info.is_demo and "TRAINED DEMO" in info.banner()


def test_the_trained_demo_is_replaced_but_nothing_else_is(quick_checkpoint, tmp_path, tiny_dir):
    out = tmp_path / "original"
    text = "\n".join(f"The llama number {i} eats grass." for i in range(12))  # small: quick to measure
    train_demo(out, steps=2, text=text, time_budget=0.0, progress=False)
    first = (out / "consolidated.00.pth").read_bytes()
    train_demo(out, seed=1, steps=2, text=text, time_budget=0.0, progress=False)  # a trained demo may be rewritten
    assert (out / "consolidated.00.pth").read_bytes() != first
    assert json.loads((out / "training.json").read_text())["config"]["seed"] == 1
    real = tmp_path / "real"
    real.mkdir()
    (real / "consolidated.00.pth").write_bytes((tiny_dir / "consolidated.00.pth").read_bytes())
    with pytest.raises(ValueError, match="not a demo"):
        train_demo(real, steps=2, progress=False)
    assert sorted(p.name for p in real.iterdir()) == ["consolidated.00.pth"]


def test_ctrl_c_while_writing_leaves_nothing(tmp_path, monkeypatch):
    from llama_scratch.training import demo

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(demo, "learned_structure", interrupted)
    with pytest.raises(KeyboardInterrupt):
        train_demo(tmp_path / "original", steps=2, time_budget=0.0, progress=False)
    assert list(tmp_path.iterdir()) == []


def run_cli(capsys, *args):
    code = main(["train", *args])
    return code, capsys.readouterr().err.strip().splitlines()


@pytest.mark.parametrize("make_args,match", [
    (lambda p: ["--text", str(p / "missing.txt")], "no such file"),
    (lambda p: ["--text", str(p / "empty.txt")], "empty"),
    (lambda p: ["--text", str(p / "gbk.txt")], "not UTF-8"),
    (lambda p: ["--text", str(p)], "not a file"),
    (lambda p: ["--steps", "0"], "--steps must be an integer >= 1"),
    (lambda p: ["--steps", "many"], "--steps must be an integer >= 1, got 'many'"),
    (lambda p: ["--seed", "-3"], "--seed must be an integer >= 0"),
    (lambda p: ["--seed", "1.5"], "--seed must be an integer"),
    (lambda p: ["--time-budget", "-1"], "--time-budget must be a number >= 0"),
    (lambda p: ["--out", str(p / "empty.txt")], "is a file"),
    (lambda p: ["--out", str(p / "real")], "not a demo"),
    (lambda p: ["--out", str(p / "other")], "not empty"),
])
def test_bad_input_is_one_clear_line(tmp_path, tiny_dir, capsys, make_args, match):
    (tmp_path / "empty.txt").write_text(" \n")
    (tmp_path / "gbk.txt").write_bytes("羊驼吃草。".encode("gbk"))
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "consolidated.00.pth").write_bytes((tiny_dir / "consolidated.00.pth").read_bytes())
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("mine")
    before = sorted(str(p) for p in tmp_path.rglob("*"))
    args = make_args(tmp_path)
    out = [] if "--out" in args else ["--out", str(tmp_path / "never")]
    code, err = run_cli(capsys, *args, *out, "--quiet")
    assert code == 2 and len(err) == 1 and err[0].startswith("error: ") and match in err[0], err
    assert sorted(str(p) for p in tmp_path.rglob("*")) == before  # nothing written


@pytest.mark.slow
def test_the_trained_checkpoint_passes_the_loading_checks(trained_dir):
    config = checkpoints.verify_checkpoint(trained_dir)
    assert config.n_layers >= 2 and config.n_kv_heads < config.n_heads and config.use_scaled_rope
    assert config.vocab_size == 128256
    info = checkpoints.checkpoint_from_arg(str(trained_dir))
    assert info.kind == "trained-demo" and not info.is_demo


@pytest.mark.slow
def test_the_trained_checkpoints_logits_equal_hf_on_its_own_text(trained_dir, tokenizer):
    """The peer test on the trained weights: random ids (mostly unused ones, zero rows) and held-out text (the ids
    it was trained on, confident logits), float32, against Meta's reference and HF transformers."""
    check_against_peers(trained_dir, 600, scale_factor=32.0)
    model = ls.load_model(trained_dir)
    val = (trained_dir / "val.txt").read_text(encoding="utf-8")
    tokens = torch.tensor([[tokenizer.bos_id] + tokenizer.encode(val)[:511]])  # [1, 512]
    sd = ls.read_state_dict(trained_dir / "consolidated.00.pth")
    hf = hf_model_from_state_dict(sd, model.config)
    with torch.inference_mode():
        ours, theirs = model(tokens), hf(tokens).logits  # [1, 512, v] each
    assert ours.abs().max() > 10  # confident: a real test of the trained weights, not of zeros
    assert (ours - theirs).abs().max().item() <= ATOL  # 3.0e-5 measured, logits up to 26


@pytest.mark.slow
def test_kill_stops_training_like_ctrl_c(tmp_path):
    """SIGTERM (`kill`) ends `train` as Ctrl-C does: exit status 130, one line, nothing left in the output folder."""
    import signal
    import subprocess
    import sys
    import time

    from conftest import ROOT

    (tmp_path / "text.txt").write_text("\n".join(f"The llama number {i} eats grass." for i in range(20)))
    out = tmp_path / "out" / "original"
    proc = subprocess.Popen([sys.executable, "-m", "llama_scratch", "train", "--text", str(tmp_path / "text.txt"),
                             "--steps", "1000000", "--time-budget", "0", "--out", str(out)], cwd=ROOT,
                            stderr=subprocess.PIPE, text=True)
    seen, deadline = "", time.monotonic() + 300
    while "step/s" not in seen and time.monotonic() < deadline:  # the progress bar (no newline: read by character)
        char = proc.stderr.read(1)
        assert char, f"train ended before it started training: {seen}"
        seen += char
    proc.send_signal(signal.SIGTERM)
    err = proc.communicate(timeout=120)[1]
    assert proc.returncode == 130 and "interrupted" in err and "Traceback" not in seen + err
    assert not out.exists() and (not out.parent.exists() or not list(out.parent.iterdir()))
