"""Jury review: a rubric, invited jurors who score ideas blind, and their calibrated scores."""
