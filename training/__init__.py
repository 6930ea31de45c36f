"""Authoring and training tools for the learned reader (not part of the installed package).

- :mod:`training.corpus` writes the phrasing families of ``evals/understanding/`` (the corpora
  the readers are measured on, split by family);
- :mod:`training.train` fits the learned reader on the training split with scikit-learn and
  writes its weights as JSON into ``okx_auth_graph/reading/learned_reader.json``.

The package applies those weights in pure Python (:mod:`okx_auth_graph.reading.learned`); nothing here
is imported at run time.
"""
