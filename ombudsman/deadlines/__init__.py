"""Follow-up deadlines: the working-day calendar, rules, states and reminders."""
