"""Inspections, the service-standard checklist, findings and evidence."""
