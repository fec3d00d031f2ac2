"""Themes: a challenge's ideas grouped by what they are about, each named by its words.

How ideas are grouped (``clustering``). The vectors are the ones that find
similar ideas (``ideas.similarity``: TF-IDF over the words of an idea's title
and summary and over their character n-grams, fitted per content language of
the challenge). They are reduced to at most 100 dimensions by a truncated SVD,
latent semantic analysis (Deerwester et al., "Indexing by latent semantic
analysis", JASIS 1990), which folds words used together into one direction so
that two ideas about compost meet even when one says "food scraps"; the
reduced rows are scaled to unit length again and grouped by k-means (Lloyd's
algorithm with k-means++ starts, seeded, a fixed number of starts), as
scikit-learn's "Clustering text documents using k-means" example does and
Manning, Raghavan and Schütze's "Introduction to Information Retrieval"
(chapters 16 and 18) describes. The number of themes is the k from 2 to
about sqrt(n/2) for n ideas (the rule of thumb of Mardia, Kent and Bibby,
"Multivariate Analysis", 1979), and at most 12, whose grouping has the best
mean silhouette (Rousseeuw, 1987), measured on up to 2,000 of the ideas,
among the groupings with no theme of a single idea. Hosts read themes as a
handful of headings, not as a fine partition.

Ideas in another language than most of a challenge's have other words: each
content language is grouped on its own, and a language with fewer than
``clustering.MIN_IDEAS`` listed ideas has no themes (its ideas are in none).
Withdrawn and hidden ideas are left out.

How a theme is named. Its most telling words: those whose mean TF-IDF weight
among the theme's ideas most exceeds their mean weight among the rest of the
language's ideas (the idea of BERTopic's class-based TF-IDF, Grootendorst
2022), found in at least two of its ideas; the first three name it. A host
may give it a name of their own, which is kept over later fits.

When it runs (``services``). In the background worker, never in a request:
each pass looks at every challenge's ideas (how many are listed, their latest
change) and groups again where ``REFIT_AFTER_CHANGES`` ideas were added or
changed since the last fit, or anything changed and the last fit is
``REFIT_AFTER`` old. A new grouping keeps the ids (and the host's names) of the
old themes it overlaps most (each old theme to at most one new one, by the
Jaccard index of their ideas, from one third on): the same ideas give the same
themes, with the same ids and names.
"""
