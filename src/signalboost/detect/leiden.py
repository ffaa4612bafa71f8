"""Shared Leiden settings."""

# igraph's default: two passes of the Leiden refinement. Iterating to convergence (-1) gains little modularity
# and took 184 s instead of a few on a 230k-account retweet graph.
LEIDEN_ITERATIONS = 2
