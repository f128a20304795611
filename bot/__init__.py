"""The core: what Sharebot does, independent of any platform."""
