"""Earmark's engine: everything but the GUI. Importing it never imports Qt."""
