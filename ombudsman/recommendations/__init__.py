"""Recommendations addressed to authorities, and their follow-up status."""
