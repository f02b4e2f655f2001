"""Building: the frozen model (Template, Form), the template library, ``extends``/``patch``,
binding a form to its template.

Imports: text, core, read, rules.
"""
