"""How well the local writer fills the brief from the conversations in the test corpus.

    .venv/bin/python bench/brief_accuracy.py

Replays every conversation in tests/media_pipeline/brief_corpus.py turn by turn (reply, then
extract, as the app does) and prints the accuracy per field, the fields a later turn overwrote
after they were right, and how often the assistant asked again for something already given.
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ["DATABASE_URL"] = "sqlite://:memory:"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from media_pipeline.backends.local_text import LocalTextBackend  # noqa: E402
from tests.media_pipeline.brief_corpus import (  # noqa: E402
    CORPUS,
    HOLDOUT,
    Conversation,
    field_scores,
    score_table,
)


def main() -> None:
    call_command("migrate", verbosity=0)  # extract_brief meters its calls into the database
    writer = LocalTextBackend(token_delay=0)
    for title, corpus in (("corpus", CORPUS), ("held-out", HOLDOUT)):
        report(title, corpus, writer)


def report(title: str, corpus: tuple[Conversation, ...], writer: LocalTextBackend) -> None:
    scores, overwrites, reasked, questions = field_scores(writer, corpus)
    print(f"\n== {title}: {len(corpus)} conversations\n")
    print(score_table(scores))
    print(f"\nfields overwritten after they were right: {len(overwrites)}")
    for overwrite in overwrites:
        print(f"  {overwrite}")
    print(f"replies asking again for a settled field: {reasked} of {questions}")


if __name__ == "__main__":
    main()
