"""Typo correction: towards the knowledge base's words, sparing and reading declared words."""

from __future__ import annotations

from chatbot import Intent, KnowledgeBase, Matcher
from chatbot.matching.speller import Speller
from chatbot.matching.text import stem

BANK = KnowledgeBase.of(
    [
        Intent(id="balance", questions=("what is my account balance",), answer="."),
        Intent(id="pin", questions=("what is the way to change my pin",), answer="."),
    ]
)


def test_typos_are_corrected_towards_the_vocabulary_and_remembered():
    speller = Speller(["what", "account", "balance", "change", "pin"], declared=())
    assert speller.correct("balanse") == "balance"
    assert speller.correct("balanse") == "balance"  # now from the cache
    assert speller.correct("xylophone") == "xylophone"
    assert speller.correct("pin") == "pin"  # too short to correct
    assert Matcher(BANK).read("acount balanse").terms == (stem("account"), stem("balance"))


def test_a_query_says_which_words_it_corrected():
    query = Matcher(BANK).read("my acount balanse")
    assert query.corrections == (("acount", "account"), ("balanse", "balance"))
    assert query.text == "my acount balanse"


def test_kept_words_are_also_given_as_typed():
    matcher = Matcher(BANK)
    query = matcher.read("chnge my pin", keep=frozenset({"chnge"}))
    assert query.words == ("change", "my", "pin")  # what matching reads
    assert query.spared_words == ("chnge", "my", "pin")  # what the caller reads itself
    plain = matcher.read("change my pin", keep=frozenset({"chang"}))
    assert plain.spared_words is plain.words


def test_words_naming_entity_values_are_never_corrected_away():
    knowledge = KnowledgeBase(
        intents=(Intent(id="greeting", questions=("hey bot",), answer="Hi."),),
        entities={"subject": {"both": ("both", "comparison")}},
    )
    matcher = Matcher(knowledge)
    # No question says "both", but the curator declared it: it is not a typo for "bot".
    assert matcher.read("both").words == ("both",)
    assert matcher.read("comparisn").words == ("comparison",)
    assert [mention.value for mention in matcher.read("the comparisn").mentions] == ["both"]


def test_a_question_word_misspelling_a_declared_word_reads_as_that_word():
    knowledge = KnowledgeBase(
        intents=(
            Intent(id="gen", questions=("what is generativ ai", "define generative ai"), answer=""),
            Intent(id="data", questions=("what data do you use", "data sources"), answer=""),
        ),
        synonyms={"genai": ("generative ai",)},
    )
    matcher = Matcher(knowledge)
    # The curator's typo variant still names generative AI, so synonyms apply to it ...
    assert matcher.read("is generativ ai new").words == ("is", "genai", "new")
    # ... while known words that misspell nothing declared stay as they are.
    assert matcher.read("data sources").words == ("data", "sources")


def test_swapped_and_doubled_letters_are_corrected():
    speller = Speller(["pillows", "address", "form", "what", "wait", "cancel"], declared=())
    assert speller.correct("pliiows") == "pillows"  # a swap and a doubled letter
    assert speller.correct("adress") == "address"
    assert speller.correct("addresss") == "address"
    assert speller.correct("fomr") == "form"  # a swap in a short word
    assert speller.correct("waht") == "what"  # one swap, not one wrong letter ("wait")
    # A word whose stem is a known word's stem is left alone: it is the same term already.
    assert speller.correct("cancell") == "cancell"
    assert speller.correct("aaaa") == "aaaa"  # one letter once squeezed


def test_the_first_letter_is_corrected_only_when_swapped_with_the_second():
    speller = Speller(["what", "please", "count", "price", "later"], declared=())
    assert speller.correct("hwat") == "what"
    assert speller.correct("lpease") == "please"
    assert speller.correct("acount") == "acount"  # not "count": a dropped first letter
    assert speller.correct("rice") == "rice"  # too short, and "price" is another word
    assert speller.correct("water") == "water"  # not "later": a different first letter


def test_inflections_of_known_words_are_left_to_the_stemmer():
    speller = Speller(["answer", "month", "show"], declared=())
    assert speller.correct("answers") == "answers"
    assert speller.correct("months") == "months"
    assert speller.correct("shows") == "shows"


def test_words_differing_in_doubled_letters_are_read_as_typed():
    speller = Speller(["filing", "filling"], declared=())
    assert speller.correct("fiiling") == "filing"
    assert speller.correct("filllling") == "filling"
    # Only doubled letters are undone, never the doubles of the word typed.
    assert Speller(["cancel"], declared=()).correct("channel") == "channel"


THANKS = KnowledgeBase.of(
    [
        Intent(id="thanks", questions=("thank you", "thanks a lot"), answer="You're welcome."),
        Intent(id="reset", questions=("how do i reset my password",), answer="."),
        Intent(id="sign", questions=("can i sign in with a pass key",), answer="."),
        Intent(id="away", questions=("is there a way to go away",), answer="."),
    ]
)


def test_run_together_words_are_read_apart():
    matcher = Matcher(THANKS)
    query = matcher.read("Thankyou!")
    assert query.words == ("thank", "you")
    assert query.corrections == (("thankyou", "thank you"),)
    assert matcher.rank("thankyou")[0].score == matcher.rank("thank you")[0].score


def test_words_typed_apart_are_read_together_when_one_is_unknown():
    matcher = Matcher(THANKS)
    query = matcher.read("reset my pass word")  # "pass" is known, "word" is not
    assert query.words == ("reset", "my", "password")
    assert query.corrections == (("pass word", "password"),)
    assert matcher.match("reset my pass word").intent.id == "reset"
    # Two known words stay apart even when they spell a known word.
    assert matcher.read("is there a way").words == ("is", "there", "a", "way")


def test_short_parts_are_neither_split_off_nor_joined():
    speller = Speller(["in", "sure", "for", "get", "a", "away"], declared=())
    assert speller.correct("insure") == "insure"  # "in" is too short to split off
    assert speller.correct("forget") == "for get"  # three letters are enough
    assert speller.readings(["a", "way"]) == [("a", "a"), ("way", "way")]


def test_kept_words_stay_apart_as_typed():
    matcher = Matcher(THANKS)
    query = matcher.read("thankyou and pass word", keep=frozenset({"thankyou"}))
    assert query.words == ("thank", "you", "and", "password")
    assert query.spared_words == ("thankyou", "and", "password")


def test_a_word_of_its_own_is_not_read_as_a_longer_word():
    speller = Speller(["transformer", "architecture"], declared=())
    # Three letters more is a different word, not a typo: "transfer 100 euros" is no question
    # about transformers.
    assert speller.correct("transfer") == "transfer"
    assert speller.correct("transformr") == "transformer"
