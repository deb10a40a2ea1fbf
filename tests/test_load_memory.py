"""Loading converts tensor by tensor and gives back the memory-mapped file's pages as it goes."""

import sys
from pathlib import Path

import pytest
import torch

import llama_scratch as ls
from llama_scratch.checkpoints import load
from llama_scratch.core import prepack

linux_only = pytest.mark.skipif(sys.platform != "linux", reason="reads /proc/self/smaps")


def mapped_rss_bytes(path: Path) -> int:
    """Resident bytes of this process's mappings of `path` (/proc/self/smaps)."""
    total, inside = 0, False
    for line in Path("/proc/self/smaps").read_text().splitlines():
        fields = line.split()
        if fields and "-" in fields[0] and len(fields) >= 5:  # a mapping's header line
            inside = len(fields) >= 6 and fields[-1] == str(path)
        elif inside and fields and fields[0] == "Rss:":
            total += int(fields[1]) * 1024
    return total


@linux_only
def test_release_mapped_pages_drops_resident_pages_and_keeps_the_data(tmp_path):
    path = (tmp_path / "t.pth").resolve()
    original = torch.randn(2048, 4096).to(torch.bfloat16)  # 16 MiB
    torch.save({"a": original, "b": original[:16].clone()}, path)
    sd = ls.read_state_dict(path)
    assert mapped_rss_bytes(path) < 4 * 2**20  # nothing read yet
    assert torch.equal(sd["a"], original)  # reads every page of "a"
    touched = mapped_rss_bytes(path)
    assert touched > 15 * 2**20
    load.release_mapped_pages(sd["a"])
    assert mapped_rss_bytes(path) < touched - 15 * 2**20  # the pages are no longer ours
    assert torch.equal(sd["a"], original)  # a later read fetches them from the file again
    assert torch.equal(sd["b"], original[:16])


def test_load_model_releases_each_converted_tensor_once(tiny_dir, monkeypatch):
    released = []
    monkeypatch.setattr(load, "release_mapped_pages", lambda t: released.append(tuple(t.shape)))
    model = ls.load_model(tiny_dir, dtype=torch.float32)
    stored = {k: tuple(v.shape) for k, v in model.state_dict().items() if k != "output.weight"}  # tied: once
    assert sorted(released) == sorted(stored.values())


def test_load_model_keeps_the_map_when_nothing_is_converted(tiny_dir, monkeypatch):
    # bf16 -> bf16 on the CPU is zero-copy: the model's tensors *are* the mapped pages, which must stay.
    released = []
    monkeypatch.setattr(load, "release_mapped_pages", lambda t: released.append(t))
    model = ls.load_model(tiny_dir, dtype=torch.bfloat16)
    assert released == []
    assert model.dtype == torch.bfloat16


def test_non_contiguous_tensors_are_left_alone():
    # An expanded view spans far less memory than numel * element_size: releasing that range would hit other memory.
    base = torch.ones(1)
    view = base.expand(4 * 2**20)
    load.release_mapped_pages(view)
    assert base.item() == 1.0 and bool((view == 1).all())


@linux_only
@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16])
def test_prepacked_lookups_leave_the_files_pages_alone(tiny_dir, dtype):
    """A prepacked model looks its rows up in the file's memory map (prepack.StoredRows); the pages a lookup maps
    (the kernel maps whole blocks of the file) go back after it, so the table never becomes resident again."""
    path = (Path(tiny_dir) / "consolidated.00.pth").resolve()
    model = ls.load_model(tiny_dir, dtype=dtype, prepack=True)
    table = model.tok_embeddings.weight.table  # [v, d] bf16, the file's pages
    assert mapped_rss_bytes(path) < table.numel() * 2 // 8  # packing gave the pages back
    tokens = torch.randint(0, model.config.vocab_size, (4, 256), generator=torch.Generator().manual_seed(0))
    rows = model.tok_embeddings.weight.table[tokens].to(dtype)  # [4, 256, d]: reads them, before the release
    load.release_mapped_pages(table)
    released = []  # a long lookup gives the pages back every LOOKUP_ROWS rows, not once at the end
    model.tok_embeddings.weight.release = lambda t: (released.append(t), load.release_mapped_pages(t))
    assert torch.equal(ls.core.layers.embed(tokens, model.tok_embeddings.weight), rows)
    assert len(released) == tokens.numel() // prepack.LOOKUP_ROWS and released[0] is table
    assert mapped_rss_bytes(path) < table.numel() * 2 // 8  # 1,024 random rows later: still not resident
