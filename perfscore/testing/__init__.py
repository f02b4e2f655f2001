"""Testing templates: hypothesis strategies, generic property checks (``perfscore check
--properties``) and template examples (``perfscore check``).

Imports: every stage up to report.
"""
