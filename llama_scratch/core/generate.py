"""Turning next-token logits into text: greedy, temperature and top-p sampling, stop tokens, KV cache.

The decode loop reads one value back from the device per generated token, the sampled id: the prompt is checked
once as Python ints, the positions stay on the device, and sampling never asks the host (no torch.multinomial).
"""

from __future__ import annotations

import math
from typing import Iterator, Sequence

import torch

from .cache import KVCache
from .tokenizer import bos_token_id, stop_token_ids

MAX_TEMPERATURE = 100.0  # above this every token is about equally likely: almost surely a mistake


def _nucleus(logits: torch.Tensor, temperature: float, top_p: float) -> tuple[torch.Tensor, torch.Tensor]:
    """softmax(logits / temperature) sorted, most likely first, cut to the top-p nucleus and renormalised.
    logits [b, v] -> (probabilities [b, v] in sorted order, order [b, v]: the token id of each sorted slot)."""
    probs = torch.softmax(logits.float() / temperature, dim=-1)  # [b, v]
    probs_sorted, order = torch.sort(probs, dim=-1, descending=True)
    # Drop a token when the tokens strictly more likely than it already reach top_p.
    drop = probs_sorted.cumsum(dim=-1) - probs_sorted > top_p
    probs_sorted = probs_sorted.masked_fill(drop, 0.0)
    return probs_sorted / probs_sorted.sum(dim=-1, keepdim=True), order


def sampling_probabilities(logits: torch.Tensor, temperature: float = 1.0, top_p: float = 1.0) -> torch.Tensor:
    """The distribution sample_next_token draws from.  logits [b, v] -> probabilities [b, v] float32.

    Zero outside the top-p nucleus; temperature 0 (greedy) puts all the mass on the argmax. top_p may also be a
    tensor [b, 1], one value per row (several nuclei of the same logits in one sort).
    """
    if temperature == 0:
        return torch.nn.functional.one_hot(logits.argmax(dim=-1), logits.shape[-1]).float()
    probs_sorted, order = _nucleus(logits, temperature, top_p)
    return torch.zeros_like(probs_sorted).scatter(-1, order, probs_sorted)


def sample_next_token(logits: torch.Tensor, temperature: float = 0.0, top_p: float = 1.0,
                      generator: torch.Generator | None = None) -> torch.Tensor:
    """Pick one token per row.  logits [b, v] -> ids [b].

    temperature 0: argmax (greedy). Otherwise softmax(logits / temperature), keep the smallest set of most likely
    tokens whose probabilities sum to top_p (nucleus sampling), renormalise and draw. The draw is the one
    torch.multinomial makes for one sample (argmax of p / q, q ~ Exp(1): the same ids from the same generator)
    without its checks of the probabilities, which read values back from the device.
    """
    if temperature == 0:
        return logits.argmax(dim=-1)
    probs_sorted, order = _nucleus(logits, temperature, top_p)  # [b, v] each
    q = torch.empty_like(probs_sorted).exponential_(1, generator=generator)  # [b, v]
    choice = (probs_sorted / q).argmax(dim=-1, keepdim=True)  # [b, 1] index into sorted
    return order.gather(-1, choice).squeeze(-1)


def check_generation_args(model, prompt_ids, max_new_tokens, temperature, top_p, seed) -> list[int]:
    """Validate generation arguments; return the prompt as a list of ints. Raises ValueError naming the value."""
    if isinstance(prompt_ids, torch.Tensor):
        prompt_ids = prompt_ids.flatten().tolist()
    prompt_ids = list(prompt_ids)
    if not prompt_ids:
        raise ValueError(f"the prompt is empty: give at least one token id (e.g. the bos token {bos_token_id()})")
    vocab = model.config.vocab_size
    for i in prompt_ids:
        if not isinstance(i, int) or isinstance(i, bool) or not 0 <= i < vocab:
            raise ValueError(f"prompt token id {i!r} is outside the vocabulary 0..{vocab - 1}")
    if not isinstance(max_new_tokens, int) or isinstance(max_new_tokens, bool) or max_new_tokens < 0:
        raise ValueError(f"max_new_tokens must be an integer >= 0, got {max_new_tokens!r}")
    limit = model.config.max_seq_len
    if len(prompt_ids) + max_new_tokens > limit:
        raise ValueError(f"prompt ({len(prompt_ids)} tokens) + max_new_tokens ({max_new_tokens}) exceeds the "
                         f"model's maximum context of {limit} tokens; shorten the prompt or ask for fewer tokens")
    if not isinstance(temperature, (int, float)) or not math.isfinite(temperature) \
            or not 0 <= temperature <= MAX_TEMPERATURE:
        raise ValueError(f"temperature must be a number in [0, {MAX_TEMPERATURE:g}] (0 = greedy), got {temperature!r}")
    if not isinstance(top_p, (int, float)) or not 0 < top_p <= 1:
        raise ValueError(f"top_p must be in (0, 1], got {top_p!r}")
    if seed is not None and (not isinstance(seed, int) or isinstance(seed, bool) or seed < 0):
        raise ValueError(f"seed must be a non-negative integer or None, got {seed!r}")
    return prompt_ids


def generate_stream(model, prompt_ids: Sequence[int], max_new_tokens: int, temperature: float = 0.0,
                    top_p: float = 1.0, stop_tokens=None, seed: int | None = None,
                    use_cache: bool = True, fixed_shapes: bool = False) -> Iterator[int]:
    """Yield new token ids one at a time (batch of one). Stops after a stop token, which is not yielded.

    stop_tokens: None means the Llama 3 tokenizer's (tokenizer.stop_token_ids(): <|end_of_text|>, <|eom_id|>,
    <|eot_id|>); pass a tokenizer's ``stop_tokens``, your own ids, or () to never stop early.
    use_cache: with a KV cache the prompt is processed once and each step feeds one token; without it every step
    recomputes the whole sequence (same tokens, much slower: see notebook 08).
    fixed_shapes: pass each step's position as a tensor, so every decode step attends over the whole preallocated
    cache with a mask and has the same shapes (same tokens; for torch.compile(mode="reduce-overhead") / CUDA
    graphs, which record one graph per shape: notebook 09).
    """
    stop = set(stop_token_ids() if stop_tokens is None else stop_tokens)
    ids = generate_tensors(model, prompt_ids, max_new_tokens, temperature, top_p, seed, use_cache, fixed_shapes)
    return _read_until_stop(ids, stop)


def _read_until_stop(ids: Iterator[torch.Tensor], stop: set) -> Iterator[int]:
    for next_id in ids:
        token = int(next_id)  # the one read back from the device per token
        if token in stop:
            return
        yield token


def generate_tensors(model, prompt_ids: Sequence[int], max_new_tokens: int, temperature: float = 0.0,
                     top_p: float = 1.0, seed: int | None = None, use_cache: bool = True,
                     fixed_shapes: bool = False) -> Iterator[torch.Tensor]:
    """The decode loop of generate_stream without its reads: yield each new id as a tensor [1] on the model's device,
    never read back to Python, for exactly max_new_tokens steps (stopping needs the value: generate_stream does it).

    The arguments are checked here, once (the prompt as Python ints); the steps then run without a host sync.
    """
    prompt_ids = check_generation_args(model, prompt_ids, max_new_tokens, temperature, top_p, seed)  # now, not lazily
    if fixed_shapes and not use_cache:
        raise ValueError("fixed_shapes=True needs the KV cache (use_cache=True): without it every step's shape grows")
    return _decode(model, prompt_ids, max_new_tokens, temperature, top_p, seed, use_cache, fixed_shapes)


@torch.inference_mode()
def _decode(model, prompt_ids, max_new_tokens, temperature, top_p, seed, use_cache, fixed_shapes):
    device = model.device
    generator = None
    if temperature > 0:
        generator = torch.Generator(device=device)
        generator.manual_seed(seed if seed is not None else torch.seed())
    tokens = torch.tensor([prompt_ids], dtype=torch.long, device=device)  # [1, s]
    cache = KVCache(model.config, 1, len(prompt_ids) + max_new_tokens, device, model.dtype) if use_cache else None
    new = tokens  # what the cache has not seen yet: the prompt, then one token [1, 1] per step
    pos = torch.zeros(1, dtype=torch.long, device=device) if fixed_shapes else 0  # positions the cache holds
    for _ in range(max_new_tokens):  # ids and lengths were checked above: forward need not read them back
        if use_cache:
            logits = model(new, start_pos=pos, cache=cache, last_only=True, check=False)  # [1, 1, v]
            pos = pos + new.shape[1]  # a new tensor on the device with fixed shapes, an int otherwise
        else:
            logits = model(tokens, last_only=True, check=False)  # [1, 1, v]: the whole sequence again
        next_id = sample_next_token(logits[:, -1], temperature, top_p, generator)  # [1]
        yield next_id
        new = next_id[:, None]  # [1, 1], a fresh tensor every step (same shape and strides)
        if not use_cache:
            tokens = torch.cat([tokens, new], dim=1)  # [1, s + 1]


def generate(model, prompt_ids: Sequence[int], max_new_tokens: int, temperature: float = 0.0, top_p: float = 1.0,
             stop_tokens=None, seed: int | None = None, use_cache: bool = True, fixed_shapes: bool = False
             ) -> list[int]:
    """The new token ids after prompt_ids (a list, without the stop token). See generate_stream."""
    return list(generate_stream(model, prompt_ids, max_new_tokens, temperature=temperature, top_p=top_p,
                                stop_tokens=stop_tokens, seed=seed, use_cache=use_cache, fixed_shapes=fixed_shapes))
