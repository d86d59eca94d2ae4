"""caisse — software for a Belgian social insurance fund for the self-employed."""

__version__ = "0.1.0"
