"""Tiny random BERT encoders for the smoke job and tests: the real pipeline in seconds.

Spec `tiny-bert:<hidden>x<layers>` (e.g. `tiny-bert:32x1`); the WordPiece vocabulary is
trained on the job's own training texts, so no download is ever needed.
"""

from __future__ import annotations

from pathlib import Path

from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors, trainers
from transformers import BertConfig, BertModel, BertTokenizer

SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]


def parse_spec(spec: str) -> tuple[int, int]:
    try:
        hidden, layers = spec.removeprefix("tiny-bert:").split("x")
        return int(hidden), int(layers)
    except ValueError as err:
        raise ValueError(f"tiny model spec must look like 'tiny-bert:32x1', not {spec!r}") from err


def build_tiny_base(folder: Path, spec: str, texts: list[str], vocab_size: int = 2000, seed: int = 13) -> Path:
    hidden, layers = parse_spec(spec)
    if (folder / "config.json").is_file():
        return folder
    tok = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tok.normalizer = normalizers.BertNormalizer(lowercase=True)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.train_from_iterator(texts, trainers.WordPieceTrainer(vocab_size=vocab_size, special_tokens=SPECIALS))
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]",
        pair="[CLS] $A [SEP] $B:1 [SEP]:1",
        special_tokens=[("[CLS]", tok.token_to_id("[CLS]")), ("[SEP]", tok.token_to_id("[SEP]"))],
    )
    # transformers 5: BertTokenizer is the fast (tokenizers-backed) class; BertTokenizerFast is its alias.
    fast = BertTokenizer(
        tokenizer_object=tok,
        unk_token="[UNK]",
        pad_token="[PAD]",
        cls_token="[CLS]",
        sep_token="[SEP]",
        mask_token="[MASK]",
    )
    import torch

    torch.manual_seed(seed)
    config = BertConfig(
        vocab_size=tok.get_vocab_size(),
        hidden_size=hidden,
        num_hidden_layers=layers,
        num_attention_heads=max(1, hidden // 16),
        intermediate_size=hidden * 2,
        max_position_embeddings=512,
        pad_token_id=tok.token_to_id("[PAD]"),
    )
    folder.mkdir(parents=True, exist_ok=True)
    BertModel(config).save_pretrained(folder)
    fast.save_pretrained(folder)
    return folder
