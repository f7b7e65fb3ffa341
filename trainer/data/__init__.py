"""Training data: manifests in several published layouts, decoding, a log-mel cache, loaders."""
