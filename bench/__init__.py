"""`make bench`: the figures of design 6, measured on this machine in one run."""
