"""Matching: from a question's text to the intents that answer it, scored and explained."""
