"""The terminal chat: the only package that imports prompt_toolkit."""
