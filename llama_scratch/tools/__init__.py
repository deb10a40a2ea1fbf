"""Tooling around the model: command line, plots, figures, interactive views, diagrams, exercise checks,
the notebook runner and the benchmark. Nothing in the model core imports from here."""
