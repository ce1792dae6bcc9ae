"""The knowledge library ("buone pratiche"): articles with history, documents, comments, useful marks."""
