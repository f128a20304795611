"""Microsoft Teams: every botbuilder import of Sharebot lives in this package, and only here."""
