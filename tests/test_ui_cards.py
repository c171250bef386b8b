"""The app's HTML card rows (planner/ui/cards.py) read back as a person reads them: label, value, help, delta,
note, escaped, with the delta's direction drawn as st.metric's inverse colours (less is better)."""

from __future__ import annotations

from app_cards import cards_in

from planner.ui.cards import Card, _delta_class, cards_html


def test_a_row_of_cards_reads_back_as_written():
    written = [Card("Cloud cost", "$1,614 – $22,180", "The range of <feasible> cloud options.", None,
                    "655 cloud options, cheapest to dearest"),
               Card("Cheapest", "$2,112", None, "-$541 vs your choice", "owned nvidia-dgx-h100 & co"),
               Card("Fastest", "13.3 h")]
    body = cards_html(written, [1.6, 1, 1])
    assert cards_in(body) == written
    assert "grid-template-columns: 1.6fr 1fr 1fr" in body
    assert "<feasible>" not in body and "&lt;feasible&gt;" in body  # text is escaped, never markup


def test_delta_direction_follows_its_sign():
    assert _delta_class("-$541 vs your choice") == "better"  # cheaper than the choice: green, down
    assert _delta_class("$1,200 vs your choice") == "worse"
    assert _delta_class("0.00 h vs your choice") == "same"
    body = cards_html([Card("Cheapest", "$2,112", delta="-$541 vs your choice")])
    assert 'class="trainplan-card-delta better">▼ -$541' in body
