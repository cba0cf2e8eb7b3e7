"""A check module for engine tests: behaviour chosen by the target name."""

import asyncio

from launchready_tui.core.registry import MissingInput
from launchready_tui.core.results import passed, warned


def targets(profile, params):
    if params.get("needs"):
        raise MissingInput(params["needs"])
    return ["ok", "slow", "boom", "warnbare"]


def deadline(params, timeout_s):
    return params.get("deadline", 0.3)


async def check(ctx, target, params):
    if target == "slow":
        await asyncio.sleep(10)
    if target == "boom":
        raise RuntimeError("kaboom")
    if target == "warnbare":
        return warned("fake", target, "a warning", fix="", why="")
    await asyncio.sleep(0.01)
    return passed("fake", target, "fine", evidence={"n": 1})
