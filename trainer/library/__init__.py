"""Fine-tuning on the user's own library: pairs from what the library says about its files,
a held-out part by folder, a time budget measured on the machine, and the job the app and
``earmark finetune`` launch (``earmark-train library-finetune``)."""
