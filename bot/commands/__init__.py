"""What people ask Sharebot: the `/share` grammar, the command registry and the handlers."""
