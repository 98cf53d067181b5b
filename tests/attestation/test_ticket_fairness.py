"""Ticket generation is fair, for any stream (GEN-2, SET-2): property tests over random streams —
ticket counts, slots of random sizes, each slot handed out in random batches and in any order.

The rule (``attestation.services.tickets.deal``): within a slot no ticket repeats while a ticket
unused in that slot exists; with SET-2 on no ticket already used in the stream is handed out while
a ticket unused in the stream exists, and the stream's usage stays even (no ticket used k+1 times
before every ticket is used k times); with SET-2 off each slot draws from all tickets evenly.
"""

import random
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from attestation.services import tickets as service


@st.composite
def streams(draw):
    """A stream: its tickets, its slots' sizes, and the batches in which staff hand them out
    (a batch is (slot, how many of its students), in the order staff press Generate)."""
    tickets = draw(st.integers(min_value=1, max_value=12))
    sizes = draw(st.lists(st.integers(min_value=1, max_value=30), min_size=1, max_size=6))
    batches = []
    for slot, size in enumerate(sizes):
        while size:
            part = draw(st.integers(min_value=1, max_value=size))
            batches.append((slot, part))
            size -= part
    interleaved = draw(st.booleans())
    if interleaved:
        batches = [batches[i] for i in draw(st.permutations(range(len(batches))))]
    return tickets, sizes, batches, interleaved, draw(st.integers(min_value=0, max_value=2**32))


def _hand_out(tickets, batches, seed, whole_stream, check):
    """Run the batches through ``deal`` as ``tickets_generate`` does; ``check`` then sees every pick
    in order, with the usage before it."""
    rng = random.Random(seed)
    ids = list(range(1, tickets + 1))
    held: dict[int, list[int]] = {}  # slot → its tickets
    for slot, count in batches:
        here = Counter(held.get(slot, []))
        stream = Counter(t for dealt in held.values() for t in dealt)
        usage = service.Usage(here=Counter(here), stream=Counter(stream), whole_stream=whole_stream)
        dealt = service.deal(ids, usage, count, rng)
        for ticket in dealt:
            check(ids, service.Usage(here=Counter(here), stream=Counter(stream)), ticket)
            here[ticket] += 1
            stream[ticket] += 1
        held.setdefault(slot, []).extend(dealt)
    return held


def _spread(counts, ids):
    return max(counts[t] for t in ids) - min(counts[t] for t in ids)


@pytest.mark.req("GEN-2", "SET-2")
@settings(max_examples=400, deadline=None)
@given(streams(), st.booleans())
def test_within_a_slot_no_ticket_repeats_while_another_is_unused(stream, whole_stream):
    tickets, _sizes, batches, _interleaved, seed = stream

    def check(ids, before, ticket):
        if before.here[ticket]:  # a repeat in this slot: only once every ticket is used here as often
            assert all(before.here[t] >= before.here[ticket] for t in ids)

    held = _hand_out(tickets, batches, seed, whole_stream, check)
    for dealt in held.values():
        assert _spread(Counter(dealt), range(1, tickets + 1)) <= 1


@pytest.mark.req("GEN-2", "SET-2")
@settings(max_examples=400, deadline=None)
@given(streams())
def test_with_set_2_no_used_ticket_while_one_is_unused_and_the_stream_stays_even(stream):
    """Evenness over the stream gives way to the slot's own rule only when staff go back to a slot
    already partly handed out after other slots (it may already hold the stream's least used
    tickets); slots handed out one after another keep the stream's usage within 1."""
    tickets, _sizes, batches, interleaved, seed = stream
    ids = range(1, tickets + 1)

    def check(ids, before, ticket):
        if before.stream[ticket]:  # used before in the stream: only once every ticket is used
            assert all(before.stream[t] for t in ids)

    held = _hand_out(tickets, batches, seed, True, check)
    if not interleaved:
        assert _spread(Counter(t for dealt in held.values() for t in dealt), ids) <= 1


@pytest.mark.req("GEN-2", "SET-2")
@settings(max_examples=200, deadline=None)
@given(streams())
def test_with_set_2_a_later_slot_gets_the_tickets_earlier_slots_left(stream):
    """The seed's example, generalised: 25 students, 25 tickets, 12 at 10:00 and 13 at 13:00 — the
    13 get the 13 tickets the 12 left. Each slot's first picks are the tickets no slot used yet."""
    tickets, sizes, _batches, _interleaved, seed = stream
    held = _hand_out(tickets, list(enumerate(sizes)), seed, True, lambda *_: None)
    used: Counter[int] = Counter()
    for slot, size in enumerate(sizes):
        unused = {t for t in range(1, tickets + 1) if not used[t]}
        first = held[slot][: min(size, len(unused))]
        assert len(set(first)) == len(first) and set(first) <= unused
        used.update(held[slot])


@pytest.mark.req("GEN-2", "SET-2")
@settings(max_examples=200, deadline=None)
@given(streams())
def test_without_set_2_every_slot_draws_evenly_from_all_tickets(stream):
    tickets, _sizes, batches, _interleaved, seed = stream
    held = _hand_out(tickets, batches, seed, False, lambda *_: None)
    for dealt in held.values():
        assert len(set(dealt)) == min(len(dealt), tickets)
