"""Tapes: recorded provider responses, written while live and replayed through the real providers.

:mod:`~scoreterm.replay.tape` defines the file format, :mod:`~scoreterm.replay.recorder` records
through an httpx transport and :mod:`~scoreterm.replay.player` serves a tape back on a virtual clock.
"""
