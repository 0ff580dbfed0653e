"""Colours shared by the figures (:mod:`helpers.figures`) and the HTML report: entity
types, stance relations and one stable colour per actor.

Plain hex strings and no matplotlib, so that HTML code (entity highlighting in the report)
can use the same colours without importing a plotting library.
"""

from __future__ import annotations

import hashlib

# Colour-blind-safe palette (Okabe-Ito + Tableau extras).
PALETTE = [
    "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442",
    "#000000", "#8C564B", "#7F7F7F", "#BCBD22", "#17BECF", "#9467BD", "#2CA02C",
]
ENTITY_COLORS = {"PERS": "#D55E00", "LOC": "#0072B2", "ORG": "#009E73", "MISC": "#CC79A7"}

RELATION_COLORS = {
    "supports": "#009E73",  # green
    "cooperates": "#0072B2",  # blue
    "opposes": "#D55E00",  # red-orange (vermillion)
    "attacks": "#E69F00",  # orange
    "criticises": "#CC79A7",  # reddish purple
    "mediates": "#56B4E9",  # sky blue
}

# Fixed, distinct colours for the actors that dominate coverage of the Libyan conflict, so
# that they never share a colour when drawn together; every other id gets a colour from
# OTHER_PALETTE by a stable hash of its id.
KEY_ACTOR_COLORS = {
    "haftar": "#8B0000", "lna": "#D62728", "aguila_saleh": "#FF9896", "hor": "#E377C2",
    "sarraj": "#08306B", "gna": "#1F77B4", "presidential_council": "#6BAED6",
    "dbeibah": "#17BECF", "gnu": "#9EDAE5", "menfi": "#393B79",
    "turkey": "#2CA02C", "erdogan": "#98DF8A", "russia": "#7F3C8D", "putin": "#C5B0D5",
    "wagner": "#4D004B", "egypt": "#FF7F0E", "sisi": "#FFBB78", "uae": "#8C564B",
    "france": "#BCBD22", "italy": "#DBDB8D", "usa": "#525252", "un": "#00A6A6",
    "unsmil": "#66C2A4", "libya": "#000000", "tripoli": "#637939", "sirte": "#B5CF6B",
    "algeria": "#CE6DBD", "berlin_conference": "#843C39",
}
OTHER_PALETTE = [
    "#7F7F7F", "#A55194", "#8C6D31", "#BD9E39", "#E7BA52", "#AD494A", "#D6616B",
    "#6B6ECF", "#9C9EDE", "#31A354", "#3182BD", "#E6550D", "#756BB1", "#636363",
]


def actor_color(actor_id: str) -> str:
    """A stable colour for an actor id, the same in every figure of the collection.

    The main actors have fixed, mutually distinct colours (``KEY_ACTOR_COLORS``); any
    other id (including ones a student adds) gets one from a stable hash of the id.

    >>> actor_color("haftar"), actor_color("gna")
    ('#8B0000', '#1F77B4')
    >>> actor_color("my_new_actor") == actor_color("my_new_actor")
    True
    """
    if actor_id in KEY_ACTOR_COLORS:
        return KEY_ACTOR_COLORS[actor_id]
    digest = hashlib.sha1(actor_id.encode("utf-8")).digest()
    return OTHER_PALETTE[digest[0] % len(OTHER_PALETTE)]
