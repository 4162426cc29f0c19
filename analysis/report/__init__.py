"""The report model: what a report says, independent of how it is printed.

Chapters build report models (:mod:`analysis.chapters`); the pipeline reads what they printed
(figures with their lineage) without importing chapters; renderers turn a model into HTML.
"""
