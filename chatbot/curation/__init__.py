"""Curation: tools that tell curators what collides, fails or is missing in their intent files."""
