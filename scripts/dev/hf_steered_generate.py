"""Dev-time baseline for `npm run bench scale` / README "Real-size checkpoints": steered greedy generation with
Hugging Face transformers + a forward hook, on the same checkpoint and token ids as `steersynth generate`.

Not a project dependency: run it from a throwaway venv (python3 -m venv /tmp/tfx && /tmp/tfx/bin/pip install
--retries 0 torch transformers safetensors), e.g. under /usr/bin/time -v for the whole-process time and peak RSS:

    python scripts/dev/hf_steered_generate.py CKPT IDS.json VECTOR.safetensors ALPHA NEW_TOKENS OUT.jsonl [THREADS]

IDS.json: equal-length token-id lists (no padding needed). VECTOR.safetensors: `direction.<layer>` [hidden]; each
× ALPHA is added to that decoder layer's output at every position (steersynth's `--positions all` at resid_post).
OUT.jsonl: one {"ids": [...]} per prompt, the generated ids (as steersynth writes them, EOS never stops: the
random checkpoints have no meaningful EOS, so both sides run NEW_TOKENS steps).
"""
import json
import sys
import time

import torch
from safetensors.torch import load_file
from transformers import AutoModelForCausalLM

ckpt, ids_file, vec_file, alpha, new_tokens, out_file = sys.argv[1:7]
threads = int(sys.argv[7]) if len(sys.argv) > 7 else 2
torch.set_num_threads(threads)
t0 = time.time()
model = AutoModelForCausalLM.from_pretrained(ckpt, dtype=torch.float32)
model.eval()
vectors = {int(k.split(".")[1]): v.float() * float(alpha) for k, v in load_file(vec_file).items()}


def hook(layer):
    def add(_module, _inputs, output):
        if isinstance(output, tuple):
            return (output[0] + vectors[layer],) + output[1:]
        return output + vectors[layer]
    return add


for layer in vectors:
    model.model.layers[layer].register_forward_hook(hook(layer))
ids = torch.tensor(json.load(open(ids_file)))
t1 = time.time()
with torch.inference_mode():
    out = model.generate(ids, attention_mask=torch.ones_like(ids), max_new_tokens=int(new_tokens), min_new_tokens=int(new_tokens),
                         do_sample=False, eos_token_id=None, pad_token_id=0)
t2 = time.time()
with open(out_file, "w") as f:
    for row in out[:, ids.shape[1]:].tolist():
        f.write(json.dumps({"ids": row}) + "\n")
print(json.dumps({"load_s": t1 - t0, "generate_s": t2 - t1}))
