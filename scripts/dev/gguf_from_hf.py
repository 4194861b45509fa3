"""Dev-time only (`npm run bench cli` with STEERSYNTH_BENCH_LLAMA_CPP): convert a steersynth checkpoint folder to a
GGUF file with llama.cpp's own converter, for the whole-process comparison against llama.cpp.

    python scripts/dev/gguf_from_hf.py LLAMA_CPP_CHECKOUT CKPT OUT.gguf

Needs a python with torch, transformers, safetensors and sentencepiece (a throwaway venv; never a project
dependency). The converter recognises a BPE tokenizer by a hash of how it splits a fixed text; the byte-level BPE
of `steersynth make-random` is not in its table, so it is declared "gpt-2" (byte-level, GPT-2 pre-tokenizer):
the 31M bench prompt tokenizes to the same ids in both (checked by the bench, which prints them).
"""
import runpy
import sys

llama_cpp, ckpt, out = sys.argv[1:4]
sys.path[:0] = [f"{llama_cpp}/gguf-py", llama_cpp]
import conversion.base as base  # noqa: E402  (llama.cpp's converter package, from the checkout)

for name in dir(base):
    cls = getattr(base, name)
    if isinstance(cls, type) and "get_vocab_base_pre" in cls.__dict__:
        cls.get_vocab_base_pre = lambda self, tokenizer: "gpt-2"
sys.argv = ["convert_hf_to_gguf.py", ckpt, "--outtype", "f32", "--outfile", out]
runpy.run_path(f"{llama_cpp}/convert_hf_to_gguf.py", run_name="__main__")
