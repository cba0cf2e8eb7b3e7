"""Check kinds, one module per family. See core/registry.py for the module protocol."""
