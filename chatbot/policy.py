"""When the bot answers, asks which of two answers was meant, or says it does not know.

Every threshold and margin of that decision lives here, side by side and explained, rather than
spread over the modules that apply them (as Rasa keeps its threshold and ambiguity threshold in
one place). Scores run from 0 to 100 on every knowledge base.
"""

from __future__ import annotations

# Below this score the bot says it does not know (a knowledge base's `settings: threshold:` and
# the `threshold=` arguments override it).
DEFAULT_THRESHOLD = 40.0
# The evidence at which answering is no better than not answering, as the confidence model's
# clarity sees it: a question is scored in part by how clearly it points at one intent rather
# than at several or at none, and "none" stands at this much evidence (see
# chatbot.matching.confidence).
NO_ANSWER = 40.0
# Ask "Did you mean A or B?" when the two best intents both pass the threshold and score
# within this many points of each other ...
CLARIFY_MARGIN = 2.0
# ... or, for a bare follow-up with no context to complete it ("architecture?" names no
# subject), when they differ only in the slot it leaves open and score this close.
OPEN_SLOT_MARGIN = 8.0
# A pronoun read as a slot other than the subject ("are they used in gen AI too?" after LLM
# architecture: "they" is the architecture) must raise the best score this much over the
# question read alone (0: that reading must merely be no worse).
REFERENCE_GAIN = 0.0
# A clarification is only worth asking when both choices clear the threshold by this much: a
# question the bot is unsure about should not become one for the user (it gets the first answer).
CLARIFY_ABOVE = 10.0
# ... and not when the message is (nearly) one choice's stored question word for word: rapidfuzz
# ratio of the normalised texts at least this much ...
CLARIFY_WORDED_AS = 90.0
# ... nor when the two answers say nearly the same (rapidfuzz token_set_ratio at least this
# much): either answers the question.
CLARIFY_SAME_ANSWERS = 80.0
