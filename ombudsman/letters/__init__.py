"""Formal letters (surat dinas): drafting, review, numbering, issuing as a frozen PDF, delivery, verification.

Where things are, by concern:
- `models`, `commands` (each use case's input and its bounds), `access` (roles and the office check);
- `drafting`, `workflow`, `issuing` (with `counters` and `numbering`), `delivery` (with `followup`, the
  follow-up clocks), `escalation` (drafts from a deadlines escalation plan), `register`, `settings`;
- `compose`, `document`, `render`, `documents` (what a letter shows and its PDF), `verification`;
- electronic signatures: `signing` (signatories' sealed keys, PAdES signing), `signatures` (checking a PDF's
  signatures), `demo_signing` (the demo's TEST certificate);
- `services` (what other packages call) and `lookups` (read-only answers for other packages);
- pages: `views` and `workflow_views` (one blueprint), `verify_views`, `settings_views` (with
  `signing_views`); `forms`, `cli`.
"""
