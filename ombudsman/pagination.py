"""Pagination helpers for list pages."""

from __future__ import annotations

from flask import current_app, request


def page_args() -> tuple[int, int]:
    """The requested page and page size, clamped to sane bounds."""
    page = request.args.get("page", 1, type=int) or 1
    per_page = request.args.get("per_page", current_app.config["PER_PAGE"], type=int) or 25
    return max(page, 1), min(max(per_page, 1), 100)
