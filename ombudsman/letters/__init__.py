"""Formal letters: drafting, numbering, issuing as PDF, verification."""
