"""Building: the frozen model (Template, Form), the template library, ``extends``/``patch``,
binding a form to its template (compiled into the engine's plan), and the one loader from any
source (YAML, JSON Lines, CSV, XLSX …) to a bound form.

Imports: text, core, read, rules, engine.
"""
