"""The project's exception types: one per kind of problem, each message naming the file or value and the fix."""


class CheckpointError(ValueError):
    """A checkpoint directory, params.json, consolidated.00.pth or tokenizer.model is missing or malformed."""
