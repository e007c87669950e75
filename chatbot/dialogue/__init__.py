"""Dialogue: one user's conversation, the follow-up rules and the replies they build."""
