"""Measuring what a model learned: plain functions over tensors and a model. The residual stream and the logit lens,
attention stage by stage, held-out loss against unigram/bigram baselines, previous-token and induction head scores,
the copy test, and greedy answers to probes. Notebooks 05, 07 and 10, the views, the tests and the train command
use them."""

from .attention import AttentionStages, attention_stages
from .baselines import bigram_entropy, text_baselines, unigram_entropy
from .evaluate import IGNORE, answer_probes, cross_entropy_sum, document_windows, held_out_loss, pad_batch, \
    probe_accuracy
from .heads import best_head, copy_losses, head_scores, induction_scores, previous_token_scores, repeated_sequences
from .lens import Lens, logit_lens
from .report import COPY_SEQUENCES, COPY_SPAN, corpus_token_pool, learned_structure
from .residual import prompt_angles, residual_stream
