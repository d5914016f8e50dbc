"""Users, roles, login and the office they belong to."""
