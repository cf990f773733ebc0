"""The local writer against the briefing conversations in brief_corpus.py, replayed as the app does.

Run with -s to see the per-field table (bench/brief_accuracy.py prints it too).
"""

import pytest

from media_pipeline import briefs
from media_pipeline.backends.local_text import LocalTextBackend
from tests.media_pipeline.brief_corpus import (
    CORPUS,
    HOLDOUT,
    field_scores,
    replay,
    score_table,
)

pytestmark = pytest.mark.django_db

MIN_OVERALL = 0.95
MIN_PER_FIELD = 0.90
MIN_CONVERSATIONS = 40


@pytest.fixture
def played():
    return field_scores(LocalTextBackend(token_delay=0), CORPUS + HOLDOUT)


def test_the_corpus_is_large_and_every_expected_brief_is_valid():
    assert len(CORPUS) >= MIN_CONVERSATIONS
    assert len({conversation.name for conversation in CORPUS + HOLDOUT}) == len(CORPUS + HOLDOUT)
    for conversation in CORPUS + HOLDOUT:
        assert set(conversation.expected) == set(briefs.BRIEF_FIELDS), conversation.name
        assert 1 <= len(conversation.turns) <= 6, conversation.name


def test_fields_are_read_right_overall_and_for_every_field(played):
    scores, _overwrites, _reasked, _questions = played
    print("\n" + score_table(scores))

    every = [hit for hits in scores.values() for hit in hits]
    assert sum(every) / len(every) >= MIN_OVERALL
    assert {name: sum(hits) / len(hits) >= MIN_PER_FIELD for name, hits in scores.items()} == {
        name: True for name in briefs.BRIEF_FIELDS
    }


def test_no_field_once_right_is_overwritten_by_a_later_turn(played):
    _scores, overwrites, _reasked, _questions = played

    assert overwrites == []


def test_the_assistant_never_asks_for_a_field_the_brief_already_holds(played):
    _scores, _overwrites, reasked, _questions = played

    assert reasked == 0


def test_reading_a_conversation_again_changes_nothing():
    """The app may extract twice (a retry): the brief it already made must come back unchanged."""
    writer = LocalTextBackend(token_delay=0)
    for conversation in CORPUS + HOLDOUT:
        played = replay(writer, conversation)

        again = writer.extract_brief(messages=played.messages, brief=played.briefs[-1])

        assert again == played.briefs[-1], conversation.name
