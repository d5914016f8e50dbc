"""The audit trail of who changed what, when."""
