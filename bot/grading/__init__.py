"""The grading harness: `python -m bot grade` over one student project or a class.

session.py runs a grade from the arguments to the exit code: projects.py finds the
projects (folders and .zip files, unpacked safely); bank.py, scenarios.py and rubric.py
read the questions (CSV in UTF-8/GBK or YAML), the multi-turn scenarios and the weights;
pool.py (or cluster.py, on a Dask cluster) hands each project as a Job (jobs.py) to a
worker.py process, which analyses it without running it (static.py), trains it and
questions it; finished.py keeps the results for a rerun; scoring.py judges them;
report.py assembles report.json, the source of truth, which markdown.py, html.py,
classcsv.py and terminal.py render (wording.py: the sentences they share; output.py:
which file gets which).

Rasa is imported only by worker.py: the parent stays light and never runs student code.
"""
