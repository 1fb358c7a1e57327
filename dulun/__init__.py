"""dulun: aggregate monitoring of public issues by topic, province and week."""
__version__ = "0.1.0"
