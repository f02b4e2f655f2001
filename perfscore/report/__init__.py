"""Reports: HTML and DOCX reports of scores and reviews with their figures and charts, and tables
of many forms' scores.

Imports: every stage up to batch.
"""
