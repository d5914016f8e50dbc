"""The authority response portal (issue 14): contacts, portal accounts, receipt, responses, extensions."""
