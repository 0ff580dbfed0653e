"""Shared helpers for the Arabic news analysis notebooks.

Each stage is a small module that takes the previous stage's pandas table and
returns the next one (see ``helpers.schema`` for the table contracts)::

    corpus -> clean -> sentences -> ner (mentions) -> actors
           -> sentiment / stance -> timeline -> plots and report
"""

__version__ = "0.1.0"

# The default random seed of the collection (figures.setup, bootstrap intervals).
SEED = 2020
