"""All the learned-structure numbers of a model at once (what training.json records and the tests assert)."""

from __future__ import annotations

from .baselines import text_baselines
from .evaluate import answer_probes, held_out_loss, probe_accuracy
from .heads import best_head, copy_losses, head_scores, repeated_sequences

COPY_SPAN = 20  # tokens per random span in the copy test
COPY_SEQUENCES = 32


def corpus_token_pool(tokenizer, docs: list[str]) -> list[int]:
    """The ordinary (non-special) ids the documents use, sorted: what the copy test draws its spans from."""
    return sorted({i for d in docs for i in tokenizer.encode(d) if i < tokenizer.bos_id})


def learned_structure(model, tokenizer, val_docs: list[str], probes: list[dict], seq_len: int = 128,
                      seed: int = 0) -> dict:
    """Held-out loss against the unigram and bigram baselines of the held-out text, the copy test, the best
    previous-token and induction heads, and the probe answers; floats and lists only (JSON-ready)."""
    loss = held_out_loss(model, tokenizer, val_docs, seq_len)
    base = text_baselines(tokenizer, val_docs, seq_len)
    seqs = repeated_sequences(corpus_token_pool(tokenizer, val_docs), COPY_SEQUENCES, COPY_SPAN, tokenizer.bos_id,
                              seed=seed)
    first, second = copy_losses(model, seqs, COPY_SPAN)
    scores = head_scores(model, seqs, COPY_SPAN)
    answers = answer_probes(model, tokenizer, probes)
    prev, ind = best_head(scores["previous_token"]), best_head(scores["induction"])
    return {
        "held_out_loss": loss, "unigram_entropy": base["unigram"], "bigram_entropy": base["bigram"],
        "held_out_tokens": base["tokens"], "loss_over_unigram": loss / base["unigram"],
        "copy_span": COPY_SPAN, "copy_first_loss": first, "copy_second_loss": second,
        "copy_ratio": second / first,
        "best_previous_token_head": {"layer": prev[0], "head": prev[1], "score": prev[2]},
        "best_induction_head": {"layer": ind[0], "head": ind[1], "score": ind[2]},
        "previous_token_scores": scores["previous_token"].tolist(), "induction_scores": scores["induction"].tolist(),
        "probe_accuracy": probe_accuracy(answers) if answers else None, "probes": answers,
    }
