"""Privacy: the release rule, figures, data rights, retention and the audit trail."""
