"""PyInstaller's entry script: the bundle starts the app exactly as ``earmark-app`` does."""

import sys

from app.main import main

if __name__ == "__main__":
    sys.exit(main())
