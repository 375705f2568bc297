"""Reproducible stratified samples (六(二)1–2).

The population is a list of ``[item id, officer id]`` read in id order; the seed is stored with
it. Every officer (stratum) gets at least one item, the rest of the sample is shared out in
proportion to the strata by the largest remainder (ties to the lower officer id), and each
stratum is sampled with one ``random.Random(seed)`` in officer-id order — so the same seed and
population always give the same sample, on any machine.
"""

import random


def allocate(sizes: dict[int, int], total: int) -> dict[int, int]:
    """How many items each stratum gives: at least one each, the rest proportionally, never more
    than a stratum holds. ``total`` must lie between the number of strata and the population."""
    officers = sorted(sizes)
    alloc = dict.fromkeys(officers, 1)
    left = total - len(officers)
    spare = {o: sizes[o] - 1 for o in officers}
    while left > 0:
        room = sum(spare.values())
        shares = {o: left * spare[o] / room for o in officers} if room else {}
        given = 0
        for o in officers:
            take = min(int(shares.get(o, 0)), spare[o])
            alloc[o] += take
            spare[o] -= take
            given += take
        left -= given
        if left <= 0:
            break
        # the largest remainders (then the lower officer id) take one more each
        order = sorted(
            (o for o in officers if spare[o] > 0),
            key=lambda o: (-(shares.get(o, 0) - int(shares.get(o, 0))), o),
        )
        for o in order[:left]:
            alloc[o] += 1
            spare[o] -= 1
            left -= 1
    return alloc


def draw(population: list[list[int]], size: int, seed: int) -> list[list[int]]:
    """The sample: ``[item id, officer id]`` pairs, by officer then item id."""
    strata: dict[int, list[int]] = {}
    for item, officer in population:
        strata.setdefault(officer, []).append(item)
    alloc = allocate({o: len(ids) for o, ids in strata.items()}, size)
    rng = random.Random(seed)  # noqa: S311 - a reproducible sample, not a secret
    sample = []
    for officer in sorted(strata):
        chosen = rng.sample(sorted(strata[officer]), alloc[officer])
        sample.extend([item, officer] for item in sorted(chosen))
    return sample
