"""The okx adapter: the only code in the package that runs ``okx``.

- :mod:`.adapter`: :class:`~.adapter.OkxCli`, which builds argument lists, runs okx with a
  timeout through a runner and returns plain-dict summaries safe to keep in graph state.
- :mod:`.process`: runners (a real subprocess, a terminal) and the raw result of one run.
- :mod:`.redact`: okx's texts made safe: terminal controls removed, secrets masked.
- :mod:`.errors`: :class:`~.errors.OkxCliError`, one error whose ``kind`` the spec names.
- :mod:`.models`: pydantic models of what okx prints, and the summaries the adapter returns.
- :mod:`.sites`: the three OKX sites (``--site`` ids, labels, web and API hosts).
"""
