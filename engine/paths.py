"""Where Earmark keeps its data, cache, config and logs.

The platform's user directories by default; one environment variable (or the
CLI's ``--home``) moves all of them under a single folder, which is what tests
and portable installs want.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "earmark"
HOME_ENV = "EARMARK_HOME"


@dataclass(frozen=True)
class AppPaths:
    data: Path
    cache: Path
    config: Path
    logs: Path

    @property
    def index(self) -> Path:
        """The LanceDB database folder."""
        return self.data / "index.lance"

    @property
    def settings_file(self) -> Path:
        return self.config / "settings.json"

    @property
    def models(self) -> Path:
        """Downloaded and user-trained model checkpoints."""
        return self.data / "models"

    def ensure(self) -> AppPaths:
        for folder in (self.data, self.cache, self.config, self.logs):
            folder.mkdir(parents=True, exist_ok=True)
        return self


def app_paths(home: str | os.PathLike | None = None) -> AppPaths:
    """Resolve the folders: an explicit ``home``, else ``$EARMARK_HOME``, else the platform's."""
    home = home or os.environ.get(HOME_ENV)
    if home:
        root = Path(home).expanduser().resolve()
        return AppPaths(root / "data", root / "cache", root / "config", root / "logs")
    return AppPaths(
        Path(platformdirs.user_data_dir(APP_NAME)),
        Path(platformdirs.user_cache_dir(APP_NAME)),
        Path(platformdirs.user_config_dir(APP_NAME)),
        Path(platformdirs.user_log_dir(APP_NAME)),
    )
