"""Ideas that say the same thing, in the same words or in others.

What an idea says is its title and summary (``vectors.document``): the body
is long and varied, and the form that looks for duplicates has only those
two fields typed yet. Each is read as TF-IDF over its words and over the
character n-grams of its words (3 to 5 letters, so "composting" meets
"compost", "bicycle" meets "bicycles" and "vélo" meets "velo", in any
language and without a stemmer), accents folded away, and compared by
cosine similarity. Weights are learnt per content language of a challenge
(``ideas.languages``): the Spanish ideas of a challenge have their own
vocabulary and their own rare words. Text being typed is compared with each
language's ideas and the best matches of all are kept; a match counts from
``vectors.THRESHOLD`` (chosen on the labelled pairs of
``tests/data/paraphrases.jsonl``, where it found 85% of the paraphrases with
85% of its suggestions right, against 32% right for matching any word).

PostgreSQL's ``pg_trgm`` is not used: its similarity is an unweighted share
of common trigrams, which the character n-grams here already contain with
the weight of how rare each is; the labelled pairs gained nothing from it.

Where the vectors live (``index``): in each app process, one index per
challenge, built on first use from the challenge's ideas and then kept up to
date from the database, not rebuilt per request. Every read asks the
database for the challenge's change stamp (the latest ``updated_at`` of its
ideas and how many there are; an index on ``(challenge_id, updated_at)``
answers it at once), in the same query that loads the suggested ideas, so a
suggestion costs one query when nothing changed. When the stamp moved, only
the ideas changed since are read again and re-vectorised with the fitted
vocabulary; a language's vocabulary is fitted again once a share of its
ideas changed since it was fitted. Posting and editing stamp the idea
(``updated_at``), so every process sees every change on its next read,
whichever process made it, with no worker to run and nothing to invalidate.
Storing vectors in the database was the other way: every process would then
read thousands of sparse vectors per request, or cache them and need this
stamp anyway. Hiding, withdrawing and unhiding do not touch the text: the
statuses are checked in SQL when the suggested ideas are loaded.

The API (``queries``): ``like_text`` (while an idea is typed), ``like_idea``
(an idea page's "Ideas like this one") and ``challenge_vectors`` (a
challenge's ideas as rows of vectors, for grouping them into themes).
"""
