"""English function words: the words that hold a question together rather than say what it is about.

Matching weighs words by how rare they are in the knowledge base, which a small knowledge base
estimates badly: in a FAQ of twenty entries "tell" or "me" may be as rare as "invoice". These
words are known to be grammar, not subject, so their weight is discounted (see
`FUNCTION_WORD_WEIGHT` where it is used). The list is our own: pronouns, determiners,
auxiliaries, prepositions, conjunctions, question words and a few fillers of chat, after
normalisation (lower case, contractions expanded) and stemming.
"""

from __future__ import annotations

from chatbot.matching.text import stem

_LINES = (
    "a an the this that these those some any each every all both either neither no not none",
    "i me my mine myself we us our ours you your yours yourself he him his she her hers it its",
    "they them their theirs one ones",
    "is am are was were be been being do does did doing done have has had having",
    "will would shall should can could may might must ought",
    "to of in on at by for with from about into onto over under up down out off than then",
    "as so if or and but nor yet because while when where why how what which who whom whose",
    "there here now just also too very really quite rather much many more most less least",
    "please thanks thank hi hello hey ok okay oh um uh hmm well like",
    "tell say said let get got go going know want need way thing things",
)

FUNCTION_WORDS = frozenset(stem(word) for line in _LINES for word in line.split())
