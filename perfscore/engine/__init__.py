"""Evaluation: scoring a built form, and the process pool that runs it over many.

Imports: text, core, read, rules, build.
"""
