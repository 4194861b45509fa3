"""What transformers decodes when tokenizer_config.json omits (or sets) clean_up_tokenization_spaces.

A developer's script, never a project dependency: it writes tests/fixtures/tokenizer-cleanup/, which
tests/checkpoint/tokenizer-cleanup.test.ts holds lib/checkpoint/tokenizer.ts to.

    python3 -m venv /tmp/tfx && /tmp/tfx/bin/pip install --retries 0 transformers
    /tmp/tfx/bin/python scripts/dev/make_cleanup_fixtures.py

Two tokenizers are trained with the `tokenizers` library on a few sentences full of the patterns the cleanup
rewrites (" ." " ," " n't" " 's" ...): a WordPiece one (BERT-style, where the cleanup was designed to apply) and a
byte-level BPE one. For each, three tokenizer_config.json variants (flag absent, true, false) are loaded with
AutoTokenizer from disk and a fixed list of sentences is encoded and decoded; expected.json records the texts.
"""

import json
import shutil
from pathlib import Path

import transformers
from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, trainers
from transformers import AutoTokenizer

ROOT = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "tokenizer-cleanup"
CORPUS = [
    "I don't know , it's fine . Isn't it ?",
    "We're here ! You've seen it , haven't you ?",
    "I'm sure . The cat's toy is ' red ' .",
]
TEXTS = ["I don't know , it's fine .", "We're here ! You've seen it ?", "I'm sure . The cat's toy is ' red ' ."]


def wordpiece() -> Tokenizer:
    tok = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tok.normalizer = normalizers.Lowercase()
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.decoder = decoders.WordPiece(prefix="##", cleanup=False)
    tok.train_from_iterator(CORPUS, trainers.WordPieceTrainer(vocab_size=200, special_tokens=["[UNK]", "[PAD]"]))
    return tok


def bpe() -> Tokenizer:
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    tok.train_from_iterator(CORPUS, trainers.BpeTrainer(vocab_size=300, initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), special_tokens=["<pad>"]))
    return tok


def main() -> None:
    shutil.rmtree(ROOT, ignore_errors=True)
    cases = []
    for kind, build in (("wordpiece", wordpiece), ("bpe", bpe)):
        tok = build()
        for flag in ("absent", True, False):
            name = f"{kind}-{flag}".lower()
            folder = ROOT / name
            folder.mkdir(parents=True)
            tok.save(str(folder / "tokenizer.json"))
            config = {"tokenizer_class": "PreTrainedTokenizerFast"}
            if flag != "absent":
                config["clean_up_tokenization_spaces"] = flag
            (folder / "tokenizer_config.json").write_text(json.dumps(config, indent=2) + "\n")
            hf = AutoTokenizer.from_pretrained(str(folder))
            for text in TEXTS:
                ids = hf(text, add_special_tokens=False)["input_ids"]
                cases.append({"folder": name, "ids": ids, "decoded": hf.decode(ids)})
    (ROOT / "expected.json").write_text(json.dumps({"transformers": transformers.__version__, "cases": cases}, indent=2) + "\n")
    print(f"wrote {len(cases)} cases to {ROOT}")


if __name__ == "__main__":
    main()
