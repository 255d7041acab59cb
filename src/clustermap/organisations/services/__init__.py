"""The registry's rules, shared by the REST routes (:mod:`..routes`) and the web pages (:mod:`..pages`).

Each function takes an open session and the caller's :class:`~..security.Identity`, applies the rule (who may
see or change what), reads and writes through :mod:`..repository`, and raises the typed errors of
:mod:`..errors`. Nothing here knows about HTTP.

:mod:`.accounts`     log in, tokens, users, notifications
:mod:`.matches`      saved matchmaking requests (the ranking itself is :mod:`..matchmaking`)
:mod:`.interests`    expressions of interest and the notifications they send
:mod:`.assessments`  self-assessments: who may record and see them (the scoring is :mod:`..assessment`)
"""
