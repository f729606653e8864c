"""Placeholder: the derivation-chain checker (issue 5)."""


class ChainResult:  # placeholder until issue 5 lands
    pass


def verify_chain(steps, *, matrices=None, seed=0):
    raise NotImplementedError("verify_chain lands with issue 5")
