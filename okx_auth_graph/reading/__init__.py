"""Reading people: what a request asks for and what a reply to a question says.

- :mod:`.rules`: the bilingual rules, which decide every gate (:func:`~.rules.read_request`,
  :func:`~.rules.read_reply`, :func:`~.rules.parse_site_choice`).
- :mod:`.learned`: the learned reader behind the rules (weights in ``learned_reader.json``).
- :mod:`.chat_model`: a chat model as the first reader, falling back to the offline reading.
- :mod:`.window`: the bounded message window the readings look at.
"""
