"""Read the app's number cards back from an AppTest run: the ``st.metric`` cards and the rows of cards that
``planner.ui.cards`` draws as HTML (label, value, help, delta and note of each, as a person reads them).

Not a test module: the app's tests import it.
"""

from __future__ import annotations

import html
from html.parser import HTMLParser

from streamlit.testing.v1 import AppTest

from planner.ui.cards import CARD, DELTA, LABEL, NOTE, VALUE, Card


class _CardParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.cards: list[dict[str, str | None]] = []
        self.part: str | None = None
        self.depth = 0  # open tags inside the current part

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        if CARD in classes:
            self.cards.append({"help": dict(attrs).get("title"), LABEL: "", VALUE: "", DELTA: None, NOTE: None})
        elif self.part is None and self.cards and (part := next((c for c in (LABEL, VALUE, DELTA, NOTE)
                                                                 if c in classes), None)):
            self.part, self.depth = part, 0
            self.cards[-1][part] = ""
        elif self.part is not None:
            self.depth += 1

    def handle_endtag(self, tag: str) -> None:
        if self.part is not None:
            if self.depth == 0:
                self.part = None
            else:
                self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.part is not None:
            self.cards[-1][self.part] = (self.cards[-1][self.part] or "") + data


def cards_in(body: str) -> list[Card]:
    """The cards of one HTML block of ``planner.ui.cards.cards_html``."""
    parser = _CardParser()
    parser.feed(body)
    out = []
    for c in parser.cards:
        delta = c[DELTA]
        delta = delta.lstrip("▲▼ ").strip() if delta else None
        out.append(Card(html.unescape(str(c[LABEL])).strip(), str(c[VALUE]).strip(), c["help"], delta,
                        c[NOTE].strip() if c[NOTE] else None))
    return out


def all_cards(at: AppTest) -> dict[str, Card]:
    """Every card on the page by label: st.metric cards (help and delta as Streamlit holds them) and HTML rows."""
    found = {m.label: Card(m.label, m.value, m.help or None, m.delta or None) for m in at.metric}
    for block in at.get("html"):
        found.update({card.label: card for card in cards_in(block.value)})
    return found


def metrics(at: AppTest) -> dict[str, str]:
    """Every card's value by label."""
    return {label: card.value for label, card in all_cards(at).items()}


def small_print(at: AppTest) -> list[str]:
    """The page's captions and every card's note (what the option cards say under their number)."""
    return [c.value for c in at.caption] + [card.note for card in all_cards(at).values() if card.note]
