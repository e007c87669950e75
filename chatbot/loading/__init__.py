"""Loading: intent YAML files read into a KnowledgeBase, with errors that say where.

One room per job: `located` reads any user file within limits, `yaml_nodes` composes YAML into
nodes within limits that hold after aliases and merge keys, `paths` finds the files, `schema`
checks the intent format and builds the intents, and `loader` loads and merges them.
"""
