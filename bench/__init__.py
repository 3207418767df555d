"""`make bench`: the figures README's Performance section lists, measured here in one run."""
