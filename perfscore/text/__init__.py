"""Words and numbers: decimals, units, the target grammar and its value objects (Quantity, Target,
Actual), the fast parse path, display width, number display and lazy text.

Imports: nothing of perfscore but ``perfscore.errors``.
"""
