"""Server-side page cache of list pages and dashboards, valid while their data stamps are unchanged."""
