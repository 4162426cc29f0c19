"""The build: options, inputs, scoring, the plan, notebook execution, stitching and pages.

Importing it keeps ``rfc3987_syntax`` from loading (:func:`skip_iri_grammar`): every process of
a build imports nbformat (papermill, nbclient, nbconvert), nbformat imports jsonschema, and
jsonschema imports that package when it is installed (it is, with JupyterLab), which compiles
about 35 parsers at import: 2 of the 3.4 seconds an import of nbformat takes here, paid by the
build's process and by each of its workers (jsonschema issue #1428). It serves only the
``iri`` formats of JSON Schema, which no notebook schema uses.
"""

from __future__ import annotations

import sys

#: The module jsonschema imports, when installed, to check the ``iri`` formats.
IRI_GRAMMAR = "rfc3987_syntax"


def skip_iri_grammar() -> None:
    """Make ``import rfc3987_syntax`` fail (jsonschema then leaves the ``iri`` formats
    unchecked), unless jsonschema or that module is already imported."""
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault(IRI_GRAMMAR, None)  # type: ignore[arg-type]


skip_iri_grammar()
