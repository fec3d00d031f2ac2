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
``vectors.THRESHOLD``, chosen on the 162 labelled pairs of
``tests/data/paraphrases.jsonl`` (English, Spanish, French, Arabic; most
negatives on the same topic as their pair): shown five suggestions at most, it finds
83% of the paraphrases and 89% of the pairs it finds are paraphrases, where
matching any word (the method it replaced) found 96% but only 67% right.

PostgreSQL's ``pg_trgm`` is not used. On the same pairs, its ``similarity``
alone classified the pairs worse (best F1 0.81: precision 0.85, recall 0.77,
against 0.85: 0.86 and 0.84 for the cosine here, each at its best threshold),
and the mean of both gained 0.004 of F1, within noise, for a second measure
that SQLite does not have.

Where the vectors live (``index``): in each app process, one index per
challenge, built from the challenge's ideas and then kept up to date from
the database, not rebuilt per request. A process builds those of the
challenges open for ideas as it starts, in the background; a request builds
only a small one itself (milliseconds), and has a large one built in the
background, answering that nothing is similar until it is there. Every read
asks the database for the challenge's change stamp (the latest
``updated_at`` of its ideas, through an index on ``(challenge_id,
updated_at)``, and its ``idea_count``), in the same query that loads the
suggested ideas, so a suggestion costs one query when nothing changed. When
the stamp moved, only the ideas changed since are read again and
re-vectorised with the fitted vocabulary; a language's vocabulary is fitted
again (in the background, when large) once a share of its ideas changed
since it was fitted. Posting and editing stamp the idea (``updated_at``),
so every process sees every change on its next read, whichever process made
it, with no worker to run and nothing to invalidate.
Storing vectors in the database was the other way: every process would then
read thousands of sparse vectors per request, or cache them and need this
stamp anyway. Hiding, withdrawing and unhiding do not touch the text: the
statuses are checked in SQL when the suggested ideas are loaded.

The API (``queries``): ``like_text`` (while an idea is typed), ``like_idea``
(an idea page's "Ideas like this one") and ``challenge_vectors`` (a
challenge's ideas as rows of vectors, for grouping them into themes).
"""
