"""_core package."""
