"""Cacophony (cacophony.txt): a ViT over 16x16 log-mel patches, trained MAE-first, then
contrastive + captioning. The module definitions here serve both the app and the trainer."""

from engine.models.cacophony.config import CacophonyConfig, get_config, list_configs
from engine.models.cacophony.model import Cacophony

__all__ = ["Cacophony", "CacophonyConfig", "get_config", "list_configs"]
