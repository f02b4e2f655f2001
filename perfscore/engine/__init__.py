"""Evaluation: the compiled plan of a template and a form, running it into results, and the
process pool that runs it over many forms. The engine never sees the model: the model compiles
itself into a plan (:mod:`perfscore.engine.plan`) and hands that over.

Imports: text, core, read, rules.
"""
