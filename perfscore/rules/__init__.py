"""The rule kinds: one module per family (execution, ratio/range/threshold, tiers/bands,
deduction/checklist/formula/manual), registered in ``rules.registry.KINDS`` like jsonschema's
keywords; safe formulas.

Imports: text, core, read.
"""
