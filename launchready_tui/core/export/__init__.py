"""The handover document and the incident note: everything a new engineer needs on day 2.

The public face is the names in `__all__`; the modules behind it are private:

* `_gather`     - reads the state store, history, allowlist, credentials metadata and
  runbooks; redaction; rendering and writing the files;
* `_model`      - the dataclasses (`_readers`: small readers of the state they share);
* `_sources`    - each family's evidence and the team's records;
* `_build`      - stages, the verdict, the summary, the day-2 list;
* `_layout`     - the document in the roadmap's order, as blocks (`_doc`: the document
  being built; `_sections`: the per-family sections; `_evidence`: evidence lines;
  `_runbook_md`: runbooks in full); a kind's own section (the database's, the AI
  assistant's) comes from the kind (`Kind.handover`, core/checks/_handover.py), laid out
  by `_layout._kind_sections` without knowing the family;
* `_render`     - blocks to GitHub Markdown or one self-contained HTML file;
* `_incident`   - the incident note.

No Textual here; the check path never imports this package.
"""

from __future__ import annotations

from launchready_tui.core.export._gather import (
    Redactor,
    build_handover,
    default_output_path,
    export_handover,
    gather,
    load_allowlist,
    render,
    render_html,
    render_incident_note,
    render_markdown,
    secret_redactor,
    secret_values_from_env_files,
    secret_values_from_keyring,
    stored_credential_ids,
    write_incident_note,
)
from launchready_tui.core.export._model import STALE_DAYS, Handover

__all__ = [
    "STALE_DAYS",
    "Handover",
    "Redactor",
    "build_handover",
    "default_output_path",
    "export_handover",
    "gather",
    "load_allowlist",
    "render",
    "render_html",
    "render_incident_note",
    "render_markdown",
    "secret_redactor",
    "secret_values_from_env_files",
    "secret_values_from_keyring",
    "stored_credential_ids",
    "write_incident_note",
]
