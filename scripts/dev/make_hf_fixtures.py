"""Tiny random Hugging Face checkpoints + the activations transformers computes for them.

A developer's script, never a project dependency: it writes the committed fixtures under tests/fixtures/hf/
that tests/reference/hf-parity.test.ts checks the checkpoint loader and the reference forward against.

    python3 -m venv .venv && .venv/bin/pip install --retries 0 torch transformers safetensors
    .venv/bin/python scripts/dev/make_hf_fixtures.py

For each architecture: a tiny model built from its Config class with every parameter drawn at O(1) scale (the
default 0.02 init would make attention almost uniform and hide mask, RoPE and softcap errors), saved with
save_pretrained (safetensors), reloaded from disk, and run in fp32 with eager attention on a left-padded batch.
expected.safetensors holds input_ids [B,T], attention_mask [B,T], position_ids [B,T], logits [B,T,V] and, per
decoder layer l, the hook sites of lib/arch/spec.ts taken with forward (pre-)hooks: resid_pre.<l> (the layer's
input), attn_out.<l> [B,T,nHeads*headDim] (the input of the output projection), resid_mid.<l> (the input of the
pre-MLP norm) and resid_post.<l> (the layer's output — not hidden_states[-1], which transformers returns after
the final norm).
"""

import json
import shutil
from pathlib import Path

import torch
import transformers
from safetensors.torch import save_file
from transformers import (AutoModelForCausalLM, Gemma2Config, GPT2Config, LlamaConfig, MistralConfig,
                          Qwen2Config)

ROOT = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "hf"
VOCAB, HIDDEN, LAYERS, HEADS, HEAD_DIM, INTERMEDIATE = 96, 32, 2, 4, 8, 64
LENGTHS = [10, 7]  # the second sample is left-padded by 3
PAD = 0


def common(**extra):
    return dict(vocab_size=VOCAB, hidden_size=HIDDEN, num_hidden_layers=LAYERS, num_attention_heads=HEADS,
                head_dim=HEAD_DIM, intermediate_size=INTERMEDIATE, max_position_embeddings=512,
                bos_token_id=1, eos_token_id=2, pad_token_id=PAD, **extra)


CONFIGS = {
    # GQA (4 query heads on 2 kv heads) and llama3 rope scaling whose three wavelength regimes all occur at
    # head_dim 8 (wavelengths 6.3, 63, 628, 6283 against 32 and 256).
    "llama": LlamaConfig(**common(num_key_value_heads=2, rope_parameters={
        "rope_type": "llama3", "rope_theta": 10000.0, "factor": 8.0, "low_freq_factor": 1.0,
        "high_freq_factor": 8.0, "original_max_position_embeddings": 256})),
    # q/k/v biases, tied embeddings, linear rope scaling (written in transformers 5's rope_parameters form).
    "qwen2": Qwen2Config(**common(num_key_value_heads=2, tie_word_embeddings=True, rope_parameters={
        "rope_type": "linear", "rope_theta": 1000.0, "factor": 2.0})),
    # sliding window 4 on every layer, shorter than the 10-token sequence
    "mistral": MistralConfig(**common(num_key_value_heads=1, sliding_window=4)),
    # sliding window on even layers, tanh softcaps that bite at this scale, query_pre_attn_scalar ≠ head_dim,
    # sandwich norms with (1 + w) weights, embeddings × sqrt(hidden)
    "gemma2": Gemma2Config(**common(num_key_value_heads=2, sliding_window=4, query_pre_attn_scalar=16,
                                    attn_logit_softcapping=2.0, final_logit_softcapping=3.0)),
    # LayerNorm, learned positions, Conv1D weights, fused c_attn, biases everywhere, tied embeddings
    "gpt2": GPT2Config(vocab_size=VOCAB, n_embd=HIDDEN, n_layer=LAYERS, n_head=HEADS, n_positions=32,
                       n_inner=INTERMEDIATE, bos_token_id=VOCAB - 1, eos_token_id=VOCAB - 1),
}


def randomise(model, arch, gen):
    """Every parameter at O(1) scale; norm weights around their identity (0 for Gemma's 1 + w)."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            if p.dim() == 1:
                is_norm_weight = name.endswith("weight")
                base = 0.0 if arch == "gemma2" or not is_norm_weight else 1.0
                p.copy_(base + 0.2 * torch.randn(p.shape, generator=gen))
            else:
                p.copy_(0.25 * torch.randn(p.shape, generator=gen))


def legacy_rope_config(model_dir):
    """Rewrite rope_parameters as rope_theta + rope_scaling, the form of real Llama 3.x config.json files."""
    path = model_dir / "config.json"
    cfg = json.loads(path.read_text())
    rope = cfg.pop("rope_parameters")
    cfg["rope_theta"] = rope.pop("rope_theta")
    cfg["rope_scaling"] = rope
    path.write_text(json.dumps(cfg, indent=2, sort_keys=True) + "\n")


def batch(gen):
    T = max(LENGTHS)
    ids = torch.full((len(LENGTHS), T), PAD, dtype=torch.long)
    mask = torch.zeros((len(LENGTHS), T), dtype=torch.long)
    for b, n in enumerate(LENGTHS):
        ids[b, T - n:] = torch.randint(3, VOCAB - 1, (n,), generator=gen)
        mask[b, T - n:] = 1
    # Hugging Face's own rule for left padding (as in generate): position_ids = cumsum(mask) - 1, pads at 1.
    pos = (mask.cumsum(-1) - 1).masked_fill(mask == 0, 1)
    return ids, mask, pos


def decoder_layers(model):
    return model.transformer.h if hasattr(model, "transformer") else model.model.layers


def site_modules(layer):
    """(module whose input is attn_out: the output projection, module whose input is resid_mid: the pre-MLP norm)."""
    if hasattr(layer, "attn"):  # GPT-2 block
        return layer.attn.c_proj, layer.ln_2
    return layer.self_attn.o_proj, getattr(layer, "pre_feedforward_layernorm", None) or layer.post_attention_layernorm


def run(model, ids, mask, pos):
    captured = {}

    def keep(key, x):
        captured[key] = x.detach().clone()

    handles = []
    for l, layer in enumerate(decoder_layers(model)):
        o_proj, pre_mlp_norm = site_modules(layer)
        handles += [
            layer.register_forward_pre_hook(
                lambda _m, args, kwargs, l=l: keep(f"resid_pre.{l}", args[0] if args else kwargs["hidden_states"]),
                with_kwargs=True),
            o_proj.register_forward_pre_hook(lambda _m, args, l=l: keep(f"attn_out.{l}", args[0])),
            pre_mlp_norm.register_forward_pre_hook(lambda _m, args, l=l: keep(f"resid_mid.{l}", args[0])),
            layer.register_forward_hook(
                lambda _m, _args, output, l=l: keep(f"resid_post.{l}", output[0] if isinstance(output, tuple) else output)),
        ]
    with torch.no_grad():
        logits = model(input_ids=ids, attention_mask=mask, position_ids=pos).logits
    for h in handles:
        h.remove()
    return {"input_ids": ids, "attention_mask": mask, "position_ids": pos, "logits": logits.float(), **captured}


def make(name, arch, config, dtype, seed):
    gen = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    model = AutoModelForCausalLM.from_config(config, attn_implementation="eager").float()
    model.config.architectures = [type(model).__name__]
    randomise(model, arch, gen)
    out = ROOT / name
    shutil.rmtree(out, ignore_errors=True)
    model_dir = out / "model"
    model.to(dtype).save_pretrained(model_dir, safe_serialization=True)
    if arch == "llama":
        legacy_rope_config(model_dir)
    reloaded = AutoModelForCausalLM.from_pretrained(model_dir, attn_implementation="eager", dtype=torch.float32).eval()
    inputs = batch(gen)
    tensors = run(reloaded, *inputs)
    if dtype == torch.float32:
        # The files on disk (a rewritten config.json included) must mean to transformers what the model in memory
        # is. (Not checked for bf16: .to(bf16) also rounds the in-memory rotary frequencies, a reload does not.)
        in_memory = run(model.eval(), *inputs)["logits"]
        real = inputs[1].bool()
        assert torch.allclose(tensors["logits"][real], in_memory[real], atol=1e-5), f"{name}: reloaded model differs"
    save_file({k: v.contiguous() for k, v in tensors.items()}, str(out / "expected.safetensors"),
              # one key: safetensors writes several in no fixed order, which would make reruns differ byte-wise
              metadata={"source": f"{arch} stored as {str(dtype).replace('torch.', '')}; torch {torch.__version__}, "
                                  f"transformers {transformers.__version__}"})
    size = sum(f.stat().st_size for f in out.rglob("*") if f.is_file())
    print(f"{name}: {size / 1024:.0f} KiB")


def main():
    for i, (arch, config) in enumerate(CONFIGS.items()):
        make(arch, arch, config, torch.float32, seed=100 + i)
    # A bfloat16-stored Llama: exercises dtype conversion; transformers' own fp32 upcast gives the expected values.
    make("llama-bf16", "llama", CONFIGS["llama"], torch.bfloat16, seed=200)
    (ROOT / "README.md").write_text(README.format(torch=torch.__version__, transformers=transformers.__version__))


README = """# Hugging Face parity fixtures

Generated by `scripts/dev/make_hf_fixtures.py` with torch {torch} and transformers {transformers} (CPU, fp32,
eager attention). Each folder holds a tiny random checkpoint (`model/`: config.json + model.safetensors, as
`save_pretrained` writes them) and `expected.safetensors`:

| tensor | shape | meaning |
|---|---|---|
| input_ids | [B, T] int64 | a left-padded batch (pad id 0) |
| attention_mask | [B, T] int64 | 1 = real token |
| position_ids | [B, T] int64 | cumsum(mask) - 1 (pads at 1, never read) |
| logits | [B, T, V] f32 | the model's logits |
| resid_pre.<l> | [B, T, H] f32 | input of decoder layer l (forward pre-hook) |
| attn_out.<l> | [B, T, nHeads*headDim] f32 | per-head attention outputs, head-major: the input of the output projection |
| resid_mid.<l> | [B, T, H] f32 | after the attention residual add: the input of the pre-MLP norm (ln_2 / post_attention_layernorm / Gemma 2's pre_feedforward_layernorm) |
| resid_post.<l> | [B, T, H] f32 | output of decoder layer l (forward hook), before the final norm |

Folders: llama (GQA, llama3 rope scaling, config in the legacy rope_theta + rope_scaling form of real Llama 3
files), qwen2 (q/k/v biases, tied embeddings, linear rope scaling in transformers 5's rope_parameters form),
mistral (sliding window 4 on all layers), gemma2 (sliding window 4 on even layers, softcaps,
query_pre_attn_scalar 16 ≠ head_dim 8, sandwich norms), gpt2 (LayerNorm, learned positions, Conv1D),
llama-bf16 (the llama setup stored in bfloat16; expected values are transformers' fp32 run of the upcast weights).
All parameters are drawn at O(1) scale so attention is far from uniform. Regenerate with the command above; the
values change only when torch's random streams or the transformers implementations change.
"""

if __name__ == "__main__":
    main()
