"""The fine-tuned encoder extractor, a joint span model (SpERT-style): whole-word spans
classified as drug, dose, adverse event, route, frequency or duration, and a pair
classifier for drug–event and drug–dose, on one pretrained encoder (all-MiniLM-L6-v2
unless another is given). Imports torch and transformers."""

from extract.finetune.encoder.extractor import EncoderExtractor, load_encoder_extractor
from extract.finetune.encoder.trainer import ENCODER_DEFAULTS, train_encoder

__all__ = ["ENCODER_DEFAULTS", "EncoderExtractor", "load_encoder_extractor", "train_encoder"]
