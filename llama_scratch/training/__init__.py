"""Training a tiny Llama 3 on the CPU: a generated corpus, the training loop, and the trained demo checkpoint
(`python -m llama_scratch train`).

The model is the package's own Llama (the same layer functions as inference); the result is a checkpoint in Meta's
format with Meta's tokenizer and full vocabulary, loadable by load_model like any other.
"""

from .batches import Batches, document_stream
from .corpus import Corpus, corpus_from_text, generate_corpus, read_text_file, split_documents
from .demo import summary, train_demo
from .loop import TRAINED_PARAMS, TrainConfig, TrainResult, config_record, learning_rate, train
from .vocab import CompactVocab, full_vocab_cross_entropy
from .write import full_vocab_model, load_trained, write_trained_checkpoint
