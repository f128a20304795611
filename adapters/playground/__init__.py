"""The playground: a local web page that plays the messenger for a small demo organisation."""
