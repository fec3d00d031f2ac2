"""Votes, vote budgets and pairwise comparisons."""
