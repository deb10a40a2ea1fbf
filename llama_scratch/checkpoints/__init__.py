"""Checkpoints on disk: reading and validating Meta's original/ files, loading a model, finding a checkpoint, demo
checkpoints, the published models, and conversion to Hugging Face's format (hf). The download (download, hubs) is
imported by the command that runs it. Imports only the core below it."""

from . import hf  # conversion to HF's names; transformers is imported by the functions that need it
from .demo import DEMO_MARKER, DEMO_PARAMS, demo_checkpoint_dir, ensure_demo_checkpoint, is_demo_checkpoint, \
    make_demo_checkpoint, meta_tokenizer_path, random_state_dict
from .kinds import CHECKPOINT_KINDS, TRAINED_DEMO, TRAINED_MARKER, checkpoint_kind, find_trained_demo, \
    trained_demo_dir
from .find import ENV_CHECKPOINT, REAL_CHECKPOINTS, CheckpointInfo, checkpoint_from_arg, find_checkpoint
from .load import load_model, release_mapped_pages, resolve_device, resolve_dtype
from .models import LLAMA_3_1_8B_PARAMS, LLAMA_3_2_1B_PARAMS, LLAMA_3_2_3B_PARAMS, RELEASES, Release
from .paths import golden_path, project_root, weights_dir, write_atomically
from .read import CHECKPOINT_FILES, WEIGHTS_FILE, check_checkpoint_dir, check_state_dict, load_tokenizer, \
    open_checkpoint, read_state_dict, verify_checkpoint
