"""The sample is reproducible from its seed, exact in size and covers every officer."""

from hypothesis import given, settings
from hypothesis import strategies as st

from casebook.assessment import sampling


@st.composite
def populations(draw):
    strata = draw(st.dictionaries(st.integers(1, 50), st.integers(1, 12), min_size=1, max_size=8))
    items, n = [], 0
    for officer, count in sorted(strata.items()):
        for _ in range(count):
            n += 1
            items.append([n, officer])
    size = draw(st.integers(len(strata), len(items)))
    seed = draw(st.integers(0, 2**62))
    return items, size, seed


@settings(max_examples=300, derandomize=True, deadline=None)
@given(populations())
def test_sample_is_exact_reproducible_and_stratified(case):
    items, size, seed = case
    sample = sampling.draw(items, size, seed)
    assert len(sample) == size
    assert sample == sampling.draw(list(items), size, seed)  # the redraw is the same
    assert {tuple(pair) for pair in sample} <= {tuple(pair) for pair in items}
    assert len({item for item, _ in sample}) == size  # no item twice
    assert {officer for _, officer in sample} == {officer for _, officer in items}


def test_allocation_is_proportional():
    assert sampling.allocate({1: 10, 2: 30}, 8) == {1: 2, 2: 6}
    assert sampling.allocate({1: 1, 2: 1, 3: 100}, 3) == {1: 1, 2: 1, 3: 1}
    assert sampling.allocate({1: 2, 2: 2}, 4) == {1: 2, 2: 2}


def test_another_seed_gives_another_sample():
    items = [[n, 1 + n % 3] for n in range(1, 200)]
    assert sampling.draw(items, 12, 1) != sampling.draw(items, 12, 2)
