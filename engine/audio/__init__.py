"""Reading sound files: decoding to model-ready mono audio, technical facts, metadata, names."""
