"""Reading: strict YAML, published tables (CSV decoding, XLSX, header and layout recognition), JSON
Lines sources, normalising API data, schema validation, the quick check, packaged resources, and
reading values out of form data.

Imports: text, core.
"""
