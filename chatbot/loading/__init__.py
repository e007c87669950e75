"""Loading: intent YAML files read into a KnowledgeBase, with errors that say where."""
