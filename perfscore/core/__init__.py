"""The vocabulary every stage shares: the result value objects (Finding, Evaluation, LeafResult,
...) and the catalogue of finding codes with their severities.

It sits this low because findings are made while reading tables (read), while building (build),
while scoring (engine) and while reviewing (review).

Imports: text.
"""
