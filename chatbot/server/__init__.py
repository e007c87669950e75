"""`chatbot serve`: the chat over HTTP, as an ASGI application that keeps no conversation state.

Install with `pip install 'chatbot[server]'`. Nothing here is imported by `import chatbot` or
`chatbot ask`.

Example:
    >>> from chatbot.server import create_app
    >>> app = create_app("my_intents/")   # run it with any ASGI server, or mount it
"""

from __future__ import annotations

from chatbot.server.app import create_app
from chatbot.server.service import ChatService, knowledge_version
from chatbot.server.tokens import ContextTokens, TokenError

__all__ = ["ChatService", "ContextTokens", "TokenError", "create_app", "knowledge_version"]
