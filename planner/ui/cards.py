"""The app's number cards: a row of cards drawn as one HTML block (``st.html``), not one ``st.metric`` each.

A change of input redraws every element Streamlit sends; ten ``st.metric`` cards with their captions in
``st.columns`` are some 30 elements, and drawing them took about a fifth of the browser's work per change
(README, Benchmarks: App). One block per row draws the same label, value, delta and note. Pure text: the
values arrive formatted; nothing here computes a number.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass

#: Class names of a card's parts (the browser tests and benchmarks find a card's value by them).
CARD, LABEL, VALUE, DELTA, NOTE = ("trainplan-card", "trainplan-card-label", "trainplan-card-value",
                                   "trainplan-card-delta", "trainplan-card-note")
#: A card row's style: st.metric's sizes, colours that follow the theme's text colour, two columns on a phone.
STYLE = f"""<style>
.trainplan-cards {{display: grid; gap: 1rem; margin-bottom: 0.5rem}}
.{CARD} {{min-width: 0}}
.{LABEL} {{font-size: 0.875rem; opacity: 0.75}}
.{CARD} .trainplan-card-help {{font-size: 0.75rem; opacity: 0.6; cursor: help}}
.{VALUE} {{font-size: 2.25rem; line-height: 1.3; white-space: nowrap; overflow: hidden; text-overflow: ellipsis}}
.{DELTA} {{font-size: 0.875rem; white-space: nowrap; overflow: hidden; text-overflow: ellipsis}}
.{DELTA}.better {{color: #09ab3b}} .{DELTA}.worse {{color: #ff2b2b}} .{DELTA}.same {{opacity: 0.6}}
.{NOTE} {{font-size: 0.875rem; opacity: 0.6; margin-top: 0.25rem; overflow-wrap: anywhere}}
@media (max-width: 640px) {{.trainplan-cards {{grid-template-columns: 1fr 1fr !important}}}}
</style>"""


@dataclass(frozen=True)
class Card:
    """One card: ``value`` under ``label``; ``help`` on hover; ``delta`` below it ('-$541 vs your choice'; a
    leading '-' is drawn green, as st.metric's ``delta_color="inverse"``: less is better); ``note`` in small
    print under the card."""

    label: str
    value: str
    help: str | None = None
    delta: str | None = None
    note: str | None = None


def _delta_class(delta: str) -> str:
    """'better' for a negative delta, 'same' for zero, else 'worse' (by its first number)."""
    found = re.search(r"-?[\d,]*\.?\d+", delta.replace("$", ""))
    number = float(found.group().replace(",", "")) if found else 0.0
    return "better" if number < 0 else "same" if number == 0 else "worse"


def _card(card: Card) -> str:
    e = html.escape
    title = f' title="{e(card.help)}"' if card.help else ""
    icon = ' <span class="trainplan-card-help">ⓘ</span>' if card.help else ""
    parts = [f'<div><span class="{LABEL}">{e(card.label)}</span>{icon}</div>',
             f'<div class="{VALUE}" title="{e(card.value)}">{e(card.value)}</div>']
    if card.delta:
        arrow = {"better": "▼", "worse": "▲", "same": ""}[_delta_class(card.delta)]
        parts.append(f'<div class="{DELTA} {_delta_class(card.delta)}">{arrow} {e(card.delta)}</div>')
    if card.note:
        parts.append(f'<div class="{NOTE}">{e(card.note)}</div>')
    return f'<div class="{CARD}"{title}>{"".join(parts)}</div>'


def cards_html(cards: Sequence[Card], widths: Sequence[float] | None = None) -> str:
    """A row of cards as HTML, each column ``widths[i]`` parts of the row (None: equal)."""
    widths = widths or [1.0] * len(cards)
    columns = " ".join(f"{w:g}fr" for w in widths)
    return (f'{STYLE}<div class="trainplan-cards" style="grid-template-columns: {columns}">'
            + "".join(_card(c) for c in cards) + "</div>")


def show_cards(cards: Sequence[Card], widths: Sequence[float] | None = None) -> None:
    """Draw a row of cards as one element."""
    import streamlit as st

    st.html(cards_html(cards, widths))
